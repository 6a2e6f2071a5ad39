"""ti24's JUnit XML and Cucumber JSON as third parties read them: junitparser (a JUnit XML library)
and two widely used Cucumber JSON consumers from npm (multiple-cucumber-html-reporter,
cucumber-html-reporter; versions locked in tests/consumers/package-lock.json).

One `ti24 check` over three scenarios with a fault switched on, so that one scenario fails and the
consumers see both outcomes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml

from ti24.cli import main

CONSUMERS = Path(__file__).resolve().parent / "consumers"
SUBSET = ("(신_회원_유형별 and 간편회원 and 온라인) or (신_회원_유형별 and 간편회원 and 기타)"
          " or 일반회원과_간편회원은_로그인하면")
FAILING_ROW = "간편회원 | 기타 서비스 신청"  # MTX-N3's row, failing under the fault


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("consumers") / "report"
    code = main(["check", "--no-progress", "--no-pdf", "-k", SUBSET, "--faults", "simple-member-other-service",
                 "--out", str(out)])
    assert code == 1  # the fault is caught: a requirement FAILs
    return out


def scenarios_of(report: Path) -> dict[str, int]:
    document = json.loads((report / "report.json").read_text(encoding="utf-8"))
    outcomes = [s["status"] for s in document["scenarios"]]
    return {"total": len(outcomes), "passed": outcomes.count("passed"), "failed": outcomes.count("failed")}


def test_junit_xml_reads_with_junitparser(report: Path) -> None:
    xml = JUnitXml.fromfile(str(report / "junit.xml"))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == scenarios_of(report)["total"] == 3
    failed = [case for case in cases if any(isinstance(r, Failure) for r in case.result)]
    assert [c.name for c in failed if FAILING_ROW in c.name] == [c.name for c in failed] and len(failed) == 1
    failure = next(r for r in failed[0].result if isinstance(r, Failure))
    assert "기타 서비스 신청" in failure.message and "실패한 단계: 그러면" in (failure.text or "")
    assert all(case.time is not None and case.time >= 0 and case.classname for case in cases)
    assert sum(suite.tests for suite in xml) == 3 and sum(suite.failures for suite in xml) == 1


@pytest.fixture(scope="module")
def node_consumers() -> Path:
    """tests/consumers/node_modules from the lock file (npm ci), once per machine."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm가 없어 Cucumber JSON 소비자(npm)를 실행할 수 없습니다")
    installed = CONSUMERS / "node_modules" / ".package-lock.json"
    lock = CONSUMERS / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CONSUMERS, check=True,
                       timeout=600)
    return CONSUMERS


def test_cucumber_json_is_accepted_by_standard_consumers(report: Path, node_consumers: Path, tmp_path: Path) -> None:
    done = subprocess.run(["node", str(node_consumers / "consume_cucumber.js"), str(report / "cucumber.json"),
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    expected = scenarios_of(report)
    scenarios = summary["multiple"]["scenarios"]
    assert {k: scenarios[k] for k in expected} == expected == {"total": 3, "passed": 2, "failed": 1}
    assert scenarios["notDefined"] == scenarios["ambiguous"] == scenarios["pending"] == 0
    assert summary["multiple"]["features"]["total"] == 1 and summary["multiple"]["features"]["failed"] == 1
    page = Path(summary["multiple"]["index"]).read_text(encoding="utf-8")
    assert "회원분류" in page  # the feature's Korean name made it through
    single = Path(summary["single"]["html"]).read_text(encoding="utf-8")
    assert "기타 서비스 신청" in single and "간편회원" in single
