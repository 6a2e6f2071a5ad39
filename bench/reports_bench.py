"""6. Reports: the compliance report (every format) from 10,000 synthetic scenario results."""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .common import Table, verdict

TARGET_SECONDS = 3.0
END_TO_END = "write_report() end to end, no PDF"
FEATURES = ["01_회원분류와_이용서비스", "02_간편회원_가입", "03_일반회원_가입", "04_실명인증", "05_소속기업_등록",
            "06_기업정보_등록", "07_기업_범용인증서", "08_기업정보_관리자", "09_로그인", "10_아이디_찾기",
            "11_비밀번호_재설정", "12_기존회원_전환", "13_서비스_마일리지"]
STEPS = [("먼저", "given", '사람 "김철수"가 있다'), ("그리고", "given", '"김철수"가 카카오 계정을 가지고 있다'),
         ("만일", "when", '"김철수"가 "카카오"로 간편회원 가입을 선택한다'), ("그리고", "when", "약관에 모두 동의하고 [가입하기]를 누른다"),
         ("그러면", "then", '"김철수"는 "간편회원"으로 가입된다'), ("그리고", "then", '메뉴에 "로그아웃"이 보인다')]


def synthetic(count: int, *, failure_rate: float = 0.02, seed: int = 8) -> tuple[Any, list[Any]]:
    """A ReportCollector holding ``count`` finished scenarios shaped like real ones (steps, tags,
    requirements, some failures, entitlement-matrix outline rows) and its verdicts."""
    from reports.plugin import ReportCollector, ScenarioResult
    from simulator.domain.entitlements import NEW, matrix
    from steps.catalogue import load_requirements

    rng = random.Random(seed)
    requirements = [r["id"] for r in load_requirements()]
    plain = [r for r in requirements if not r.startswith("MTX-")]
    m = matrix(NEW)
    cells = [(service, label) for service in m.row_of for label in m.column_labels]
    collector = ReportCollector(progress=False)
    for index in range(count):
        feature = FEATURES[index % len(FEATURES)]
        outline = index % 10 == 0
        ids = ["MTX-N1"] if outline else [plain[index % len(plain)]]
        failed = rng.random() < failure_rate
        nodeid = f"tests/acceptance/test_features.py::test_시나리오_{index:05d}"
        steps = []
        for number, (keyword, kind, text) in enumerate(STEPS):
            status = "passed"
            message = None
            if failed and number == len(STEPS) - 1:
                status, message = "failed", "AssertionError: 안내 문구가 다릅니다\n기대: 가입이 완료되었습니다\n실제: 오류"
            steps.append({"keyword": keyword, "text": text, "type": kind, "line": 10 + number, "background": number < 1,
                          "status": status, "duration": rng.uniform(0.001, 0.05), "message": message,
                          "location": f"steps/signup_steps.py:{40 + number}", "datatable": None, "docstring": None})
        examples = None
        if outline:
            service, label = cells[index % len(cells)]
            examples = {"name": "", "line": 30, "row": index % 20 + 1, "tags": [],
                        "params": {"회원유형": label, "서비스": service, "결과": "이용 가능"}}
        record = {"nodeid": nodeid, "name": f"합성 시나리오 {index}", "keyword": "시나리오 개요" if outline else "시나리오",
                  "line": 8 + index % 200, "description": "",
                  "feature": {"name": feature.split("_", 1)[1].replace("_", " "), "keyword": "기능",
                              "uri": f"{feature}.feature", "line": 2, "description": "", "language": "ko",
                              "tags": [f"chapter-{index % 13 + 1}"]},
                  "rule": None, "tags": [f"REQ-{i}" for i in ids], "examples": examples, "requirements": ids,
                  "worker": f"gw{index % 2}", "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "steps": steps}
        result = ScenarioResult(nodeid, record=record, failed=failed, ran=True,
                                duration=sum(s["duration"] for s in steps))
        if failed:
            result.errors.append({"when": "call", "text": steps[-1]["message"]})
        collector.results[nodeid] = result
        collector.outcomes[nodeid] = ("failed" if failed else "passed", tuple(ids))
    return collector, collector.verdicts()


def provenance_facts() -> dict[str, Any]:
    from reports import provenance

    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {"run_id": str(uuid.uuid4()), "spec": provenance.spec_version(), "tool": {"name": "ti24", "version": "bench"},
            "versions": provenance.versions(), "target": {"url": "embedded", "driver": "inprocess", "profile": None},
            "run": {"started_at": now, "finished_at": now, "duration": 0.0, "workers": 0, "keyword": None,
                    "command": ["bench"], "pytest_args": [], "pytest_exit_code": 1},
            "host": provenance.host(), "expected_failures": None}


def measure(count: int, *, pdf: bool = False) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each part of one report: build, json, junit, cucumber, html, manifest, (pdf)."""
    from reports import compliance, formats, html, integrity, model
    from reports import pdf as pdf_module

    collector, verdicts = synthetic(count)
    facts = provenance_facts()
    out = Path(tempfile.mkdtemp(prefix="ti24-bench-report-"))
    timings: dict[str, tuple[float, float]] = {}

    def since(wall: float, cpu: float) -> tuple[float, float]:
        return time.perf_counter() - wall, time.process_time() - cpu

    try:
        start = time.perf_counter(), time.process_time()
        report = model.build(collector, verdicts, out=out, provenance=facts, expected={},
                             pdf={"written": False, "note": "bench"})
        timings["model.build"] = since(*start)
        for name, write in (("report.json", lambda: formats.write_json(report, out / "report.json")),
                            ("junit.xml", lambda: formats.write_junit(report, out / "junit.xml")),
                            ("cucumber.json", lambda: formats.write_cucumber(report, out, out / "cucumber.json")),
                            ("report.html", lambda: html.write(report, out / "report.html")),
                            ("manifest.json", lambda: integrity.write_manifest(out, report["run_id"]))):
            t = time.perf_counter(), time.process_time()
            write()
            timings[name] = since(*t)
        timings["sum of the parts"] = since(*start)
        shutil.rmtree(out)
        out.mkdir()
        t = time.perf_counter(), time.process_time()
        compliance.write_report(out, collector, verdicts, provenance=facts, expected={}, make_pdf=False)
        timings[END_TO_END] = since(*t)
        if pdf and pdf_module.unavailable() is None:
            t = time.perf_counter(), time.process_time()
            pdf_module.print_pdf(out / "report.html", out / "report.pdf")
            timings["report.pdf (Chromium; CPU is the bench process only)"] = since(*t)
        size = (out / "report.html").stat().st_size / 1e6
        timings["_html_mb"] = (size, size)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return timings


def run(*, quick: bool = False, count: int | None = None, pdf: bool = False) -> Table:
    count = count or (500 if quick else 10_000)
    timings = measure(count, pdf=pdf)
    size = timings.pop("_html_mb")[0]
    table = Table(f"6. Compliance report from {count:,} synthetic scenario results", ["part", "wall s", "CPU s"])
    for name, (wall, cpu) in timings.items():
        table.add(name, wall, cpu)
    wall, cpu = timings[END_TO_END]
    table.notes.append(f"target: under {TARGET_SECONDS:.0f} s for write_report() without the PDF — CPU {cpu:.2f} s "
                       f"{verdict(cpu < TARGET_SECONDS)}, wall {wall:.2f} s {verdict(wall < TARGET_SECONDS)}; "
                       f"report.html is {size:.1f} MB")
    if not any(name.startswith("report.pdf") for name in timings):
        table.notes.append("PDF not timed (add --pdf; Chromium prints the HTML page)")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count", type=int)
    parser.add_argument("--pdf", action="store_true", help="also time report.pdf printed by Chromium")
    args = parser.parse_args(argv)
    print(run(quick=args.quick, count=args.count, pdf=args.pdf).render())


if __name__ == "__main__":
    main()
