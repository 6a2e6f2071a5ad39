"""pytest plugin for the browser benchmark only (``-p bench.no_evidence``): Playwright traces and
screenshots become no-ops, to show what the suite's evidence costs. Never used by the suite itself."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page
from playwright.sync_api._generated import Tracing


def _no_trace(self: Tracing, *args: Any, **kwargs: Any) -> None:
    return None


def _no_screenshot(self: Page, *args: Any, **kwargs: Any) -> bytes:
    return b""


Tracing.start = _no_trace  # type: ignore[method-assign]
Tracing.stop = _no_trace  # type: ignore[method-assign]
Page.screenshot = _no_screenshot  # type: ignore[method-assign]
