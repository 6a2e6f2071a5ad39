"""Who may use which service: the manual's two matrices, read from entitlements.toml.

The rule lives in the data file; this module only answers questions about it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from .errors import Refusal

DATA = Path(__file__).with_name("entitlements.toml")

NEW = "new"
LEGACY = "legacy"


@dataclass(frozen=True)
class Matrix:
    scheme: str
    title: str
    columns: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: dict[tuple[str, str], bool]  # (service, column) -> allowed
    row_of: dict[str, str]  # service -> manual row label

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(self.row_of)

    def allows(self, service: str, column: str) -> bool:
        if service not in self.row_of:
            raise Refusal("unknown_service", f"알 수 없는 서비스입니다: {service}")
        if column not in self.columns:
            raise Refusal("unknown_member_class", f"알 수 없는 회원 유형입니다: {column}")
        return self.cells[(service, column)]

    def label(self, column: str) -> str:
        return self.column_labels[self.columns.index(column)]

    def require(self, service: str, column: str) -> None:
        """Refuse, in Korean, a service the member's class may not use."""
        if not self.allows(service, column):
            raise Refusal("service_not_allowed",
                          f"{self.label(column)}은(는) '{service}' 서비스를 이용할 수 없습니다.")


@cache
def _raw() -> dict:
    with DATA.open("rb") as fh:
        return tomllib.load(fh)


@cache
def matrix(scheme: str) -> Matrix:
    spec = _raw()["schemes"][scheme]
    columns = tuple(spec["columns"])
    cells: dict[tuple[str, str], bool] = {}
    row_of: dict[str, str] = {}
    for row in spec["rows"]:
        if len(row["allowed"]) != len(columns):
            raise ValueError(f"row {row['row']!r} has {len(row['allowed'])} cells, expected {len(columns)}")
        for service in row["services"]:
            row_of[service] = row["row"]
            for column, allowed in zip(columns, row["allowed"], strict=True):
                cells[(service, column)] = allowed
    return Matrix(scheme, spec["title"], columns, tuple(spec["column_labels"]), cells, row_of)


def new_scheme_start() -> date:
    return _raw()["schemes"][NEW]["effective_from"]


def scheme_on(day: date) -> str:
    """The membership scheme in force on ``day``: (구) before 2023-05-22, (신) from then."""
    return NEW if day >= new_scheme_start() else LEGACY


def mileage_for(service: str) -> int:
    return int(_raw()["mileage"].get(service, 0))
