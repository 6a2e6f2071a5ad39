"""The specification itself: Korean Gherkin that parses, and a catalogue every scenario points at."""

import re
from collections import Counter

import pytest

from steps.catalogue import CATALOGUE, feature_files, load_requirements, parse_feature, requirement_tags

FILES = feature_files()
IDS = [r["id"] for r in load_requirements()]
ID_SHAPE = re.compile(r"^[A-Z]+(-[A-Z]?\d+)+$")


def executed_scenarios() -> int:
    total = 0
    for path in FILES:
        feature = parse_feature(path)["feature"]
        children = list(feature["children"])
        while children:
            child = children.pop()
            if "rule" in child:
                children.extend(child["rule"]["children"])
            elif "scenario" in child:
                examples = child["scenario"].get("examples", [])
                total += sum(len(e["tableBody"]) for e in examples) if examples else 1
    return total


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_feature_is_korean_gherkin(path) -> None:  # type: ignore[no-untyped-def]
    assert path.read_text(encoding="utf-8").startswith("# language: ko\n")
    feature = parse_feature(path)["feature"]
    assert feature["language"] == "ko" and feature["keyword"] == "기능"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_scenario_proves_a_requirement(path) -> None:  # type: ignore[no-untyped-def]
    for name, ids in requirement_tags(path):
        assert ids, f"{path.name}: '{name}' has no @REQ tag"
        unknown = ids - set(IDS)
        assert not unknown, f"{path.name}: '{name}' names unknown requirements {sorted(unknown)}"


def test_catalogue_entries_are_well_formed() -> None:
    assert [i for i, n in Counter(IDS).items() if n > 1] == []
    for requirement in load_requirements():
        assert ID_SHAPE.match(requirement["id"]), requirement["id"]
        assert requirement["chapter"] and requirement["wording"], requirement["id"]
        assert set(requirement) <= {"id", "chapter", "wording", "derived", "cells"}, requirement["id"]


def test_every_requirement_has_a_scenario() -> None:
    covered = {i for path in FILES for _, ids in requirement_tags(path) for i in ids}
    missing = [i for i in IDS if i not in covered]
    assert missing == [], f"{CATALOGUE.name}: no scenario for {missing}"


def test_spec_size() -> None:
    assert len(FILES) >= 10
    assert executed_scenarios() >= 150
