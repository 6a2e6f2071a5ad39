"""Seeded ko_KR fake data without building a Faker per owner.

Building a ``Faker("ko_KR")`` costs a few milliseconds (it loads two dozen providers), and every
world holds several owners of fake data (the people registry, four SNS providers, the control
API) — in the in-process suite, a world per scenario. So the process keeps one Faker, and each
owner keeps only its own random generator, seeded the way ``Faker.seed_instance`` seeds one: a
draw swaps the owner's generator into the shared Faker under a lock. What an owner draws is
exactly what its own seeded Faker would have drawn, and owners never disturb each other.
"""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Callable
from typing import Any

from faker import Faker

_LOCK = threading.RLock()


@functools.cache
def _shared() -> Faker:
    return Faker("ko_KR")


class _Draws:
    """``faker.name()``, ``faker.free_email()``, … drawn with one owner's random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if not callable(getattr(_shared(), name)):
            raise AttributeError(name)

        def draw(*args: Any, **kwargs: Any) -> Any:
            with _LOCK:
                faker = _shared()
                previous, faker.random = faker.random, self.random
                try:
                    return getattr(faker, name)(*args, **kwargs)
                finally:
                    faker.random = previous

        return draw


class SeededFaker:
    """Mixin: ``self._faker`` (Faker's generators) and ``self._random`` (the owner's generator, the one
    those draws use), seeded from ``self._faker_seed`` on first use (None: seeded by the system)."""

    _faker_seed: int | None = None

    @functools.cached_property
    def _random(self) -> random.Random:
        rng = random.Random()
        if self._faker_seed is not None:
            rng.seed(self._faker_seed)
        return rng

    @functools.cached_property
    def _faker(self) -> _Draws:
        return _Draws(self._random)
