"""Steps every chapter uses: people, the date, time passing, and what the user is told."""

from __future__ import annotations

from datetime import date, timedelta

from pytest_bdd import given, parsers, then, when

from .driver import Refused
from .phrases import ko
from .world import World


@given(ko('사람 "{alias}"[이가] 있다'))
def a_person(world: World, alias: str) -> None:
    world.actors[alias] = world.seeder.person(alias)


@given(ko('오늘은 "{day}"이다'))
def today_is(world: World, day: str) -> None:
    world.seeder.today(date.fromisoformat(day))


@when(parsers.re(r"^(?P<minutes>\d+)분이 지난다$"))
def minutes_pass(world: World, minutes: str) -> None:
    world.seeder.advance(timedelta(minutes=int(minutes)))


@then(ko('"{text}" 안내를 받는다'))
def told(world: World, text: str) -> None:
    shown = world.shown()
    assert shown is not None, f"'{text}' 안내를 기대했지만 아무 안내도 없었습니다."
    assert text in shown, f"안내 문구가 다릅니다: {shown!r} (기대: {text!r})"


def must(action):  # type: ignore[no-untyped-def]
    """Run a Given: a refusal here means the precondition could not be set up."""
    try:
        return action()
    except Refused as refused:
        raise AssertionError(f"사전 조건을 만들 수 없습니다: {refused.message} ({refused.code})") from refused
