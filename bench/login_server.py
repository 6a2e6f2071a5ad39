"""The simulator as ``ti24 serve`` runs it (argon2id serving profile, SQLite file, uvicorn), with
``--members`` 일반회원 seeded first. Used by the login benchmark."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import uvicorn

from simulator.adapters.clock import SystemClock
from simulator.web.app import create_app as create_site
from ti24.compose import OneOrigin
from ti24.embedded import build

from . import members


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args()
    origin = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory(prefix="ti24-bench-login-") as folder:
        embedded = build(hashing="serving", database=Path(folder) / "ti24.sqlite", site_url=origin,
                         providers_url=origin, clock=SystemClock())
        members.seed(embedded.ctx.db, args.members, embedded.ctx.hasher.hash(members.PASSWORD))
        site = create_site(embedded.ctx, providers_base_url=origin, secure_cookies=False)
        uvicorn.run(OneOrigin(site, embedded.providers_app), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
