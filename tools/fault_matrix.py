"""Switch each deliberate fault on and check that the specification catches exactly it.

For every fault of ``simulator.faults.FAULTS`` (or only those named), runs the acceptance
scenarios of the requirements the fault ``breaks`` plus a fixed sanity subset in a fresh
subprocess with the fault active, folds the outcomes into per-requirement verdicts with
``reports.requirements.RequirementCollector`` and prints fault → expected → actual FAIL set.
Exits non-zero on any mismatch.

    .venv/bin/python tools/fault_matrix.py                       # every fault, in-process
    .venv/bin/python tools/fault_matrix.py sns-duplicate-account login-no-lockout
    .venv/bin/python tools/fault_matrix.py --driver browser --log out/faults-browser.jsonl   # through Chromium
    .venv/bin/python tools/fault_matrix.py --log out/faults.jsonl && \
        .venv/bin/python tools/fault_matrix.py --driver browser --scenarios-from out/faults.jsonl
            # in Chromium, only the scenarios that caught each fault in-process (+ 2 sanity scenarios)
    .venv/bin/python tools/fault_matrix.py --full sns-duplicate-account   # all scenarios: derive ``breaks``
    .venv/bin/python tools/fault_matrix.py --list
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Requirements whose scenarios (one or two each, from different chapters) no fault breaks:
# every run includes them, so a fault that breaks more than it declares shows up.
SANITY = ("MTX-O1", "SNS-01", "REG-05", "ADM-03", "LOGIN-06")
BROWSER_SANITY = ("SNS-01", "REG-05")  # with --scenarios-from: the first scenario of each
BASELINE = "(없음)"  # the label of a run without faults


@dataclass
class Outcome:
    fault: str
    expected: frozenset[str]
    failed: frozenset[str] = frozenset()
    ran: frozenset[str] = frozenset()
    exit_code: int = 0
    seconds: float = 0.0
    output: str = ""
    failed_scenarios: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code in (0, 1) and self.failed == self.expected


def marker_expression(requirements: Iterable[str]) -> str:
    return " or ".join(f"REQ-{r}" for r in sorted(set(requirements)))


def pytest_arguments(faults: list[str], requirements: Iterable[str] | None, driver: str) -> list[str]:
    arguments = [str(ROOT / "tests" / "acceptance"), "-q", "--no-header", "-p", "no:cacheprovider",
                 "-p", "simulator.faults", f"--faults={','.join(faults)}", f"--driver={driver}",
                 f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml")]
    if requirements is not None:
        arguments += ["-m", marker_expression(requirements)]
    return arguments


class Selection:
    """Narrow the collected scenarios: those of the fault's own requirements (or only the nodeids in
    ``only``, when given), plus the first scenario of each requirement in ``sanity`` (browser runs
    cost seconds per scenario; one each still shows spill-over)."""

    def __init__(self, expected: Iterable[str], sanity: Iterable[str], only: set[str] | None = None) -> None:
        self.expected = {f"REQ-{r}" for r in expected}
        self.sanity = [f"REQ-{r}" for r in sanity]
        self.only = only

    def pytest_collection_modifyitems(self, config: object, items: list) -> None:
        kept, seen = [], set()
        for item in items:
            tags = {m.name for m in item.iter_markers()}
            first = [t for t in self.sanity if t in tags and t not in seen]
            own = item.nodeid in self.only if self.only is not None else bool(tags & self.expected)
            if own or first:
                kept.append(item)
                seen.update(t for t in self.sanity if t in tags)
        items[:] = kept


def worker(faults: list[str], requirements: list[str] | None, driver: str, out: Path, slim: bool = False,
           only: Path | None = None) -> int:
    """In the subprocess: run the scenarios with the faults on and write the verdicts as JSON."""
    import pytest

    from reports.requirements import FAIL, PASS, RequirementCollector
    from simulator.faults import FAULTS

    collector = RequirementCollector()
    plugins: list[object] = [collector]
    expected = set().union(*(FAULTS[f].breaks for f in faults))
    if only is not None:
        plugins.append(Selection(expected, BROWSER_SANITY, set(json.loads(only.read_text(encoding="utf-8")))))
    elif slim and requirements is not None:
        plugins.append(Selection(expected, SANITY))
    code = pytest.main(pytest_arguments(faults, requirements, driver), plugins=plugins)
    verdicts = collector.verdicts()
    out.write_text(json.dumps({
        "exit_code": int(code),
        "failed": sorted(v.id for v in verdicts if v.status == FAIL),
        "ran": sorted(v.id for v in verdicts if v.status in (FAIL, PASS)),
        "failed_scenarios": sorted({n for v in verdicts for n in v.failed}),
    }, ensure_ascii=False), encoding="utf-8")
    return 0


def caught_scenarios(log: Path) -> dict[str, list[str]]:
    """fault → the scenarios that failed under it, from an earlier run's ``--log`` (the in-process one)."""
    found: dict[str, list[str]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            if entry.get("ok"):
                found[entry["fault"]] = entry["failed_scenarios"]
    return found


def run(fault: str | None, *, driver: str = "inprocess", full: bool = False, slim: bool = False,
        log: Path | None = None, only: list[str] | None = None) -> Outcome:
    """One subprocess: ``fault`` (None: no fault) on, its requirements' scenarios plus the sanity subset."""
    from simulator.faults import FAULTS

    expected = FAULTS[fault].breaks if fault else frozenset()
    requirements = None if full else sorted(set(expected) | set(SANITY))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "verdicts.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", f"--out={out}", f"--driver={driver}"]
        if requirements is not None:
            command.append(f"--requirements={','.join(requirements)}")
        if slim:
            command.append("--slim-sanity")
        if only is not None:
            chosen = Path(scratch) / "only.json"
            chosen.write_text(json.dumps(only, ensure_ascii=False), encoding="utf-8")
            command.append(f"--only={chosen}")
        if fault:
            command.append(fault)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        env.pop("TI24_FAULTS", None)
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        output = done.stdout + done.stderr
        if not out.exists():
            return Outcome(fault or BASELINE, expected, exit_code=done.returncode or 3,
                           seconds=time.monotonic() - started, output=output)
        result = json.loads(out.read_text(encoding="utf-8"))
    outcome = Outcome(fault or BASELINE, expected, frozenset(result["failed"]), frozenset(result["ran"]),
                      result["exit_code"], time.monotonic() - started, output, result["failed_scenarios"])
    if log is not None:  # one JSON line per fault as it finishes, so a long run can be followed
        with log.open("a", encoding="utf-8") as sink:
            sink.write(json.dumps({"fault": outcome.fault, "ok": outcome.ok, "expected": sorted(outcome.expected),
                                   "failed": sorted(outcome.failed), "ran": sorted(outcome.ran),
                                   "seconds": round(outcome.seconds, 1), "driver": driver,
                                   "failed_scenarios": outcome.failed_scenarios}, ensure_ascii=False) + "\n")
    return outcome


