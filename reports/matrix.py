"""The manual's two entitlement matrices beside what the target did.

The manual's cells come from ``simulator/domain/entitlements.toml``. The target's come from the
outline rows tagged ``@REQ-MTX-N*`` / ``@REQ-MTX-O*`` in features/01: each row names
회원유형, 서비스 and the expected 결과. A passed row means the target behaved as the row says;
a row that failed on its last (그러면) step means the target did the opposite; a row that failed
earlier means the target could not be brought to the question (broken).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from simulator.domain.entitlements import LEGACY, NEW, Matrix, matrix
from steps.catalogue import load_requirements

SCHEMES = ((NEW, "MTX-N"), (LEGACY, "MTX-O"))
ALLOWED, REFUSED = "이용 가능", "이용 불가"
MATCH, MISMATCH, BROKEN, NOT_RUN, SPEC_DIFFERS = "match", "mismatch", "broken", "not-run", "spec-differs"
CELL_STATES = (MATCH, MISMATCH, BROKEN, NOT_RUN, SPEC_DIFFERS)


def column_of(m: Matrix, member_kind: str) -> str | None:
    """The matrix column a feature's 회원유형 names (by key, label or the label's wording)."""
    kind = member_kind.strip()
    if kind in m.columns:
        return kind
    for column, label in zip(m.columns, m.column_labels, strict=True):
        if kind == label or label.endswith(kind) or kind in label:
            return column
    return None


def _expected(result: str) -> bool | None:
    return {ALLOWED: True, REFUSED: False}.get(result.strip())


def _failed_on_outcome(steps: list[dict[str, Any]]) -> bool:
    failing = [i for i, s in enumerate(steps) if s.get("status") in ("failed", "undefined")]
    return bool(failing) and failing[0] == len(steps) - 1 and steps[-1].get("type") == "then"


def _catalogue_cells(prefix: str) -> dict[int, dict[str, bool]]:
    cells = {}
    for requirement in load_requirements():
        rid = requirement["id"]
        if rid.startswith(prefix) and requirement.get("cells"):
            cells[int(rid.removeprefix(prefix))] = {k: v == "O" for k, v in requirement["cells"].items()}
    return cells


def build(scenarios: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Both matrices; ``scenarios`` are report scenarios (status, requirements, examples, steps)."""
    scenarios = list(scenarios)
    grids = []
    for scheme, prefix in SCHEMES:
        m = matrix(scheme)
        runs: dict[tuple[str, str], Mapping[str, Any]] = {}
        unmapped = []
        for scenario in scenarios:
            if not any(r.startswith(prefix) for r in scenario.get("requirements", [])):
                continue
            params = (scenario.get("examples") or {}).get("params", {})
            service, kind = params.get("서비스"), params.get("회원유형")
            column = column_of(m, kind) if kind else None
            if service not in m.row_of or column is None:
                unmapped.append(scenario["id"])
                continue
            runs[(service, column)] = scenario
        rows_spec = [r for r in _rows(m)]
        catalogue = _catalogue_cells(prefix)
        rows = []
        counts = dict.fromkeys(CELL_STATES, 0)
        differs = []
        for number, (row_label, services) in enumerate(rows_spec, start=1):
            requirement = f"{prefix}{number}"
            manual_row = catalogue.get(number)
            if manual_row is not None and any(manual_row.get(c) != m.allows(services[0], c) for c in m.columns):
                differs.append(requirement)
            for service in services:
                cells = []
                for column in m.columns:
                    cell = _cell(m.allows(service, column), runs.get((service, column)))
                    cell["column"] = column
                    counts[cell["status"]] += 1
                    cells.append(cell)
                rows.append({"row": row_label, "service": service, "requirement": requirement, "cells": cells})
        grids.append({
            "scheme": scheme,
            "title": m.title,
            "requirement_prefix": prefix,
            "columns": [{"key": c, "label": label} for c, label in zip(m.columns, m.column_labels, strict=True)],
            "rows": rows,
            "counts": counts,
            "unmapped_scenarios": unmapped,
            "catalogue_differs": differs,
        })
    return grids


def _rows(m: Matrix) -> list[tuple[str, list[str]]]:
    rows: dict[str, list[str]] = {}
    for service, row in m.row_of.items():
        rows.setdefault(row, []).append(service)
    return list(rows.items())


def _cell(manual: bool, scenario: Mapping[str, Any] | None) -> dict[str, Any]:
    cell: dict[str, Any] = {"manual": manual, "expected": None, "observed": None, "status": NOT_RUN,
                            "scenario": None, "message": None}
    if scenario is None or scenario.get("status") == "skipped":
        if scenario is not None:
            cell["scenario"] = scenario["id"]
        return cell
    params = (scenario.get("examples") or {}).get("params", {})
    expected = _expected(params.get("결과", ""))
    cell.update(scenario=scenario["id"], expected=expected)
    if scenario.get("status") == "passed":
        cell["observed"] = expected
        cell["status"] = MATCH if expected == manual else SPEC_DIFFERS
    else:
        steps = scenario.get("steps", [])
        message = next((s.get("message") for s in steps if s.get("message")), None)
        cell["message"] = message
        if expected is not None and _failed_on_outcome(steps):
            cell["observed"] = not expected
            cell["status"] = MISMATCH
        else:
            cell["status"] = BROKEN
    return cell
