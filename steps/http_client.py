"""HTTP clients for the steps' own calls (seeding, control API, the site's test hooks).

An ``httpx.Client`` builds a fresh TLS context with the system's CA bundle unless it is handed
one: ~15 ms of CPU per client, and a browser scenario opens three. One default context per
process serves them all; verification is the same as httpx's default.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx

TIMEOUT_S = 30.0


@functools.cache
def _tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def client(base_url: str, **kwargs: Any) -> httpx.Client:
    kwargs.setdefault("timeout", TIMEOUT_S)
    return httpx.Client(base_url=base_url, verify=_tls(), **kwargs)
