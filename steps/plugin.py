"""pytest plugin: the driver choice, the target, the world fixture, evidence and tag markers.

``--driver inprocess`` (default) runs every scenario against the embedded simulator through its
services. ``--driver browser`` runs the same scenarios in Chromium: against ``--base-url`` (a
deployment that is already running, seeded through ``--seed-token``) or, without it, against a
``ti24 serve`` in test mode that the tests start on a free port themselves.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

STEP_SCREENSHOTS = "step_screenshots"
TRACES = "playwright_traces"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ti24")
    group.addoption("--driver", choices=("inprocess", "browser"), default=os.environ.get("TI24_DRIVER", "inprocess"),
                    help="how scenarios reach the target: in-process services or a real browser")
    group.addoption("--base-url", dest="ti24_base_url", default=None,
                    help="browser mode: a running deployment (default: start ti24 serve in test mode)")
    group.addoption("--site-profile", default=None, help="browser mode: TOML mapping logical elements to selectors")
    group.addoption("--seed-token", default=None, help="browser mode: token of the deployment's seeding endpoint")
    group.addoption("--browser-endpoint", default=None, help="browser mode: ws:// of a remote Playwright server")
    group.addoption("--evidence-dir", default="out/evidence", help="browser mode: screenshots and traces")


def pytest_configure(config: pytest.Config) -> None:
    from .catalogue import load_requirements

    for requirement in load_requirements():
        config.addinivalue_line("markers", f"REQ-{requirement['id']}: {requirement['chapter']}")
    config.addinivalue_line("markers", "chapter: manual chapter of a feature")
    config.addinivalue_line("markers", "inprocess_only: a scenario that cannot run in a browser (the tag says why)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from reports.requirements import PROPERTY, requirement_ids

    browser = config.getoption("--driver") == "browser"
    skip = pytest.mark.skip(reason="이 시나리오는 브라우저로 실행할 수 없습니다 (@inprocess_only)")
    for item in items:
        ids = requirement_ids(item)
        if ids:
            item.user_properties.append((PROPERTY, ids))
        if browser and item.get_closest_marker("inprocess_only"):
            item.add_marker(skip)


def pytest_bdd_apply_tag(tag: str, function: object) -> bool | None:
    if tag.startswith("chapter-"):
        pytest.mark.chapter(tag.removeprefix("chapter-"))(function)
        return True
    return None


# --- in-process -------------------------------------------------------------------------------

def _inprocess_world():  # type: ignore[no-untyped-def]
    from ti24.embedded import build

    from .inprocess import InProcessDriver
    from .seeding import InProcessSeeder
    from .world import World

    embedded = build(seed=None, hashing="cheap")
    return World(driver=InProcessDriver(embedded), seeder=InProcessSeeder(embedded))


# --- browser ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_target(request: pytest.FixtureRequest) -> Iterator[tuple[str, str | None]]:
    """(base URL, seeding token) of the target; starts the simulator in test mode if none is given."""
    base_url = request.config.getoption("ti24_base_url")
    if base_url:
        yield base_url, request.config.getoption("--seed-token")
        return
    from ti24.testmode import start

    sut, server = start()
    try:
        yield sut.origin, sut.token
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    from .browser import LAUNCH_ARGS

    endpoint = request.config.getoption("--browser-endpoint")
    with sync_playwright() as playwright:
        if endpoint:  # a remote `playwright run-server --unsafe`: it launches the system Chromium itself
            options = {"executablePath": os.environ.get("TI24_CHROMIUM", "/usr/bin/chromium"), "headless": True,
                       "args": LAUNCH_ARGS}
            browser = playwright.chromium.connect(endpoint, headers={"x-playwright-launch-options": json.dumps(options)})
        else:
            browser = playwright.chromium.launch(executable_path=os.environ.get("TI24_CHROMIUM", "/usr/bin/chromium"),
                                                 args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


def _evidence_dir(request: pytest.FixtureRequest) -> Path:
    root = Path(request.config.getoption("--evidence-dir"))
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::")[-1])[:120]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = root / worker / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def world(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    if request.config.getoption("--driver") != "browser":
        yield _inprocess_world()
        return
    import httpx

    from .browser import PlaywrightDriver
    from .profile import SiteProfile
    from .seeding import HttpSeeder
    from .world import World

    base_url, token = request.getfixturevalue("browser_target")
    browser = request.getfixturevalue("chromium")
    seeder = HttpSeeder(base_url, token or "")
    if token:
        seeder.reset(datetime.now(UTC))
    evidence = _evidence_dir(request)
    driver = PlaywrightDriver(browser, base_url, httpx.Client(base_url=base_url, timeout=30.0),
                              SiteProfile.load(request.config.getoption("--site-profile")))
    current = World(driver=driver, seeder=seeder)
    request.node.stash[_EVIDENCE] = (driver, evidence)
    yield current
    traces = driver.close(evidence)
    request.node.user_properties.append((TRACES, traces))


_EVIDENCE = pytest.StashKey[tuple]()


@pytest.hookimpl
def pytest_bdd_after_step(request: pytest.FixtureRequest, feature, scenario, step, step_func, step_func_args):  # type: ignore[no-untyped-def]
    _screenshot(request, step)


@pytest.hookimpl
def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception):  # type: ignore[no-untyped-def]
    _screenshot(request, step)


def _screenshot(request: pytest.FixtureRequest, step) -> None:  # type: ignore[no-untyped-def]
    stashed = request.node.stash.get(_EVIDENCE, None)
    if not stashed:
        return
    driver, folder = stashed
    page = driver.last_page
    if page is None or page.is_closed():
        return
    shots = [v for k, v in request.node.user_properties if k == STEP_SCREENSHOTS]
    index = len(shots[0]) if shots else 0
    path = folder / f"step-{index + 1:02d}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception:
        return
    if not shots:
        request.node.user_properties.append((STEP_SCREENSHOTS, []))
        shots = [request.node.user_properties[-1][1]]
    shots[0].append({"step": f"{step.keyword} {step.name}", "path": str(path)})
