"""pytest plugin behind the compliance report.

Two halves, because under pytest-xdist the steps run in worker processes and only
``TestReport.user_properties`` travels back to the controller:

* module-level hooks (loaded with ``-p reports.plugin`` so every xdist worker has them) record each
  scenario and its steps from pytest-bdd's hooks and put one plain-data record on the call report
  under :data:`reports.evidence.SCENARIO`; they also pin evidence other plugins appended under
  :data:`reports.evidence.ATTACHMENT` to the step that was running;
* :class:`ReportCollector` (registered on the controller by ``ti24 check``) gathers the records,
  attachments and outcomes of every phase, folds requirement verdicts and draws the progress line.

PYTEST_DONT_REWRITE: ``ti24 check`` imports this module before pytest loads it with ``-p``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pytest

from .evidence import ATTACHMENT, PLAYWRIGHT_KEYS, PLAYWRIGHT_TRACES, SCENARIO, STEP_SCREENSHOTS, attachment
from .requirements import PROPERTY, RequirementCollector

MESSAGE_LIMIT = 4000
ERROR_LIMIT = 20000

# --- worker side: one record per scenario ------------------------------------------------------


@dataclass
class _Run:
    record: dict[str, Any]
    steps: list[Any]  # pytest-bdd Step objects of the rendered scenario, matched by identity
    marks: list[int | None] = field(default_factory=list)  # len(item.user_properties) when step i started
    current: int | None = None
    clock: float = 0.0


_runs: WeakKeyDictionary[pytest.Item, _Run] = WeakKeyDictionary()


def running_step(item: pytest.Item) -> int | None:
    run = _runs.get(item)
    return run.current if run else None


def _template(item: pytest.Item) -> Any:
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:  # pragma: no cover - pytest-bdd moved its registry
        return None
    return scenario_wrapper_template_registry.get(getattr(item, "function", None))


def _example(item: pytest.Item, template: Any) -> dict[str, Any] | None:
    callspec = getattr(item, "callspec", None)
    params = callspec.params.get("_pytest_bdd_example") if callspec else None
    if not params:
        return None
    marks = sorted(m.name for m in getattr(callspec, "marks", []))
    info: dict[str, Any] = {"name": "", "line": None, "row": None,
                            "params": {str(k): str(v) for k, v in params.items()}, "tags": marks}
    for examples in getattr(template, "examples", []) or []:
        contexts = list(examples.as_contexts())
        if dict(params) in contexts and sorted(examples.tags or ()) == marks:
            info.update(name=examples.name or "", line=examples.line_number, row=contexts.index(dict(params)) + 1)
            break
    return info


def _location(step_func: Any, rootdir: Path) -> str | None:
    code = getattr(step_func, "__code__", None)
    if code is None:
        return None
    path = Path(code.co_filename)
    with contextlib.suppress(ValueError):
        path = path.relative_to(rootdir)
    return f"{path.as_posix()}:{code.co_firstlineno}"


def _step_dict(step: Any, background: bool) -> dict[str, Any]:
    return {
        "keyword": step.keyword.strip(),
        "text": step.name,
        "type": step.type,
        "line": step.line_number,
        "background": background,
        "status": "skipped",
        "duration": 0.0,
        "message": None,
        "location": None,
        "datatable": step.datatable.raw() if step.datatable is not None else None,
        "docstring": step.docstring,
    }


def _record(item: pytest.Item, feature: Any, scenario: Any) -> dict[str, Any]:
    template = _template(item)
    background = len(template.all_background_steps) if template is not None else 0
    examples = _example(item, template)
    rule = scenario.rule
    ids = next((list(v) for k, v in item.user_properties if k == PROPERTY), [])
    return {
        "nodeid": item.nodeid,
        "name": scenario.name,
        "keyword": scenario.keyword,
        "line": scenario.line_number,
        "description": scenario.description or "",
        "feature": {
            "name": feature.name,
            "keyword": feature.keyword,
            "uri": feature.rel_filename,
            "line": feature.line_number,
            "description": feature.description or "",
            "language": feature.language,
            "tags": sorted(feature.tags),
        },
        "rule": {"keyword": rule.keyword, "name": rule.name, "tags": sorted(rule.tags)} if rule else None,
        "tags": sorted(set(scenario.tags) | set(examples["tags"] if examples else ())),
        "examples": examples,
        "requirements": ids,
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "started_at": None,
        "steps": [_step_dict(step, i < background) for i, step in enumerate(scenario.steps)],
    }


def _skeleton(item: pytest.Item) -> _Run | None:
    """The record of a scenario whose steps never ran (setup failed or was skipped)."""
    template = _template(item)
    if template is None:
        return None
    callspec = getattr(item, "callspec", None)
    scenario = template.render(callspec.params.get("_pytest_bdd_example", {}) if callspec else {})
    return _Run(_record(item, template.feature, scenario), list(scenario.steps))


@pytest.hookimpl
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    run = _Run(_record(request.node, feature, scenario), list(scenario.steps))
    run.record["started_at"] = datetime.now(UTC).isoformat(timespec="milliseconds")
    run.marks = [None] * len(run.steps)
    _runs[request.node] = run


def _index(run: _Run, step: Any) -> int | None:
    return next((i for i, s in enumerate(run.steps) if s is step), None)


@pytest.hookimpl
def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                           step_func: Any) -> None:
    run = _runs.get(request.node)
    index = _index(run, step) if run else None
    if run is None or index is None:
        return
    run.current = index
    run.marks[index] = len(request.node.user_properties)
    run.record["steps"][index]["location"] = _location(step_func, request.config.rootpath)
    run.clock = time.perf_counter()


def _finish(request: pytest.FixtureRequest, step: Any, status: str, message: str | None = None) -> None:
    run = _runs.get(request.node)
    index = _index(run, step) if run else None
    if run is None or index is None:
        return
    entry = run.record["steps"][index]
    entry["status"] = status
    entry["duration"] = round(time.perf_counter() - run.clock, 6) if run.marks[index] is not None else 0.0
    if message is not None:
        entry["message"] = message[:MESSAGE_LIMIT]


@pytest.hookimpl
def pytest_bdd_after_step(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                          step_func: Any, step_func_args: dict[str, Any]) -> None:
    _finish(request, step, "passed")


@pytest.hookimpl
def pytest_bdd_step_error(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                          step_func: Any, step_func_args: dict[str, Any], exception: BaseException) -> None:
    _finish(request, step, "failed", f"{type(exception).__name__}: {exception}".strip())


@pytest.hookimpl
def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                                      exception: BaseException) -> None:
    run = _runs.get(request.node)
    index = _index(run, step) if run else None
    if run is not None and index is not None:
        run.current = index
        run.marks[index] = len(request.node.user_properties)
    _finish(request, step, "undefined", str(exception))


def _pin_attachments(item: pytest.Item, run: _Run) -> None:
    """Give every step-less attachment appended so far the step that was running when it came."""
    starts = [(mark, i) for i, mark in enumerate(run.marks) if mark is not None]
    for position, (key, value) in enumerate(item.user_properties):
        if key != ATTACHMENT or not isinstance(value, dict) or "step" in value:
            continue
        before = [i for mark, i in starts if mark <= position]
        value["step"] = before[-1] if before else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report: pytest.TestReport = yield
    if report.when == "call" or (report.when == "setup" and not report.passed):
        run = _runs.get(item) or _skeleton(item)
        if run is not None:
            if run.marks:
                _pin_attachments(item, run)
            run.record["steps"] = [dict(s) for s in run.record["steps"]]
            report.user_properties.append((SCENARIO, run.record))
    elif report.when == "teardown":
        _runs.pop(item, None)
    return report


# --- controller side ---------------------------------------------------------------------------


class Progress:
    """One carriage-return line: scenarios done/total, passed, failed and the time left."""

    WIDTH = 24

    def __init__(self, write: Callable[[str], None], tty: bool) -> None:
        self.write = write
        self.tty = tty
        self.total = 0
        self.done = self.passed = self.failed = self.skipped = 0
        self.started = time.monotonic()
        self._last_step = -1
        self._shown = False

    def line(self) -> str:
        total = max(self.total, self.done)
        share = self.done / total if total else 0.0
        filled = int(share * self.WIDTH)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        elapsed = time.monotonic() - self.started
        if self.done and total > self.done:
            left = f"남은 시간 약 {_clock(elapsed / self.done * (total - self.done))}"
        elif total and self.done >= total:
            left = f"걸린 시간 {_clock(elapsed)}"
        else:
            left = "남은 시간 계산 중"
        skipped = f" · 건너뜀 {self.skipped}" if self.skipped else ""
        return (f"시나리오 {self.done}/{total} [{bar}] {share:4.0%}  통과 {self.passed} · 실패 {self.failed}"
                f"{skipped} · {left}")

    def advance(self, status: str) -> None:
        self.done += 1
        if status == "passed":
            self.passed += 1
        elif status == "failed":
            self.failed += 1
        else:
            self.skipped += 1
        if self.tty:
            self.write("\r" + self.line() + "\x1b[K")
            self._shown = True
        else:
            step = int(self.done * 10 / self.total) if self.total else 0
            if step != self._last_step:
                self._last_step = step
                self.write(self.line() + "\n")

    def finish(self) -> None:
        if self.tty and self._shown:
            self.write("\r" + self.line() + "\x1b[K\n")
            self._shown = False


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass
class ScenarioResult:
    nodeid: str
    record: dict[str, Any] | None = None
    failed: bool = False
    skipped: str | None = None
    xfail: str | None = None
    ran: bool = False
    duration: float = 0.0
    errors: list[dict[str, str]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    done: bool = False

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        if self.skipped is not None or not self.ran:
            return "skipped"
        return "passed"

    def add_attachment(self, value: dict[str, Any]) -> None:
        key = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        if key not in self.seen:
            self.seen.add(key)
            self.attachments.append(dict(value))


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


class ReportCollector(RequirementCollector):
    """Controller-side: outcomes, scenario records and evidence of every acceptance test."""

    def __init__(self, progress: bool = True) -> None:
        super().__init__()
        self.results: dict[str, ScenarioResult] = {}
        self.show_progress = progress
        self.progress: Progress | None = None
        self.started_at = datetime.now(UTC)
        self.finished_at: datetime | None = None
        self.workers = 0

    # pytest hooks

    @pytest.hookimpl
    def pytest_configure(self, config: pytest.Config) -> None:
        self.workers = int(getattr(config.option, "numprocesses", 0) or 0)
        self.config_options = dict(vars(config.option))

    def option(self, name: str, default: Any = None) -> Any:
        """An option of the run as pytest saw it (e.g. ``driver``, ``ti24_base_url``), else ``default``."""
        value = getattr(self, "config_options", {}).get(name)
        return default if value is None else value

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if not self.show_progress:
            return
        terminal = session.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            self.progress = Progress(lambda text: terminal.write(text, flush=True), bool(terminal.isatty()))
        else:
            self.progress = Progress(lambda text: (sys.stderr.write(text), sys.stderr.flush()), sys.stderr.isatty())

    @pytest.hookimpl
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.progress and session.items:
            self.progress.total = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if self.progress and not self.progress.total:
            self.progress.total = len(ids)

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config) -> Any:
        # The progress line replaces pytest's dots; keep the categories for its summary.
        if self.progress is None or report.nodeid not in self.results or hasattr(report, "wasxfail"):
            return None
        if report.when == "call":
            return report.outcome, "", ""
        if report.failed:
            return "error", "", ""
        if report.skipped:
            return "skipped", "", ""
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        super().pytest_runtest_logreport(report)
        properties = list(report.user_properties)
        keys = {k for k, _ in properties}
        if report.nodeid not in self.results and not keys & {PROPERTY, SCENARIO}:
            return
        result = self.results.setdefault(report.nodeid, ScenarioResult(report.nodeid))
        for key, value in properties:
            if key == SCENARIO and isinstance(value, dict):
                result.record = value
            elif key == ATTACHMENT and isinstance(value, dict):
                result.add_attachment(value)
            elif key in PLAYWRIGHT_KEYS or key == PLAYWRIGHT_TRACES:
                for path in value if isinstance(value, list | tuple) else [value]:
                    if path:
                        result.add_attachment(attachment(PLAYWRIGHT_KEYS.get(key, "trace"), path=str(path)))
            elif key == STEP_SCREENSHOTS and isinstance(value, list | tuple):
                for shot in value:
                    if isinstance(shot, dict) and shot.get("path"):
                        entry = attachment("screenshot", path=str(shot["path"]), name="단계 후 화면")
                        entry["step_label"] = str(shot.get("step") or "")
                        result.add_attachment(entry)
        result.duration += report.duration
        if report.when == "call":
            result.ran = True
        if hasattr(report, "wasxfail"):
            result.xfail = str(report.wasxfail)
            result.failed = True
        if report.failed:
            result.failed = True
            result.errors.append({"when": report.when, "text": report.longreprtext[-ERROR_LIMIT:]})
        elif report.skipped and not hasattr(report, "wasxfail"):
            result.skipped = _skip_reason(report)
        if report.when == "teardown" and not result.done:
            result.done = True
            if self.progress:
                self.progress.advance(result.status)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.finished_at = datetime.now(UTC)
        if self.progress:
            self.progress.finish()
