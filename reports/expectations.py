"""Expected failures: known vendor deviations, by requirement id, with a reason.

TOML::

    [MTX-N4]
    reason = "대상 시스템은 승인 비밀번호 소속 회원에게도 마일리지 사용을 허용함 (변경 요청 CR-12)"
    scenario = "(신) 회원 유형별 이용 가능 서비스"      # optional: only these scenarios may fail

    "SNS-03" = "페이스북 간편가입 중단 (2024.6.)"         # short form: the reason only

YAML::

    MTX-N4:
      reason: 대상 시스템은 …
      scenarios: ["승인 비밀번호를 공유받은 회원-서비스 마일리지 사용"]
    SNS-03: 페이스북 간편가입 중단

``scenario``/``scenarios`` match a failing scenario when equal to its name (the outline's name
with or without example values) or when contained in its pytest node id (so an outline row can be
named by its example values, ``"간편회원-기타 서비스 신청"``). A requirement turns EXPECTED FAILURE
only when every scenario that failed it is covered; one unexpected failure keeps it FAIL.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .requirements import Verdict


@dataclass(frozen=True)
class ExpectedFailure:
    id: str
    reason: str
    scenarios: tuple[str, ...] = ()

    def covers(self, nodeid: str, names: Iterable[str]) -> bool:
        if not self.scenarios:
            return True
        names = set(names)
        return any(pattern in names or pattern in nodeid for pattern in self.scenarios)


class ExpectationError(ValueError):
    pass


def parse(data: Mapping[str, Any], known: Iterable[str] | None = None) -> dict[str, ExpectedFailure]:
    if not isinstance(data, Mapping):
        raise ExpectationError("예상 실패 파일은 '요구사항 ID → 사유' 표여야 합니다.")
    known = set(known) if known is not None else None
    found: dict[str, ExpectedFailure] = {}
    for key, value in data.items():
        rid = str(key).removeprefix("REQ-")
        if known is not None and rid not in known:
            raise ExpectationError(f"예상 실패 파일에 카탈로그에 없는 요구사항 ID가 있습니다: {key}")
        if isinstance(value, str):
            found[rid] = ExpectedFailure(rid, value)
            continue
        if not isinstance(value, Mapping) or not str(value.get("reason", "")).strip():
            raise ExpectationError(f"{key}: 사유(reason)를 적어야 합니다.")
        scenarios = value.get("scenarios", value.get("scenario", ()))
        if isinstance(scenarios, str):
            scenarios = [scenarios]
        unknown = set(value) - {"reason", "scenario", "scenarios"}
        if unknown:
            raise ExpectationError(f"{key}: 알 수 없는 항목 {sorted(unknown)} (reason, scenario, scenarios만 됩니다)")
        found[rid] = ExpectedFailure(rid, str(value["reason"]), tuple(str(s) for s in scenarios))
    return found


def load(path: str | Path, known: Iterable[str] | None = None) -> dict[str, ExpectedFailure]:
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ExpectationError(f"예상 실패 파일을 읽을 수 없습니다 ({p}): {error}") from error
    return parse(data or {}, known)


def fold(verdicts: list[Verdict], expected: Mapping[str, ExpectedFailure],
         names: Mapping[str, Iterable[str]] | None = None) -> list[Verdict]:
    """Mark FAIL verdicts whose every failing scenario is a listed deviation (in place; returned)."""
    names = names or {}
    for verdict in verdicts:
        entry = expected.get(verdict.id)
        verdict.expected = None
        if entry and verdict.failed and all(entry.covers(n, names.get(n, ())) for n in verdict.failed):
            verdict.expected = entry.reason
    return verdicts
