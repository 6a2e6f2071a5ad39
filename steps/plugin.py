"""pytest plugin: the world fixture, the driver choice, the step modules and tag markers."""

from __future__ import annotations

import pytest

from ti24.embedded import build

from .inprocess import InProcessDriver
from .seeding import InProcessSeeder
from .world import World


def pytest_configure(config: pytest.Config) -> None:
    # Every Gherkin tag becomes a mark; declare the families so -m works without warnings.
    from .catalogue import load_requirements

    for requirement in load_requirements():
        config.addinivalue_line("markers", f"REQ-{requirement['id']}: {requirement['chapter']}")
    config.addinivalue_line("markers", "chapter: manual chapter of a feature")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from reports.requirements import PROPERTY, requirement_ids

    for item in items:
        ids = requirement_ids(item)
        if ids:
            item.user_properties.append((PROPERTY, ids))


def pytest_bdd_apply_tag(tag: str, function: object) -> bool | None:
    if tag.startswith("chapter-"):
        pytest.mark.chapter(tag.removeprefix("chapter-"))(function)
        return True
    return None


@pytest.fixture
def embedded():  # type: ignore[no-untyped-def]
    return build(seed=None, hashing="cheap")


@pytest.fixture
def world(embedded) -> World:  # type: ignore[no-untyped-def]
    return World(driver=InProcessDriver(embedded), seeder=InProcessSeeder(embedded))
