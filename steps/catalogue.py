"""The requirement catalogue and the tags that point at it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

FEATURES = Path(__file__).resolve().parent.parent / "features"
CATALOGUE = FEATURES / "requirements.yaml"


@cache
def load_requirements() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


def parse_feature(path: Path) -> dict:
    return Parser().parse(TokenScanner(path.read_text(encoding="utf-8")))


def feature_files() -> list[Path]:
    return sorted(FEATURES.glob("*.feature"))


def _scenarios(children: list[dict]):  # type: ignore[no-untyped-def]
    for child in children:
        if "scenario" in child:
            yield child["scenario"]
        elif "rule" in child:
            yield from _scenarios(child["rule"]["children"])


def requirement_tags(path: Path) -> list[tuple[str, set[str]]]:
    """(scenario name, REQ ids) for every scenario, its examples' tags included."""
    document = parse_feature(path)
    found = []
    for scenario in _scenarios(document["feature"]["children"]):
        tags = {t["name"] for t in scenario["tags"]}
        for examples in scenario.get("examples", []):
            tags |= {t["name"] for t in examples["tags"]}
        found.append((scenario["name"], {t.removeprefix("@REQ-") for t in tags if t.startswith("@REQ-")}))
    return found
