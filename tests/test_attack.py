"""The approval-password attack of tools/attack_approval_password.py, smaller: guesses over HTTP
against a locally started server, from several loopback addresses and accounts, with the clock
moved past the per-address window between rounds. The right password is among the guesses."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "attack_approval_password.py"
ALLOWED = 5  # issue 7: lock after 5 failures


@pytest.fixture(scope="module")
def attack():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("attack_approval_password", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_guesses_over_http_get_no_success_and_at_most_five_reach_the_check(attack) -> None:  # type: ignore[no-untyped-def]
    result = attack.run(guesses=150, addresses=3, members=2, rounds=2)
    outcomes = result.outcomes
    assert outcomes["success"] == 0, outcomes
    assert outcomes["checked"] == ALLOWED and result.compared_in_store == ALLOWED, outcomes
    assert outcomes["locked"] > 0 and outcomes["throttled"] > 0, outcomes
    assert set(outcomes) <= {"checked", "locked", "throttled", "person"}, outcomes
    assert sum(outcomes.values()) == 150 and result.ok
