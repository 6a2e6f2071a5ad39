"""Fixtures shared by the unit tests.

``own_chromium``: a Chromium for one test module, stopped at the module's end. Unit tests that
drive a browser use it instead of the session-wide ``chromium`` fixture of
steps/plugin.py: that one keeps Playwright's event loop running in the main thread until the
session ends, and every later test in the same process that calls ``asyncio.run()`` would then
fail ("cannot be called from a running event loop")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def own_chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from steps.browser import LAUNCH_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("TI24_CHROMIUM", "/usr/bin/chromium"),
                                             args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()
