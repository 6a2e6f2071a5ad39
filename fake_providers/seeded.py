"""A seeded ko_KR Faker made on first use.

Building a ``Faker("ko_KR")`` costs a few milliseconds (it loads two dozen providers), and a world
holds several owners of one (the people registry, four SNS providers, the control API) of which a
scenario usually draws from one or two. Made lazily, the unused ones cost nothing; what a used one
draws is the same as before, since it is seeded the moment it is made.
"""

from __future__ import annotations

import functools
import random

from faker import Faker


class SeededFaker:
    """Mixin: ``self._faker`` and ``self._random`` (the Faker's own generator), made on first use
    from ``self._faker_seed`` (None: Faker's shared, unseeded generator)."""

    _faker_seed: int | None = None

    @functools.cached_property
    def _faker(self) -> Faker:
        faker = Faker("ko_KR")
        if self._faker_seed is not None:
            faker.seed_instance(self._faker_seed)
        return faker

    @property
    def _random(self) -> random.Random:
        return self._faker.random
