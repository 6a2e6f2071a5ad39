"""The simulator under test: a settable clock, a reset between scenarios and a declared
seeding endpoint (``/_ti24/…``) for what no public screen can set up — KOTRA's existing
company records, imported (구) accounts, the date — guarded by a token.

Only ``ti24 serve --test-mode`` and the browser tests start it; a normal ``ti24 serve`` has
no such endpoint.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulator.adapters.clock import FixedClock
from simulator.domain.errors import Refusal
from simulator.service_layer import seed
from simulator.web.app import create_app as create_site

from .compose import OneOrigin
from .embedded import Embedded, build

SEED_PREFIX = "/_ti24"
TOKEN_HEADER = "x-ti24-seed-token"


class SimulatorUnderTest:
    """One origin serving the site, the fakes and the seeding endpoint; ``reset`` starts afresh."""

    def __init__(self, origin: str, token: str | None = None) -> None:
        self.origin = origin
        self.token = token or secrets.token_urlsafe(24)
        self.clock = FixedClock()
        self._build()
        self.seeding = Starlette(routes=[
            Route(f"{SEED_PREFIX}/reset", self._reset, methods=["POST"]),
            Route(f"{SEED_PREFIX}/clock", self._clock, methods=["POST"]),
            Route(f"{SEED_PREFIX}/directory-companies", self._directory, methods=["POST"]),
            Route(f"{SEED_PREFIX}/legacy-members", self._legacy, methods=["POST"]),
            Route(f"{SEED_PREFIX}/audit", self._audit, methods=["GET"]),
        ])

    def _build(self) -> None:
        self.embedded: Embedded = build(site_url=self.origin, providers_url=self.origin, clock=self.clock)
        self.app = OneOrigin(create_site(self.embedded.ctx, providers_base_url=self.origin, secure_cookies=False),
                             self.embedded.providers_app)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(SEED_PREFIX):
            headers = dict(scope.get("headers") or [])
            if headers.get(TOKEN_HEADER.encode()) != self.token.encode():
                await JSONResponse({"message": "시드 토큰이 올바르지 않습니다."}, 403)(scope, receive, send)
                return
            await self.seeding(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _reset(self, request: Request) -> JSONResponse:
        self.clock.set(datetime.fromisoformat((await request.json())["now"]))
        self._build()
        return JSONResponse({"reset": True})

    async def _clock(self, request: Request) -> JSONResponse:
        body = await request.json()
        if "set" in body:
            self.clock.set(datetime.fromisoformat(body["set"]))
        if "advance_seconds" in body:
            self.clock.advance(timedelta(seconds=float(body["advance_seconds"])))
        return JSONResponse({"now": self.clock.now().isoformat()})

    async def _directory(self, request: Request) -> JSONResponse:
        body = await request.json()
        return _refusals(lambda: {"bizno": seed.directory_company(
            self.embedded.ctx, body["bizno"], body["name"], body["representative"], body.get("address", ""))})

    async def _legacy(self, request: Request) -> JSONResponse:
        body = await request.json()
        return _refusals(lambda: {"id": seed.legacy_member(self.embedded.ctx, **body)})

    async def _audit(self, request: Request) -> JSONResponse:
        return JSONResponse({"actions": seed.audit_actions(self.embedded.ctx)})


def _refusals(action: Any) -> JSONResponse:
    try:
        return JSONResponse(action(), 201)
    except Refusal as refusal:
        return JSONResponse({"code": refusal.code, "message": refusal.message}, 400)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """A uvicorn server on 127.0.0.1 in a background thread, stopped by ``stop()``."""

    def __init__(self, app: Any, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                   lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("시뮬레이터 서버를 시작하지 못했습니다.")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start(port: int | None = None) -> tuple[SimulatorUnderTest, RunningServer]:
    port = port or free_port()
    sut = SimulatorUnderTest(f"http://127.0.0.1:{port}")
    return sut, RunningServer(sut, port)


__all__ = ["RunningServer", "SimulatorUnderTest", "free_port", "start"]
