"""Scenario state shared by the step definitions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .driver import Actor, Driver, Refused, Seeder

DEFAULT_PASSWORD = "Kotra-Member24"


@dataclass
class World:
    driver: Driver
    seeder: Seeder
    actors: dict[str, Actor] = field(default_factory=dict)
    error: Refused | None = None
    result: Any = None
    notice: str | None = None  # an information message the last action showed
    company_passwords: dict[str, str] = field(default_factory=dict)  # bizno -> admin password
    approval_passwords: dict[str, str] = field(default_factory=dict)  # bizno -> approval password
    searched: dict[str, str] = field(default_factory=dict)  # alias -> 사업자등록번호 last searched
    roles: dict[str, str] = field(default_factory=dict)  # "admin" | "registering" | "resetting" -> alias
    _serial: int = 0

    def actor(self, alias: str) -> Actor:
        if alias not in self.actors:
            raise AssertionError(f"시나리오에 '{alias}'이(가) 아직 등장하지 않았습니다.")
        return self.actors[alias]

    def in_role(self, role: str) -> Actor:
        """The actor who last took ``role`` (logged in as company admin, started a registration, …)."""
        if role not in self.roles:
            raise AssertionError(f"시나리오에 '{role}' 역할을 한 사람이 없습니다.")
        return self.actors[self.roles[role]]

    def next_user_id(self) -> str:
        self._serial += 1
        return f"member{self._serial:03d}"

    def attempt(self, action: Callable[[], Any]) -> Any:
        """Run a When step: a refusal is remembered for the Then steps, not raised."""
        self.error, self.notice = None, None
        try:
            self.result = action()
        except Refused as refused:
            self.error = refused
            self.result = None
        return self.result

    def shown(self) -> str | None:
        """What the user read after the last action: the refusal, or else the notice."""
        return self.error.message if self.error is not None else self.notice

    def expect_success(self) -> None:
        if self.error is not None:
            raise AssertionError(f"거부되었습니다: {self.error.message} ({self.error.code})")
