"""pytest plugin: the driver choice, the target, the world fixture, evidence and tag markers.

``--driver inprocess`` (default) runs every scenario against the embedded simulator through its
services. ``--driver browser`` runs the same scenarios in Chromium: against ``--base-url`` (a
deployment that is already running, seeded through ``--seed-token``) or, without it, against a
``ti24 serve`` in test mode that the tests start on a free port themselves.
"""

from __future__ import annotations

import contextlib
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
    group.addoption("--only-feature", dest="ti24_features", action="append", default=[], metavar="NAME",
                    help="only the scenarios of this feature: file name (06, 06_기업정보_등록), chapter tag "
                         "(기업정보등록) or part of the feature's title; may be repeated")
    group.addoption("--guide-shots", action="store_true", default=False,
                    help="browser mode: also a screenshot before every click with the element outlined, and on "
                         "every provider screen (SNS login, 본인인증, 인증서 선택); used by ti24 guide")


def pytest_configure(config: pytest.Config) -> None:
    from .catalogue import load_requirements

    for requirement in load_requirements():
        config.addinivalue_line("markers", f"REQ-{requirement['id']}: {requirement['chapter']}")
    config.addinivalue_line("markers", "chapter: manual chapter of a feature")
    config.addinivalue_line("markers", "inprocess_only: a scenario that cannot run in a browser (the tag says why)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from reports.requirements import PROPERTY, requirement_ids

    wanted = config.getoption("ti24_features")
    if wanted:
        keep = [item for item in items if _feature_matches(item, wanted)]
        if not keep:
            raise pytest.UsageError(f"--only-feature {', '.join(wanted)}: 맞는 기능(feature)이 없습니다.")
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep
    browser = config.getoption("--driver") == "browser"
    skip = pytest.mark.skip(reason="이 시나리오는 브라우저로 실행할 수 없습니다 (@inprocess_only)")
    for item in items:
        ids = requirement_ids(item)
        if ids:
            item.user_properties.append((PROPERTY, ids))
        if browser and item.get_closest_marker("inprocess_only"):
            item.add_marker(skip)


def _feature_matches(item: pytest.Item, wanted: list[str]) -> bool:
    """Does ``item`` belong to one of the features named (file name, chapter tag or title)?"""
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:  # pragma: no cover - pytest-bdd moved its registry
        return True
    template = scenario_wrapper_template_registry.get(getattr(item, "function", None))
    if template is None:
        return False
    feature = template.feature
    stem = Path(feature.filename).stem
    names = {stem, stem.split("_", 1)[0], *(t.removeprefix("chapter-") for t in feature.tags)}
    return any(w in names or w == stem.split("_", 1)[-1] or (len(w) > 1 and w in feature.name) for w in wanted)


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
    from . import http_client
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
    driver = PlaywrightDriver(browser, base_url, http_client.client(base_url),
                              SiteProfile.load(request.config.getoption("--site-profile")))
    if request.config.getoption("--guide-shots"):
        driver.tracing = False  # the guide needs pictures, not traces
    current = World(driver=driver, seeder=seeder)
    request.node.stash[_EVIDENCE] = (driver, evidence)
    if request.config.getoption("--guide-shots"):
        driver.observer = GuideShots(request.node, evidence)
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
    guide = request.config.getoption("--guide-shots")
    page = driver.last_page
    shots = [v for k, v in request.node.user_properties if k == STEP_SCREENSHOTS]
    index = len(shots[0]) if shots else 0
    path = folder / f"step-{index + 1:02d}.{'jpg' if guide else 'png'}"
    if page is None or page.is_closed():
        # A step before any screen (the people, companies and certificates a scenario starts from):
        # in a guide it gets a card saying what was prepared, so every step has its picture.
        if guide:
            from reports.evidence import attach

            card = folder / f"prepare-{len(list(folder.glob('prepare-*.jpg'))) + 1:02d}.jpg"
            if _preparation_card(driver, f"{step.keyword} {step.name}", card):
                attach(request.node, "screenshot", path=card, name="준비 단계", data={GUIDE_SHOT: "preparation"})
        return
    else:
        try:
            if guide:  # the guide embeds every picture: JPEG keeps a full-spec guide to a sensible size
                page.screenshot(path=str(path), full_page=True, type="jpeg", quality=JPEG_QUALITY)
            else:
                page.screenshot(path=str(path), full_page=True)
        except Exception:
            return
    if not shots:
        request.node.user_properties.append((STEP_SCREENSHOTS, []))
        shots = [request.node.user_properties[-1][1]]
    shots[0].append({"step": f"{step.keyword} {step.name}", "path": str(path)})


JPEG_QUALITY = 60
HIGHLIGHT = "4px solid #e5007e"
GUIDE_SHOT = "guide"  # data.guide of the screenshots GuideShots attaches


class GuideShots:
    """The driver's observer in ``--guide-shots`` runs: just before each click, a screenshot of the
    page with the element about to be pressed outlined (outline set on the element itself through
    the DevTools protocol and taken off again, so the site's own pages stay as they are), attached
    to the running step; ``screen`` names a provider's screen (SNS login, 본인인증, 인증서 선택)."""

    def __init__(self, item: pytest.Item, folder: Path) -> None:
        self.item = item
        self.folder = folder
        self.count = 0

    def __call__(self, page, target, screen: str | None) -> None:  # type: ignore[no-untyped-def]
        from reports.evidence import attach

        self.count += 1
        path = self.folder / f"action-{self.count:03d}.jpg"
        handle = None
        try:
            handle = target.element_handle(timeout=2_000)
            handle.evaluate("(e, outline) => { e.dataset.ti24Outline = e.style.outline;"
                            " e.style.outline = outline; e.style.outlineOffset = '3px'; }", HIGHLIGHT)
        except Exception:
            handle = None  # nothing to outline (the click itself will report what went wrong)
        try:
            page.screenshot(path=str(path), full_page=True, type="jpeg", quality=JPEG_QUALITY)
        except Exception:
            return
        finally:
            if handle is not None:
                with contextlib.suppress(Exception):
                    handle.evaluate("e => { e.style.outline = e.dataset.ti24Outline || '';"
                                    " e.style.outlineOffset = ''; delete e.dataset.ti24Outline; }")
        attach(self.item, "screenshot", path=path, name=screen or "누를 곳",
               data={GUIDE_SHOT: "action", "screen": screen, "highlighted": handle is not None})


CARD = """<!doctype html><html lang="ko"><head><meta charset="utf-8"><style>
body {{ margin: 0; font-family: "NanumGothic", "Noto Sans CJK KR", sans-serif; background: #f3f6fa; }}
div {{ margin: 24px; padding: 28px 32px; border: 2px dashed #7a8ca5; border-radius: 10px; background: #fff; }}
p {{ margin: 0 0 10px; color: #4a5a70; font-size: 15px; }} strong {{ font-size: 20px; color: #1d2b3f; }}
</style></head><body><div><p>준비 단계 — 화면 없이 연습 환경에 미리 만들어 두는 내용입니다</p>
<strong>{text}</strong></div></body></html>"""


def _preparation_card(driver, text: str, path: Path) -> bool:  # type: ignore[no-untyped-def]
    """A picture for a step that has no screen yet: a card with the step's text."""
    import html

    try:
        page = driver.browser.new_page(viewport={"width": 1000, "height": 130}, locale="ko-KR")
        try:
            page.set_content(CARD.format(text=html.escape(text)))
            page.screenshot(path=str(path), type="jpeg", quality=JPEG_QUALITY)
        finally:
            page.close()
    except Exception:
        return False
    return True
