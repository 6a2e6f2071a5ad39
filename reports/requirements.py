"""Per-requirement verdicts from scenario outcomes.

Each acceptance test carries the requirement IDs it proves in ``user_properties``
(set at collection, so the IDs survive pytest-xdist); this plugin gathers the outcomes
on the controller and folds them into one verdict per catalogue requirement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from steps.catalogue import load_requirements

PASS, FAIL, NOT_RUN = "PASS", "FAIL", "NOT RUN"
EXPECTED_FAILURE = "EXPECTED FAILURE"
STATUSES = (PASS, FAIL, EXPECTED_FAILURE, NOT_RUN)
PROPERTY = "requirements"


@dataclass
class Verdict:
    id: str
    chapter: str
    derived: bool
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Reason from the expected-failures file when every failing scenario is a known vendor deviation.
    expected: str | None = None

    @property
    def status(self) -> str:
        if self.failed:
            return EXPECTED_FAILURE if self.expected is not None else FAIL
        return PASS if self.passed else NOT_RUN


class RequirementCollector:
    def __init__(self) -> None:
        self.outcomes: dict[str, tuple[str, tuple[str, ...]]] = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        ids = next((v for k, v in report.user_properties if k == PROPERTY), None)
        if ids is None:
            return
        failed = report.failed or (report.when == "call" and report.skipped)
        if report.when == "call" or failed:
            previous = self.outcomes.get(report.nodeid, ("passed", ids))[0]
            self.outcomes[report.nodeid] = ("failed" if failed or previous == "failed" else "passed", tuple(ids))

    def verdicts(self) -> list[Verdict]:
        by_id = {r["id"]: Verdict(r["id"], r["chapter"], bool(r.get("derived"))) for r in load_requirements()}
        scenarios: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for nodeid, (outcome, ids) in self.outcomes.items():
            for requirement in ids:
                scenarios[requirement].append((nodeid, outcome))
        for requirement, runs in scenarios.items():
            verdict = by_id[requirement]
            for nodeid, outcome in runs:
                (verdict.passed if outcome == "passed" else verdict.failed).append(nodeid)
        return list(by_id.values())


def requirement_ids(item: pytest.Item) -> list[str]:
    return sorted({m.name.removeprefix("REQ-") for m in item.iter_markers() if m.name.startswith("REQ-")})


def summary(verdicts: list[Verdict]) -> str:
    lines = [f"{'요구사항':<10} {'결과':<8} {'시나리오':>8}  장", "-" * 72]
    for v in verdicts:
        counts = f"{len(v.passed)}/{len(v.passed) + len(v.failed)}"
        mark = " (파생)" if v.derived else ""
        lines.append(f"{v.id:<12} {v.status:<8} {counts:>8}  {v.chapter}{mark}")
    totals = {s: sum(1 for v in verdicts if v.status == s) for s in STATUSES}
    lines.append("-" * 72)
    line = f"요구사항 {len(verdicts)}개: PASS {totals[PASS]}, FAIL {totals[FAIL]}, NOT RUN {totals[NOT_RUN]}"
    if totals[EXPECTED_FAILURE]:
        line += f", EXPECTED FAILURE {totals[EXPECTED_FAILURE]}"
    lines.append(line)
    return "\n".join(lines)
