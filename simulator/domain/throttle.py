"""Attempt limits in fixed windows: pure arithmetic, no storage.

A limit allows ``attempts`` within ``window`` counted from the first attempt of the window; the
window starts again once it has passed. Used for the per-client-address and per-target limits
(OWASP ASVS 5.0 V6.1.1/6.3.1 anti-automation; NIST SP 800-63B §3.2.2 rate limiting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: timedelta

    @property
    def minutes(self) -> int:
        return max(1, int(self.window.total_seconds() // 60))


@dataclass(frozen=True)
class Window:
    started: datetime
    count: int


def current(window: Window | None, now: datetime, limit: Limit) -> Window:
    """The window in force at ``now`` (a fresh one when none or the old one has passed)."""
    if window is None or now - window.started >= limit.window or now < window.started:
        return Window(now, 0)
    return window


def allows(window: Window | None, now: datetime, limit: Limit) -> bool:
    """Whether one more attempt is allowed at ``now``."""
    return current(window, now, limit).count < limit.attempts


def after_attempt(window: Window | None, now: datetime, limit: Limit) -> Window:
    """The window once one more attempt has been counted."""
    win = current(window, now, limit)
    return Window(win.started, win.count + 1)
