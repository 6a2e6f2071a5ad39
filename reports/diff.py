"""Compare two report folders: regressions, fixes and other changes, by requirement and by scenario."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .requirements import EXPECTED_FAILURE, FAIL, PASS

ABSENT = "없음"
REPORT = "report.json"


@dataclass
class Change:
    id: str
    before: str
    after: str
    label: str = ""


@dataclass
class Comparison:
    regressions: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    other: list[Change] = field(default_factory=list)
    scenario_regressions: list[Change] = field(default_factory=list)
    scenario_fixed: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def explain(self, a: str, b: str) -> str:
        lines = [f"비교: {a} → {b}"]
        lines.extend(f"참고: {n}" for n in self.notes)
        sections = (
            ("나빠진 요구사항 (PASS → FAIL)", self.regressions),
            ("고쳐진 요구사항 (FAIL → PASS)", self.fixed),
            ("그 밖에 판정이 바뀐 요구사항", self.other),
            ("나빠진 시나리오 (통과 → 실패)", self.scenario_regressions),
            ("고쳐진 시나리오 (실패 → 통과)", self.scenario_fixed),
        )
        for title, changes in sections:
            lines.append(f"{title}: {len(changes)}개")
            lines.extend(f"  {c.id:<12} {c.before} → {c.after}  {c.label}".rstrip() for c in changes)
        lines.append("결론: " + (f"나빠진 요구사항이 {len(self.regressions)}개 있습니다." if self.regressions
                                 else "나빠진 요구사항이 없습니다."))
        return "\n".join(lines)


def load(folder: Path) -> dict[str, Any]:
    path = folder / REPORT if folder.is_dir() else folder
    return json.loads(path.read_text(encoding="utf-8"))


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    result = Comparison()
    old = {r["id"]: r for r in before.get("requirements", [])}
    new = {r["id"]: r for r in after.get("requirements", [])}
    for rid in [*new, *(i for i in old if i not in new)]:
        a = old.get(rid, {}).get("status", ABSENT)
        b = new.get(rid, {}).get("status", ABSENT)
        if a == b:
            continue
        change = Change(rid, a, b, (new.get(rid) or old.get(rid) or {}).get("chapter", ""))
        if a == PASS and b == FAIL:
            result.regressions.append(change)
        elif a in (FAIL, EXPECTED_FAILURE) and b == PASS:
            result.fixed.append(change)
        else:
            result.other.append(change)
    old_s = {s["id"]: s for s in before.get("scenarios", [])}
    new_s = {s["id"]: s for s in after.get("scenarios", [])}
    for sid, scenario in new_s.items():
        a, b = old_s.get(sid, {}).get("status"), scenario.get("status")
        label = scenario.get("name", "")
        if a == "passed" and b == "failed":
            result.scenario_regressions.append(Change(sid.rsplit("::", 1)[-1], "통과", "실패", label))
        elif a == "failed" and b == "passed":
            result.scenario_fixed.append(Change(sid.rsplit("::", 1)[-1], "실패", "통과", label))
    pa, pb = before.get("provenance", {}), after.get("provenance", {})
    if pa.get("spec", {}).get("sha256") != pb.get("spec", {}).get("sha256"):
        result.notes.append("두 보고서의 명세 버전(SHA-256)이 다릅니다. 시나리오나 카탈로그가 바뀌었습니다.")
    if pa.get("target", {}).get("url") != pb.get("target", {}).get("url"):
        result.notes.append(f"검사 대상이 다릅니다: {pa.get('target', {}).get('url')} → {pb.get('target', {}).get('url')}")
    if (pa.get("run", {}).get("keyword") or None) != (pb.get("run", {}).get("keyword") or None):
        result.notes.append("두 실행의 시나리오 선택(-k)이 다릅니다. NOT RUN으로의 변화는 선택 차이일 수 있습니다.")
    return result
