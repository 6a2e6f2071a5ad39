"""The compliance report: `ti24 check` on small subsets (in process and under xdist), every format,
the manifest and signature, expected failures and `ti24 diff`."""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reports import expectations
from reports.diff import compare
from reports.plugin import Progress
from reports.requirements import EXPECTED_FAILURE, FAIL, NOT_RUN, PASS, Verdict, summary
from ti24.cli import main

SCHEMA = Path(__file__).resolve().parent.parent / "reports" / "report.schema.json"
KOREAN_STEP_KEYWORDS = {"조건 ", "먼저 ", "만일 ", "만약 ", "그러면 ", "그리고 ", "하지만 ", "단 ", "* "}
ROW = "간편회원-온라인 상담-이용 가능"
SUBSET = ("(신_회원_유형별 and 간편회원 and 온라인) or (신_회원_유형별 and 간편회원 and 기타)"
          " or 일반회원과_간편회원은_로그인하면")
LEGACY_ROW = "(구_회원_유형별 and 개인회원 and 온라인)"

# Another plugin's evidence, the way the browser driver will add it: a raw step-less HTTP exchange
# before each step call, a screenshot through reports.evidence.attach after the last step and on a
# failing step, a note during teardown. PROBE_FAIL makes the 그러면 step of matching rows fail.
PROBE = '''"""PYTEST_DONT_REWRITE"""
import hashlib
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.evidence import ATTACHMENT, attach, http_exchange


def _png(path):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    path.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\\x00\\x33\\x99\\x33")) + chunk(b"IEND", b""))
    return path


def _shot(item, label):
    name = hashlib.sha256((item.nodeid + label).encode()).hexdigest()[:16]
    return _png(Path(os.environ["PROBE_DIR"]) / f"{name}.png")


def pytest_bdd_before_step_call(request, feature, scenario, step, step_func, step_func_args):
    exchange = http_exchange("GET", f"https://target.example/step/{step.line_number}", 200,
                             response_body="<html>확인</html>")
    request.node.user_properties.append((ATTACHMENT, {"kind": "http", "name": "요청", "data": exchange}))
    wanted = os.environ.get("PROBE_FAIL")
    if wanted and wanted in request.node.nodeid and step.type == "then":
        raise AssertionError("대상 시스템이 매뉴얼과 반대로 동작했습니다 (probe)")


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args):
    if step is scenario.steps[-1]:
        attach(request.node, "screenshot", path=_shot(request.node, "last"), name="마지막 화면")


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception):
    attach(request.node, "screenshot", path=_shot(request.node, "error"), name="실패 화면")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    item.user_properties.append((ATTACHMENT, {"kind": "text", "name": "정리", "content": "teardown note"}))
'''


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--no-progress", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def load(folder: Path, name: str = "report.json"):  # type: ignore[no-untyped-def]
    return json.loads((folder / name).read_text(encoding="utf-8"))


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The probe plugin, loaded by the controller and by every xdist worker."""
    (tmp_path / "ti24_probe_plugin.py").write_text(PROBE, encoding="utf-8")
    shots = tmp_path / "shots"
    shots.mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p ti24_probe_plugin")
    monkeypatch.setenv("PROBE_DIR", str(shots))
    # Local xdist workers get the sys.path xdist froze when this outer session started, not
    # PYTHONPATH; put the probe's folder on that frozen list for the nested run.
    import xdist.workermanage

    frozen = getattr(xdist.workermanage, "_sys_path", None)
    if isinstance(frozen, list):
        frozen.insert(0, str(tmp_path))
    yield tmp_path
    if isinstance(frozen, list):
        frozen.remove(str(tmp_path))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """Three scenarios, one process, with the PDF: everything passes."""
    out = tmp_path_factory.mktemp("plain") / "report"
    code = main(["check", "--no-progress", "-k", SUBSET, "--out", str(out)])
    return code, out


def assert_valid(report: dict) -> None:
    """report.json against reports/report.schema.json (jsonschema); its required keys without it."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    try:
        import jsonschema
    except ImportError:
        warnings.warn("jsonschema is not installed: only the schema's required keys are checked", stacklevel=2)
        assert set(schema["required"]) <= set(report) and report["schema_version"] == "1.0"
        return
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [f"{e.json_path}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(report)]
    assert errors == []


# --- one plain run: every format -----------------------------------------------------------------


def test_plain_run_writes_every_format(plain: tuple[int, Path]) -> None:
    code, out = plain
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {"report.json", "report.html", "junit.xml", "cucumber.json", "manifest.json"} <= names
    report = load(out)
    assert_valid(report)
    assert report["summary"]["scenarios"] == {"total": 3, "passed": 3, "failed": 0, "skipped": 0}
    assert report["summary"]["verdict"] == "INCOMPLETE"  # a subset leaves requirements NOT RUN
    statuses = {r["id"]: r["status"] for r in report["requirements"]}
    assert statuses["MTX-N1"] == statuses["MTX-N3"] == statuses["CLS-01"] == PASS
    assert statuses["SNS-01"] == NOT_RUN
    provenance = report["provenance"]
    assert provenance["target"] == {"url": "embedded", "driver": "inprocess", "profile": None}
    assert len(provenance["spec"]["sha256"]) == 64 and provenance["spec"]["files"][-1]["path"].endswith(".yaml")
    assert provenance["versions"]["pytest-bdd"] and provenance["versions"]["cryptography"]
    assert provenance["host"]["hostname"] and provenance["run"]["keyword"] == SUBSET
    chapters = {c["chapter"]: c for c in report["chapters"]}
    assert sum(c["counts"][PASS] for c in chapters.values()) == sum(1 for s in statuses.values() if s == PASS)


def test_plain_run_steps_and_matrix(plain: tuple[int, Path]) -> None:
    report = load(plain[1])
    outline = next(s for s in report["scenarios"] if ROW in s["id"])
    assert outline["keyword"] == "시나리오 개요"
    assert outline["examples"]["params"] == {"회원유형": "간편회원", "서비스": "온라인 상담", "결과": "이용 가능"}
    assert outline["examples"]["name"] == "온라인 상담" and outline["examples"]["row"] == 4
    assert [s["keyword"] for s in outline["steps"]] == ["조건", "조건", "그리고", "만일", "그러면"]
    assert outline["steps"][0]["background"] and not outline["steps"][1]["background"]
    assert all(s["status"] == "passed" and s["duration"] >= 0 and s["location"] for s in outline["steps"])
    new = next(m for m in report["matrices"] if m["scheme"] == "new")
    cells = {(row["service"], c["column"]): c for row in new["rows"] for c in row["cells"]}
    assert cells[("온라인 상담", "간편회원")]["status"] == "match"
    assert cells[("기타 서비스 신청", "간편회원")] | {"scenario": None} == {
        "column": "간편회원", "manual": False, "expected": False, "observed": False, "status": "match",
        "scenario": None, "message": None}
    assert cells[("온라인 상담", "인증서소속")]["status"] == "not-run"
    assert new["counts"]["match"] == 2 and not new["unmapped_scenarios"] and not new["catalogue_differs"]


def test_plain_run_junit_cucumber_html_pdf(plain: tuple[int, Path]) -> None:
    out = plain[1]
    suites = ET.parse(out / "junit.xml").getroot()
    assert suites.tag == "testsuites" and suites.get("tests") == "3" and suites.get("failures") == "0"
    cases = suites.findall("testsuite/testcase")
    assert len(cases) == 3
    case = next(c for c in cases if "간편회원 | 온라인 상담" in c.get("name", ""))
    requirements = {p.get("value") for p in case.findall("properties/property") if p.get("name") == "requirement"}
    assert requirements == {"CLS-03", "CLS-05", "MTX-N1"}
    assert case.find("failure") is None and "그러면" in case.findtext("system-out", "")

    features = load(out, "cucumber.json")
    assert [f["keyword"] for f in features] == ["기능"]
    feature = features[0]
    assert feature["uri"] == "features/01_회원분류와_이용서비스.feature" and feature["language"] == "ko"
    assert len(feature["elements"]) == 3
    for element in feature["elements"]:
        assert element["type"] == "scenario" and element["steps"]
        for step in element["steps"]:
            assert step["keyword"] in KOREAN_STEP_KEYWORDS
            assert step["result"]["status"] == "passed" and isinstance(step["result"]["duration"], int)
    tags = {t["name"] for e in feature["elements"] for t in e["tags"]}
    assert {"@REQ-MTX-N1", "@REQ-MTX-N3", "@REQ-CLS-01"} <= tags

    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ko">' in page
    assert "적합성 보고서" in page and "이용 가능 서비스" in page and "<style>" in page
    assert 'src="http' not in page and 'href="http' not in page and "<link" not in page
    pdf = out / "report.pdf"
    if pdf.exists():
        assert pdf.read_bytes()[:5] == b"%PDF-"
    else:
        assert load(out)["artifacts"]["pdf"]["note"]


# --- integrity -----------------------------------------------------------------------------------


def test_verify_report_passes_then_catches_changes(plain: tuple[int, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = plain[1]
    assert main(["verify-report", str(source)]) == 0
    assert "온전합니다" in capsys.readouterr().out
    manifest = load(source, "manifest.json")
    listed = {f["path"] for f in manifest["files"]}
    assert {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - listed == {"manifest.json"}

    for victim in sorted(listed):
        copy = tmp_path / f"changed-{hashlib.sha256(victim.encode()).hexdigest()[:8]}"
        shutil.copytree(source, copy)
        data = bytearray((copy / victim).read_bytes())
        data[len(data) // 2] ^= 0x01
        (copy / victim).write_bytes(bytes(data))
        assert main(["verify-report", str(copy)]) == 1
        err = capsys.readouterr().err
        assert "내용이 바뀐 파일 1개" in err and victim in err

    gone = tmp_path / "deleted"
    shutil.copytree(source, gone)
    (gone / "junit.xml").unlink()
    (gone / "덧붙인.txt").write_text("x", encoding="utf-8")
    assert main(["verify-report", str(gone)]) == 1
    err = capsys.readouterr().err
    assert "없어진 파일 1개" in err and "junit.xml" in err and "목록에 없는 파일이 더 있음 1개" in err


def test_signature_round_trip(plain: tuple[int, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reports.integrity import sign

    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    public, wrong = tmp_path / "trusted.pub", tmp_path / "other.pub"
    for k, path in ((key, public), (other, wrong)):
        path.write_bytes(k.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    signed = tmp_path / "signed"
    shutil.copytree(plain[1], signed)
    sign(signed, key)
    assert (signed / "manifest.sig").stat().st_size == 64
    assert main(["verify-report", str(signed), "--public-key", str(public)]) == 0
    assert "유효합니다" in capsys.readouterr().out
    assert main(["verify-report", str(signed), "--public-key", str(wrong)]) == 1
    assert "서명이 맞지 않습니다" in capsys.readouterr().err

    manifest = signed / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"sha256"', '"sha256" ', 1), encoding="utf-8")
    assert main(["verify-report", str(signed), "--public-key", str(public)]) == 1
    assert "서명이 맞지 않습니다" in capsys.readouterr().err

    unsigned = tmp_path / "unsigned"
    shutil.copytree(plain[1], unsigned)
    assert main(["verify-report", str(unsigned), "--public-key", str(public)]) == 1
    assert "manifest.sig이 없습니다" in capsys.readouterr().err


# --- a deviating target under xdist, with another plugin's evidence ------------------------------


def test_xdist_run_with_evidence_and_expected_failure(probe: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PROBE_FAIL", ROW)
    expected = tmp_path / "expected.toml"
    expected.write_text(textwrap.dedent(f"""\
        [MTX-N1]
        reason = "대상 시스템은 간편회원의 온라인 상담을 막는다 (변경 요청 CR-7)"
        scenario = "{ROW}"
        [CLS-03]
        reason = "MTX-N1과 같은 행"
        scenario = "{ROW}"
        [CLS-05]
        reason = "MTX-N1과 같은 행"
        scenarios = ["{ROW}"]
        [MTX-N3]
        reason = "고쳐졌지만 목록에 남은 항목"
        """), encoding="utf-8")
    out = tmp_path / "xdist"
    code, text = run_check(capsys, "--workers", "2", "--no-pdf", "-k", f"{SUBSET} or {LEGACY_ROW}",
                           "--expected-failures", str(expected), "--out", str(out))
    assert code == 0, text
    report = load(out)
    assert_valid(report)
    assert report["provenance"]["run"]["workers"] == "2"
    assert {s["worker"] for s in report["scenarios"]} <= {"gw0", "gw1"}
    statuses = {r["id"]: r for r in report["requirements"]}
    assert statuses["MTX-N1"]["status"] == EXPECTED_FAILURE
    assert statuses["MTX-N1"]["expected_failure"]["reason"].startswith("대상 시스템은")
    assert statuses["MTX-N3"]["status"] == PASS and "통과" in statuses["MTX-N3"]["note"]
    assert statuses["MTX-O1"]["status"] == PASS
    assert report["summary"]["requirements"][EXPECTED_FAILURE] == 3

    failing = next(s for s in report["scenarios"] if ROW in s["id"])
    assert failing["status"] == "failed" and "반대로 동작" in failing["error"]
    assert [s["status"] for s in failing["steps"]] == ["passed"] * 4 + ["failed"]
    last = failing["steps"][-1]
    assert "AssertionError" in last["message"]
    kinds = [a["kind"] for a in last["attachments"]]
    assert kinds == ["http", "screenshot"]  # the raw exchange pinned to its step, then the failure screenshot
    shot = last["attachments"][1]
    assert shot["name"] == "실패 화면" and shot["path"].startswith("attachments/") and (out / shot["path"]).is_file()
    assert shot["media_type"] == "image/png" and shot["sha256"]
    assert [a["name"] for a in failing["attachments"]] == ["정리"]  # teardown evidence: the scenario's
    passing = next(s for s in report["scenarios"] if "기타 서비스 신청" in s["id"])
    assert all(len(s["attachments"]) >= 1 for s in passing["steps"])
    assert passing["steps"][-1]["attachments"][-1]["name"] == "마지막 화면"
    for scenario in report["scenarios"]:
        for index, step in enumerate(scenario["steps"]):
            urls = {a["data"]["request"]["url"] for a in step["attachments"] if a["kind"] == "http"}
            assert urls == {f"https://target.example/step/{step['line']}"}, (scenario["id"], index)

    new = next(m for m in report["matrices"] if m["scheme"] == "new")
    cell = next(c for row in new["rows"] if row["service"] == "온라인 상담" for c in row["cells"]
                if c["column"] == "간편회원")
    assert cell["status"] == "mismatch" and cell["manual"] is True and cell["observed"] is False
    legacy = next(m for m in report["matrices"] if m["scheme"] == "legacy")
    assert legacy["counts"]["match"] == 1

    features = load(out, "cucumber.json")
    elements = [e for f in features for e in f["elements"]]
    assert len(elements) == 4
    failed_element = next(e for e in elements if ROW in e["id"])
    then = failed_element["steps"][-1]
    assert then["keyword"] == "그러면 " and then["result"]["status"] == "failed"
    assert "반대로 동작" in then["result"]["error_message"]
    assert {e["mime_type"] for e in then["embeddings"]} == {"application/json", "image/png"}
    assert failed_element["after"][0]["embeddings"][0]["mime_type"] == "text/plain"

    suites = ET.parse(out / "junit.xml").getroot()
    assert suites.get("tests") == "4" and suites.get("failures") == "1"
    failure = next(c for c in suites.iter("testcase") if c.find("failure") is not None).find("failure")
    assert failure is not None and "반대로 동작" in (failure.get("message") or "")
    assert "attachments/" in ET.tostring(suites, encoding="unicode")
    manifest = {f["path"] for f in load(out, "manifest.json")["files"]}
    assert shot["path"] in manifest
    assert main(["verify-report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'src="{shot["path"]}"' in html and "c-mismatch" in html and "예상 실패" in html


def test_unexpected_failure_exits_non_zero_signed_and_diffs_as_regression(
        plain: tuple[int, Path], probe: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PROBE_FAIL", ROW)
    key = Ed25519PrivateKey.generate()
    pem = tmp_path / "signing.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    out = tmp_path / "failing"
    code, text = run_check(capsys, "--no-pdf", "-k", SUBSET, "--out", str(out), "--signing-key", str(pem))
    assert code == 1
    assert "MTX-N1       FAIL" in text and "실패한 시나리오 1개" in text
    report = load(out)
    assert report["summary"]["verdict"] == FAIL and report["summary"]["scenarios"]["failed"] == 1
    assert (out / "manifest.sig").is_file() and (out / "manifest.pub").is_file()
    public = tmp_path / "public.pem"
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    assert main(["verify-report", str(out), "--public-key", str(public)]) == 0
    capsys.readouterr()

    assert main(["diff", str(plain[1]), str(out)]) == 1
    text = capsys.readouterr().out
    assert "나빠진 요구사항 (PASS → FAIL): 3개" in text and "MTX-N1" in text and "통과 → 실패" in text
    assert main(["diff", str(out), str(plain[1])]) == 0
    assert "고쳐진 요구사항 (FAIL → PASS): 3개" in capsys.readouterr().out


# --- units -----------------------------------------------------------------------------------------


def _verdicts() -> list[Verdict]:
    return [
        Verdict("MTX-N1", "장", False, passed=["t::a[1]"], failed=["t::outline[간편회원-온라인 상담-이용 가능]"]),
        Verdict("MTX-N2", "장", False, failed=["t::outline[간편회원-설명회 신청-이용 가능]", "t::plain"]),
        Verdict("SNS-01", "장", False, failed=["t::sns"]),
        Verdict("SNS-02", "장", False, passed=["t::sns2"]),
        Verdict("SNS-03", "장", False),
    ]


def test_expected_failures_fold_by_requirement_and_scenario(tmp_path: Path) -> None:
    toml = tmp_path / "known.toml"
    toml.write_text(textwrap.dedent("""\
        "SNS-01" = "페이스북 간편가입 중단"
        [MTX-N1]
        reason = "CR-7"
        scenario = "간편회원-온라인 상담"
        [MTX-N2]
        reason = "CR-8"
        scenario = "간편회원-설명회 신청"
        """), encoding="utf-8")
    known = expectations.load(toml, ["MTX-N1", "MTX-N2", "SNS-01", "SNS-02", "SNS-03"])
    verdicts = expectations.fold(_verdicts(), known, {"t::plain": ["일반 시나리오"]})
    status = {v.id: v.status for v in verdicts}
    assert status == {"MTX-N1": EXPECTED_FAILURE, "MTX-N2": FAIL, "SNS-01": EXPECTED_FAILURE, "SNS-02": PASS,
                      "SNS-03": NOT_RUN}
    assert verdicts[0].expected == "CR-7"
    assert "EXPECTED FAILURE 2" in summary(verdicts)

    yaml_file = tmp_path / "known.yaml"
    yaml_file.write_text("MTX-N2:\n  reason: CR-8\n  scenarios: [간편회원-설명회 신청, 일반 시나리오]\n", encoding="utf-8")
    verdicts = expectations.fold(_verdicts(), expectations.load(yaml_file), {"t::plain": ["일반 시나리오"]})
    assert [v.status for v in verdicts][:3] == [FAIL, EXPECTED_FAILURE, FAIL]

    with pytest.raises(expectations.ExpectationError, match="카탈로그에 없는"):
        expectations.parse({"NOPE-1": "x"}, ["MTX-N1"])
    with pytest.raises(expectations.ExpectationError, match="사유"):
        expectations.parse({"MTX-N1": {"scenario": "x"}})


def _report(statuses: dict[str, str], scenarios: dict[str, str]) -> dict:
    return {
        "requirements": [{"id": i, "status": s, "chapter": "장"} for i, s in statuses.items()],
        "scenarios": [{"id": f"t::{n}", "name": n, "status": s} for n, s in scenarios.items()],
        "provenance": {"spec": {"sha256": "a"}, "target": {"url": "embedded"}, "run": {"keyword": None}},
    }


def test_diff_of_synthetic_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _report({"A-1": PASS, "A-2": FAIL, "A-3": PASS, "A-4": EXPECTED_FAILURE, "A-5": PASS},
                     {"s1": "passed", "s2": "failed"})
    after = _report({"A-1": FAIL, "A-2": PASS, "A-3": NOT_RUN, "A-4": PASS, "A-6": PASS},
                    {"s1": "failed", "s2": "passed"})
    result = compare(before, after)
    assert [c.id for c in result.regressions] == ["A-1"]
    assert [c.id for c in result.fixed] == ["A-2", "A-4"]
    assert {(c.id, c.before, c.after) for c in result.other} == {("A-3", PASS, NOT_RUN), ("A-6", "없음", PASS),
                                                                 ("A-5", PASS, "없음")}
    assert [c.id for c in result.scenario_regressions] == ["s1"] and [c.id for c in result.scenario_fixed] == ["s2"]
    for name, report in (("a", before), ("b", after)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(report), encoding="utf-8")
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    text = capsys.readouterr().out
    assert "A-1          PASS → FAIL" in text and "나빠진 요구사항이 1개 있습니다" in text
    assert main(["diff", str(tmp_path / "b"), str(tmp_path / "b")]) == 0


def test_progress_line() -> None:
    lines: list[str] = []
    progress = Progress(lines.append, tty=False)
    progress.total = 4
    for status in ("passed", "failed", "passed", "skipped"):
        progress.advance(status)
    assert len(lines) == 4 and lines[-1].startswith("시나리오 4/4")
    assert "통과 2 · 실패 1 · 건너뜀 1" in lines[-1] and "걸린 시간" in lines[-1]
    shown: list[str] = []
    tty = Progress(shown.append, tty=True)
    tty.total = 10
    tty.advance("passed")
    assert shown[-1].startswith("\r시나리오 1/10") and "남은 시간 약" in shown[-1]
    tty.finish()
    assert shown[-1].endswith("\n")


def test_check_refuses_a_used_folder_and_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.txt").write_text("x", encoding="utf-8")
    assert main(["check", "--out", str(tmp_path)]) == 2
    assert main(["check", "--out", str(tmp_path / "x"), "--target", "https://vendor.example",
                 "--driver", "inprocess"]) == 2
    assert main(["check", "--out", str(tmp_path / "y"), "--profile", str(tmp_path / "missing.toml")]) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text('"NOPE-9" = "x"\n', encoding="utf-8")
    assert main(["check", "--out", str(tmp_path / "new"), "--expected-failures", str(bad)]) == 2
    assert "카탈로그에 없는" in capsys.readouterr().err
