"""Deliberate faults: enough of them, every chapter touched, each one reversible, and each one
caught by the specification exactly — its requirements FAIL and nothing else does."""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from simulator.domain import entitlements
from simulator.faults import FAULTS, Fault, activate, active, parse
from steps.catalogue import load_requirements

ROOT = Path(__file__).resolve().parent.parent
# Requirement ID prefixes grouped by chapter family of the catalogue.
FAMILIES = {"CLS": "CLS/MTX/OLD", "MTX": "CLS/MTX/OLD", "OLD": "CLS/MTX/OLD", "SNS": "SNS", "GEN": "GEN",
            "MIG": "MIG", "CORP": "CORP/REG", "REG": "CORP/REG", "CERT": "CERT", "APW": "APW", "ADM": "ADM",
            "LOGIN": "LOGIN", "FIND": "FIND", "PWD": "PWD", "SVC": "SVC", "AUD": "AUD"}
HANGUL = re.compile(r"[가-힣]")


def family(requirement: str) -> str:
    return FAMILIES[requirement.rsplit("-", 1)[0]]


@functools.cache
def fault_matrix() -> ModuleType:
    """tools/fault_matrix.py, which runs a fault's scenarios in a subprocess."""
    spec = importlib.util.spec_from_file_location("fault_matrix_tool", ROOT / "tools" / "fault_matrix.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --- (a) the list ---------------------------------------------------------------------------------

def test_at_least_thirty_faults_with_unique_kebab_case_names_and_korean_descriptions() -> None:
    assert len(FAULTS) >= 30
    for name, fault in FAULTS.items():
        assert fault.name == name
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name), name
        assert HANGUL.search(fault.description), name
        assert fault.patches, name
    assert len({f.description for f in FAULTS.values()}) == len(FAULTS)


def test_every_fault_breaks_known_requirements() -> None:
    catalogue = {r["id"] for r in load_requirements()}
    for fault in FAULTS.values():
        assert fault.breaks, f"{fault.name} breaks nothing the specification would notice"
        assert fault.breaks <= catalogue, f"{fault.name}: unknown {sorted(fault.breaks - catalogue)}"


def test_every_chapter_family_is_touched() -> None:
    catalogue_families = {family(r["id"]) for r in load_requirements()}
    touched = {family(r) for fault in FAULTS.values() for r in fault.breaks}
    assert catalogue_families == set(FAMILIES.values())
    assert touched == catalogue_families, f"untouched: {sorted(catalogue_families - touched)}"


def test_the_sanity_subset_is_broken_by_no_fault() -> None:
    sanity = set(fault_matrix().SANITY)
    assert sanity <= {r["id"] for r in load_requirements()}
    assert len({family(r) for r in sanity}) == len(sanity), "sanity requirements come from different chapters"
    for fault in FAULTS.values():
        assert not fault.breaks & sanity, fault.name


def test_unknown_fault_names_are_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no-such-fault") as refused:
        activate("login-no-lockout,no-such-fault")
    assert all(name in str(refused.value) for name in FAULTS)
    assert active() == []


def test_names_may_be_given_comma_separated() -> None:
    assert parse(" a, b ,,c") == ["a", "b", "c"]
    assert parse(["a,b", "c"]) == ["a", "b", "c"]


# --- (b) reversible -------------------------------------------------------------------------------

def snapshot() -> dict[str, dict]:
    """Every attribute of the project's modules and of the classes they define."""
    state: dict[str, dict] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("simulator", "steps", "ti24")):
            continue
        state[name] = dict(vars(module))
        for key, value in list(vars(module).items()):
            if isinstance(value, type) and value.__module__ == name:
                state[f"{name}:{key}"] = dict(vars(value))
    return state


def changed(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    found = []
    for owner, attributes in before.items():
        now = after.get(owner, {})
        found += [f"{owner}.{k}" for k, v in attributes.items() if k not in now or now[k] is not v]
        found += [f"{owner}.{k} (new)" for k in now.keys() - attributes.keys()]
    return found


def matrices() -> dict:
    return {scheme: entitlements.matrix(scheme).cells for scheme in (entitlements.NEW, entitlements.LEGACY)}


@pytest.mark.parametrize("fault", list(FAULTS.values()), ids=lambda f: f.name)
def test_applying_and_leaving_a_fault_restores_everything(fault: Fault) -> None:
    matrices_before, before = matrices(), snapshot()
    with fault.apply():
        assert active() == [fault.name]
        during = snapshot()
        assert changed(before, during), f"{fault.name} changed nothing"
        with fault.apply():  # nested: shared, not stacked
            assert changed(during, snapshot()) == []
        assert changed(during, snapshot()) == []
    assert changed(before, snapshot()) == []
    assert matrices() == matrices_before
    assert active() == []


def test_all_faults_at_once_and_back() -> None:
    matrices_before, before = matrices(), snapshot()
    with activate(list(FAULTS)):
        assert active() == list(FAULTS)
    assert changed(before, snapshot()) == []
    assert matrices() == matrices_before


def test_an_embedded_target_can_be_built_with_faults() -> None:
    from ti24.embedded import build

    embedded = build(faults=["simple-member-other-service", "login-no-lockout"])
    try:
        assert active() == ["simple-member-other-service", "login-no-lockout"]
        assert entitlements.matrix(entitlements.NEW).allows("기타 서비스 신청", "간편회원")
    finally:
        assert embedded.faults is not None
        embedded.faults.close()
    assert active() == []
    assert not entitlements.matrix(entitlements.NEW).allows("기타 서비스 신청", "간편회원")
    assert build().faults is None


# --- (c) caught exactly ---------------------------------------------------------------------------

def test_each_fault_fails_exactly_its_requirements_and_the_sanity_subset_holds() -> None:
    """One subprocess per fault (two at a time): the scenarios of the fault's requirements and the
    sanity subset, in-process, with the fault on; plus the sanity subset with no fault at all."""
    tool = fault_matrix()
    outcomes = tool.run_all([None, *FAULTS], workers=2)
    baseline = outcomes[0]
    assert baseline.exit_code == 0 and not baseline.failed, baseline.output[-3000:]
    assert set(tool.SANITY) <= baseline.ran
    wrong = [o for o in outcomes if not o.ok or not (o.expected | set(tool.SANITY)) <= o.ran]
    details = "\n".join(f"{o.fault}: {o.failed_scenarios or o.output[-2000:]}" for o in wrong)
    assert not wrong, f"\n{tool.table(outcomes)}\n{details}"
