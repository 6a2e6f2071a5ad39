"""The embedded default target: the simulator wired to the in-process fake providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fake_providers.world import NTS_SERVICE_KEY, ProviderWorld
from simulator import bootstrap
from simulator.adapters.certificate_verifier import X509CertificateVerifier
from simulator.adapters.clock import FixedClock
from simulator.adapters.inprocess_providers import InProcessBusinessStatus, InProcessRealName, InProcessSnsLogin
from simulator.service_layer.context import Context


@dataclass
class Embedded:
    clock: FixedClock
    world: ProviderWorld
    ctx: Context


def build(*, seed: int | None = None, hashing: str = "cheap", database: str | Path = ":memory:",
          start: datetime | None = None) -> Embedded:
    clock = FixedClock(start or datetime.now(UTC))
    world = ProviderWorld(clock.now, seed)
    ctx = bootstrap.build(
        real_name=InProcessRealName(world.phone, world.card, world.simple, world.site_code),
        sns=InProcessSnsLogin(world.sns, world.sns_clients, clock.now),
        business_status=InProcessBusinessStatus(world.nts, NTS_SERVICE_KEY),
        certificates=X509CertificateVerifier(world.cas.trust_roots, world.cas.intermediates, world.cas.crls),
        database=database,
        hashing=hashing,
        clock=clock,
    )
    return Embedded(clock, world, ctx)
