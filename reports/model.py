"""report.json: the one document every other format is drawn from (schema: reports/report.schema.json)."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from steps.catalogue import load_requirements

from . import matrix as matrices
from .evidence import DEFAULT_MEDIA_TYPES, DEFAULT_NAMES, KINDS
from .expectations import ExpectedFailure
from .plugin import ReportCollector, ScenarioResult
from .provenance import sha256_file
from .requirements import EXPECTED_FAILURE, FAIL, NOT_RUN, PASS, STATUSES, Verdict

SCHEMA_VERSION = "1.0"
TITLE = "KOTRA 무역투자24 통합회원 적합성 보고서"
ATTACHMENTS = "attachments"

PASS_WITH_EXPECTED = "PASS WITH EXPECTED FAILURES"
INCOMPLETE = "INCOMPLETE"
VERDICTS = (PASS, PASS_WITH_EXPECTED, INCOMPLETE, FAIL)


def overall(counts: Mapping[str, int]) -> str:
    if counts.get(FAIL):
        return FAIL
    if counts.get(NOT_RUN):
        return INCOMPLETE
    return PASS_WITH_EXPECTED if counts.get(EXPECTED_FAILURE) else PASS


class AttachmentStore:
    """Copies attachment files into ``<out>/attachments`` and describes them relative to ``out``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0

    def take(self, value: Mapping[str, Any], scenario_index: int) -> dict[str, Any]:
        kind = value.get("kind") if value.get("kind") in KINDS else "file"
        entry: dict[str, Any] = {
            "kind": kind,
            "name": str(value.get("name") or DEFAULT_NAMES[kind]),
            "media_type": str(value.get("media_type") or DEFAULT_MEDIA_TYPES[kind]),
            "path": None,
            "source": None,
            "size": None,
            "sha256": None,
            "missing": False,
            "content": value.get("content"),
            "data": value.get("data"),
        }
        source = value.get("path")
        if source:
            entry["source"] = str(source)
            path = Path(str(source))
            if path.is_file():
                self.count += 1
                safe = re.sub(r"[^\w.-]+", "_", path.name)[-80:] or "file"
                target = self.out / ATTACHMENTS / f"{scenario_index:04d}-{self.count:04d}-{safe}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                entry.update(path=target.relative_to(self.out).as_posix(), size=target.stat().st_size,
                             sha256=sha256_file(target))
            else:
                entry["missing"] = True
        return entry


def _scenario(result: ScenarioResult, index: int, store: AttachmentStore) -> dict[str, Any]:
    record = dict(result.record or {})
    steps = [dict(s, attachments=[]) for s in record.get("steps", [])]
    loose = []
    cursor = 0
    for value in result.attachments:
        entry = store.take(value, index)
        step = value.get("step")
        if not isinstance(step, int) and value.get("step_label"):
            # Labelled "<keyword> <text>" (steps/plugin.py's screenshots): the next step with that label.
            step = next((i for i in range(cursor, len(steps))
                         if f"{steps[i]['keyword']} {steps[i]['text']}" == value["step_label"]), None)
            cursor = step + 1 if step is not None else cursor
        if isinstance(step, int) and 0 <= step < len(steps):
            steps[step]["attachments"].append(entry)
        else:
            loose.append(entry)
    error = "\n\n".join(f"[{e['when']}]\n{e['text']}" for e in result.errors) or None
    # A scenario that failed outside its steps (fixture set-up, teardown) names that on its record.
    return {
        "id": result.nodeid,
        "name": record.get("name") or result.nodeid.rsplit("::", 1)[-1],
        "keyword": record.get("keyword", "시나리오"),
        "line": record.get("line"),
        "description": record.get("description", ""),
        "feature": record.get("feature") or {"name": "", "keyword": "기능", "uri": "", "line": None,
                                             "description": "", "language": "ko", "tags": []},
        "rule": record.get("rule"),
        "tags": record.get("tags", []),
        "examples": record.get("examples"),
        "requirements": record.get("requirements", []),
        "status": result.status,
        "duration": round(result.duration, 6),
        "started_at": record.get("started_at"),
        "worker": record.get("worker"),
        "skip_reason": result.skipped,
        "xfail_reason": result.xfail,
        "error": error,
        "steps": steps,
        "attachments": loose,
    }


def _order(scenario: Mapping[str, Any]) -> tuple[Any, ...]:
    examples = scenario.get("examples") or {}
    return (scenario["feature"].get("uri") or "", scenario.get("line") or 0, examples.get("line") or 0,
            examples.get("row") or 0, scenario["id"])


def build(collector: ReportCollector, verdicts: list[Verdict], *, out: Path, provenance: dict[str, Any],
          expected: Mapping[str, ExpectedFailure], pdf: Mapping[str, Any] | None = None) -> dict[str, Any]:
    store = AttachmentStore(out)
    results = list(collector.results.values())
    scenarios = [_scenario(r, i, store) for i, r in enumerate(results, start=1)]
    scenarios.sort(key=_order)
    catalogue = {r["id"]: r for r in load_requirements()}
    requirements = []
    for verdict in verdicts:
        entry = expected.get(verdict.id)
        note = None
        if entry and verdict.status == PASS:
            note = "예상 실패 목록에 있지만 통과했습니다. 목록에서 지워도 됩니다."
        elif entry and verdict.status == FAIL:
            note = "예상 실패 목록에 있지만, 목록이 허용하지 않은 시나리오가 실패했습니다."
        requirements.append({
            "id": verdict.id,
            "chapter": verdict.chapter,
            "wording": catalogue[verdict.id]["wording"],
            "derived": verdict.derived,
            "status": verdict.status,
            "passed": sorted(verdict.passed),
            "failed": sorted(verdict.failed),
            "expected_failure": {"reason": entry.reason, "scenarios": list(entry.scenarios)} if entry else None,
            "note": note,
        })
    chapters: dict[str, dict[str, Any]] = {}
    for r in requirements:
        chapter = chapters.setdefault(r["chapter"], {"chapter": r["chapter"], "requirements": [],
                                                     "counts": dict.fromkeys(STATUSES, 0)})
        chapter["requirements"].append(r["id"])
        chapter["counts"][r["status"]] += 1
    counts = {s: sum(1 for r in requirements if r["status"] == s) for s in STATUSES}
    scenario_counts = {s: sum(1 for x in scenarios if x["status"] == s) for s in ("passed", "failed", "skipped")}
    step_counts = {s: 0 for s in ("passed", "failed", "undefined", "skipped")}
    for scenario in scenarios:
        for step in scenario["steps"]:
            step_counts[step["status"]] = step_counts.get(step["status"], 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "title": TITLE,
        "run_id": provenance.get("run_id") or str(uuid.uuid4()),
        "summary": {
            "verdict": overall(counts),
            "requirements": {"total": len(requirements), **counts},
            "scenarios": {"total": len(scenarios), **scenario_counts},
            "steps": {"total": sum(step_counts.values()), **step_counts},
        },
        "provenance": provenance,
        "chapters": list(chapters.values()),
        "requirements": requirements,
        "matrices": matrices.build(scenarios),
        "scenarios": scenarios,
        "expected_failures": [{"id": e.id, "reason": e.reason, "scenarios": list(e.scenarios)}
                              for e in expected.values()],
        "artifacts": {"pdf": dict(pdf or {"written": False, "note": None})},
    }