def run_all(faults: list[str | None], *, driver: str = "inprocess", full: bool = False,
            workers: int = 2, slim: bool = False, log: Path | None = None,
            caught: dict[str, list[str]] | None = None) -> list[Outcome]:
    def one(fault: str | None) -> Outcome:
        only = None if caught is None else caught.get(fault or BASELINE, [])
        return run(fault, driver=driver, full=full, slim=slim, log=log, only=only)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, faults))


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'결함':<40} {'판정':<6} {'기대 FAIL':<34} 실제 FAIL", "-" * 110]
    for o in outcomes:
        mark = "OK" if o.ok else "불일치"
        actual = " ".join(sorted(o.failed)) or "-"
        lines.append(f"{o.fault:<40} {mark:<6} {' '.join(sorted(o.expected)) or '-':<34} {actual}")
        if o.exit_code not in (0, 1):
            lines.append(f"{'':<40} pytest 종료 코드 {o.exit_code}")
    bad = sum(not o.ok for o in outcomes)
    lines.append("-" * 110)
    lines.append(f"결함 {len(outcomes)}개: 일치 {len(outcomes) - bad}, 불일치 {bad}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="결함을 하나씩 켜고 명세가 정확히 그 요구사항을 FAIL로 잡는지 확인합니다")
    parser.add_argument("faults", nargs="*", help="결함 이름 (기본: 전부)")
    parser.add_argument("--driver", choices=("inprocess", "browser"), default="inprocess", help="시나리오 실행 방식")
    parser.add_argument("--workers", type=int, default=2, help="동시에 돌릴 하위 프로세스 수 (기본: 2)")
    parser.add_argument("--full", action="store_true", help="선택하지 않고 모든 시나리오를 실행합니다 (breaks 도출용)")
    parser.add_argument("--baseline", action="store_true", help="결함 없이 점검 부분집합도 실행합니다")
    parser.add_argument("--list", action="store_true", help="결함 목록을 출력합니다")
    parser.add_argument("--slim-sanity", action="store_true",
                        help="점검 부분집합은 요구사항마다 첫 시나리오만 실행합니다 (브라우저 실행의 기본값)")
    parser.add_argument("--log", type=Path, help="결함마다 결과를 JSON 한 줄로 이 파일에 덧붙입니다")
    parser.add_argument("--scenarios-from", type=Path, metavar="LOG",
                        help="앞선 실행(--log)에서 결함을 잡은 시나리오만 다시 실행합니다 (브라우저 확인용)")
    parser.add_argument("--only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--requirements", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        requirements = args.requirements.split(",") if args.requirements is not None else None
        return worker(args.faults, requirements, args.driver, args.out, slim=args.slim_sanity, only=args.only)

    from simulator.faults import FAULTS

    if args.list:
        for fault in FAULTS.values():
            print(f"{fault.name:<40} {' '.join(sorted(fault.breaks)):<40} {fault.description}")
        return 0
    unknown = [f for f in args.faults if f not in FAULTS]
    if unknown:
        print(f"알 수 없는 결함: {', '.join(unknown)}", file=sys.stderr)
        return 2
    names: list[str | None] = list(args.faults or FAULTS)
    if args.baseline:
        names.insert(0, None)
    started = time.monotonic()
    slim = args.slim_sanity or args.driver == "browser"
    caught = caught_scenarios(args.scenarios_from) if args.scenarios_from else None
    if caught is not None:
        missing = [n for n in names if n and n not in caught]
        if missing:
            print(f"{args.scenarios_from}에 결과가 없는 결함: {', '.join(missing)}", file=sys.stderr)
            return 2
    outcomes = run_all(names, driver=args.driver, full=args.full, workers=args.workers, slim=slim, log=args.log,
                       caught=caught)
    print(table(outcomes))
    for o in outcomes:
        if not o.ok:
            print(f"\n--- {o.fault}: 실패한 시나리오")
            print("\n".join(o.failed_scenarios) or o.output[-3000:])
    print(f"\n{time.monotonic() - started:.0f}초")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
