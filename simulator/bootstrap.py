"""Composition root: the store, hashing profile and provider ports become a Context."""

from __future__ import annotations

from pathlib import Path

from .adapters.clock import SystemClock
from .adapters.hashing import CHEAP, SERVING, Hasher
from .adapters.store import open_database
from .service_layer.context import Clock, Context
from .service_layer.ports import BusinessStatusLookup, CertificateVerifier, RealNameVerification, SnsLogin

HASHING = {"serving": SERVING, "cheap": CHEAP}


def build(
    *,
    real_name: RealNameVerification,
    sns: SnsLogin,
    business_status: BusinessStatusLookup,
    certificates: CertificateVerifier,
    database: str | Path = ":memory:",
    hashing: str = "serving",
    clock: Clock | None = None,
) -> Context:
    if hashing not in HASHING:
        raise ValueError(f"hashing profile must be one of {sorted(HASHING)}")
    return Context(
        db=open_database(database),
        hasher=Hasher(HASHING[hashing]),
        clock=clock or SystemClock(),
        real_name=real_name,
        sns=sns,
        business_status=business_status,
        certificates=certificates,
    )
