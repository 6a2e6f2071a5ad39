"""Evidence other plugins attach to a scenario or one of its steps.

The compliance report is built on the xdist controller from ``report.user_properties``, the one
channel pytest serialises from workers. A plugin that has evidence (the browser driver's
screenshots and traces, an HTTP client's exchanges, a note for the reviewer) appends a pair
``(ATTACHMENT, {...})`` to ``item.user_properties`` while the scenario runs, or calls
:func:`attach`, which does the same and fills in the step::

    from reports.evidence import attach

    @pytest.hookimpl
    def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args):
        path = shot_dir / f"{request.node.name}-{step.line_number}.png"
        page.screenshot(path=path)
        attach(request.node, "screenshot", path=path, name="단계 후 화면")

    @pytest.hookimpl
    def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception):
        attach(request.node, "screenshot", path=..., name="실패 화면")

The value is plain data (str, int, float, bool, None, list, dict), see ``docs/report-schema.md``:

``kind``        one of :data:`KINDS`
``name``        a short Korean label shown in the report (optional)
``path``        a file to copy into the report folder (screenshot PNG, trace zip, video, log)
``media_type``  MIME type of ``path`` or ``content``; guessed from the file name when absent
``content``     inline text (a log excerpt, a note)
``data``        structured payload; for ``kind == "http"`` the exchange, see :func:`http_exchange`
``step``        0-based index into the scenario's steps (background steps included). Without it
                the attachment belongs to the step that was running when it was appended (the
                last step started, so a screenshot taken in ``pytest_bdd_after_step`` or
                ``pytest_bdd_step_error`` lands on that step); appended before the first step
                or during teardown it belongs to the scenario as a whole.

pytest-playwright's own keys ``playwright_trace`` / ``playwright_screenshot`` /
``playwright_video`` (a path or a list of paths) are also picked up, as scenario attachments, and
so are the browser driver's ``step_screenshots`` (``[{"step": "<keyword> <text>", "path": …}]``,
matched to the steps in order) and ``playwright_traces`` (a list of trace zips).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from os import PathLike
from typing import Any

import pytest

PROPERTY_PREFIX = "ti24."
# The record of one scenario with its steps; written by reports.plugin on the worker.
SCENARIO = "ti24.scenario"
# Evidence from any plugin; see the module docstring.
ATTACHMENT = "ti24.attachment"
# pytest-playwright's keys, read as scenario attachments of the given kind.
PLAYWRIGHT_KEYS = {"playwright_trace": "trace", "playwright_screenshot": "screenshot", "playwright_video": "video"}
# steps/plugin.py's browser evidence, also read: a list of {"step": "<keyword> <text>", "path": PNG}
# (matched to the steps in order) and a list of trace zips (scenario attachments).
STEP_SCREENSHOTS = "step_screenshots"
PLAYWRIGHT_TRACES = "playwright_traces"

KINDS = ("screenshot", "trace", "video", "http", "log", "text", "file")
DEFAULT_MEDIA_TYPES = {
    "screenshot": "image/png",
    "trace": "application/zip",
    "video": "video/webm",
    "http": "application/json",
    "log": "text/plain",
    "text": "text/plain",
    "file": "application/octet-stream",
}
DEFAULT_NAMES = {
    "screenshot": "화면",
    "trace": "Playwright 추적",
    "video": "동영상",
    "http": "HTTP 교환",
    "log": "로그",
    "text": "메모",
    "file": "파일",
}


def current_step(item: pytest.Item) -> int | None:
    """Index of the step of ``item`` that started last, or None before the first step."""
    from .plugin import running_step

    return running_step(item)


def attachment(kind: str, *, path: str | PathLike[str] | None = None, name: str | None = None,
               media_type: str | None = None, content: str | None = None, data: Any = None,
               step: int | None = None) -> dict[str, Any]:
    """A checked attachment value, ready for ``item.user_properties.append((ATTACHMENT, value))``."""
    if kind not in KINDS:
        raise ValueError(f"unknown attachment kind {kind!r}; use one of {KINDS}")
    if path is None and content is None and data is None:
        raise ValueError("an attachment needs a path, content or data")
    value: dict[str, Any] = {"kind": kind, "name": name or DEFAULT_NAMES[kind]}
    if path is not None:
        value["path"] = str(path)
    value["media_type"] = media_type or guess_media_type(kind, value.get("path"))
    if content is not None:
        value["content"] = str(content)
    if data is not None:
        value["data"] = data
    if step is not None:
        value["step"] = int(step)
    return value


def attach(item: pytest.Item, kind: str, *, path: str | PathLike[str] | None = None, name: str | None = None,
           media_type: str | None = None, content: str | None = None, data: Any = None,
           step: int | None = None) -> dict[str, Any]:
    """Attach evidence to the running step of ``item`` (or to ``step`` when given)."""
    if step is None:
        step = current_step(item)
    value = attachment(kind, path=path, name=name, media_type=media_type, content=content, data=data, step=step)
    item.user_properties.append((ATTACHMENT, value))
    return value


def http_exchange(method: str, url: str, status: int | None, *, request_headers: Mapping[str, str] | None = None,
                  request_body: str | None = None, response_headers: Mapping[str, str] | None = None,
                  response_body: str | None = None, elapsed: float | None = None) -> dict[str, Any]:
    """The ``data`` of an ``http`` attachment. Redact secrets (cookies, tokens, passwords) before attaching."""
    return {
        "request": {"method": method.upper(), "url": url, "headers": dict(request_headers or {}),
                    "body": request_body},
        "response": {"status": status, "headers": dict(response_headers or {}), "body": response_body},
        "elapsed": elapsed,
    }


def guess_media_type(kind: str, path: str | None) -> str:
    if path:
        guessed, _ = mimetypes.guess_type(path)
        if guessed:
            return guessed
    return DEFAULT_MEDIA_TYPES[kind]
