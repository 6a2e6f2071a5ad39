"""pytest plugin for browser runs (``-p bench.pageloads``): counts the document loads of every page
Playwright opens, and writes the count of each worker to ``$TI24_BENCH_PAGELOADS/<worker>.json``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

_loads = [0]
_new_context = Browser.new_context


def _counting_new_context(self: Browser, *args: Any, **kwargs: Any) -> Any:
    context = _new_context(self, *args, **kwargs)
    context.on("page", lambda page: page.on("load", lambda _page: _loads.__setitem__(0, _loads[0] + 1)))
    return context


Browser.new_context = _counting_new_context  # type: ignore[method-assign]


def pytest_sessionfinish(session: Any) -> None:
    folder = os.environ.get("TI24_BENCH_PAGELOADS")
    if folder:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        Path(folder, f"{worker}.json").write_text(json.dumps({"loads": _loads[0]}), encoding="utf-8")
