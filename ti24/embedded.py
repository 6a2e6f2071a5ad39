"""The embedded default target: the simulator and the fake providers in one process.

The simulator reaches the fakes only over HTTP — an in-memory ASGI transport instead of a
socket, but the same requests a deployment would send — and so does the member's "browser"
in the in-process driver.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from fake_providers.http import create_app
from fake_providers.world import ProviderWorld
from simulator import bootstrap
from simulator.adapters.asgi_transport import SyncASGITransport
from simulator.adapters.certificate_verifier import X509CertificateVerifier
from simulator.adapters.clock import FixedClock
from simulator.adapters.http_providers import (
    HttpBusinessStatus,
    HttpRealName,
    HttpSnsLogin,
    HttpTrustStore,
    ProviderEndpoints,
)
from simulator.service_layer.context import Clock, Context

PROVIDERS_URL = "http://providers.test"  # where the fakes answer in-process
SITE_URL = "http://kotra.test"  # the simulator's own origin in-process (return URLs, SNS redirect URIs)


@dataclass
class Embedded:
    clock: Clock
    world: ProviderWorld
    ctx: Context
    providers_app: object
    site_url: str
    providers_url: str
    faults: ExitStack | None = None  # deliberate faults switched on (process-wide) by build(faults=…)

    def browser(self) -> httpx.Client:
        """A fresh browser (own cookies) that reaches the fake providers' pages."""
        return httpx.Client(transport=SyncASGITransport(self.providers_app), base_url=self.providers_url,
                            follow_redirects=False)


def build(*, seed: int | None = None, hashing: str = "cheap", database: str | Path = ":memory:",
          start: datetime | None = None, site_url: str = SITE_URL, providers_url: str = PROVIDERS_URL,
          clock: Clock | None = None, faults: Iterable[str] = ()) -> Embedded:
    """``faults``: names from simulator.faults.FAULTS to switch on for the whole process; closing
    ``Embedded.faults`` switches them off again."""
    switched_on = None
    if faults:
        from simulator.faults import activate

        switched_on = activate(faults)
    clock = clock or FixedClock(start or datetime.now(UTC))
    world = ProviderWorld(clock.now, seed)
    for channel in world.sns:
        world.register_redirect(channel, f"{site_url}/oauth/{channel}/callback")
    app = create_app(world)
    http = httpx.Client(transport=SyncASGITransport(app), base_url=providers_url, timeout=10.0)
    endpoints = ProviderEndpoints.from_mapping({"base_url": providers_url, "redirect_base": f"{site_url}/oauth"})
    trust = HttpTrustStore(endpoints, http, now=clock.now)
    ctx = bootstrap.build(
        real_name=HttpRealName(endpoints, http),
        sns=HttpSnsLogin(endpoints, http, now=clock.now),
        business_status=HttpBusinessStatus(endpoints, http),
        certificates=X509CertificateVerifier(trust.trust_roots, trust.intermediates, trust.crls),
        database=database,
        hashing=hashing,
        clock=clock,
    )
    return Embedded(clock, world, ctx, app, site_url, providers_url, switched_on)
