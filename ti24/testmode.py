"""The simulator under test: a settable clock, a reset between scenarios and a declared
seeding endpoint (``/_ti24/…``) for what no public screen can set up — KOTRA's existing
company records, imported (구) accounts, the date — guarded by a token.

Only ``ti24 serve --test-mode`` and the browser tests start it; a normal ``ti24 serve`` has
no such endpoint.
"""

from __future__ import annotations

import json
import math
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
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
        self.site = create_site(self.embedded.ctx, providers_base_url=self.origin, secure_cookies=False)
        self.app = OneOrigin(self.site, self.embedded.providers_app)

    async def _service(self, action: Callable[[], dict[str, Any]]) -> JSONResponse:
        """Run a seeding call the way the site runs its services: in a worker thread, holding the
        site's lock on the shared connection; refusals and malformed values are a Korean 400."""
        lock = self.site.state.web.lock

        def locked() -> dict[str, Any]:
            with lock:
                return action()

        try:
            return JSONResponse(await anyio.to_thread.run_sync(locked), 201)
        except Refusal as refusal:
            return _bad(refusal.message, refusal.code)
        except sqlite3.IntegrityError:
            return _bad("이미 있는 기록과 겹칩니다 (아이디 또는 사업자등록번호).", "conflict", 409)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            return _bad(f"시드 요청의 값이 올바르지 않습니다: {error}", "bad_value")

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
        body = await _json_object(request)
        if isinstance(body, JSONResponse):
            return body
        when = _moment(body.get("now"))
        if when is None:
            return _bad("now는 2000~2099년의 시간대가 있는 ISO 8601 시각이어야 합니다 (예: 2024-05-01T10:00:00+09:00).",
                        "bad_value")
        self.clock.set(when)
        self._build()
        return JSONResponse({"reset": True})

    async def _clock(self, request: Request) -> JSONResponse:
        body = await _json_object(request)
        if isinstance(body, JSONResponse):
            return body
        when = self.clock.now()
        if "set" in body:
            when = _moment(body["set"])
            if when is None:
                return _bad("set은 2000~2099년의 시간대가 있는 ISO 8601 시각이어야 합니다.", "bad_value")
        if "advance_seconds" in body:
            seconds = body["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
                return _bad("advance_seconds는 초 단위 숫자여야 합니다.", "bad_value")
            try:
                when = when + timedelta(seconds=seconds)
            except OverflowError:
                when = when.replace(year=1)
            if not EARLIEST <= when.year <= LATEST:
                return _bad("시계는 2000~2099년 안에서만 옮길 수 있습니다.", "bad_value")
        self.clock.set(when)
        return JSONResponse({"now": self.clock.now().isoformat()})

    async def _directory(self, request: Request) -> JSONResponse:
        body = await _json_object(request, strings=("bizno", "name", "representative", "address"))
        if isinstance(body, JSONResponse):
            return body
        return await self._service(lambda: {"bizno": seed.directory_company(
            self.embedded.ctx, body["bizno"], body["name"], body["representative"], body.get("address", ""))})

    async def _legacy(self, request: Request) -> JSONResponse:
        body = await _json_object(request, strings=("user_id", "password", "name", "email", "phone", "role", "bizno",
                                                    "joined_at"))
        if isinstance(body, JSONResponse):
            return body
        return await self._service(lambda: {"id": seed.legacy_member(self.embedded.ctx, **body)})

    async def _audit(self, request: Request) -> JSONResponse:
        return JSONResponse({"actions": seed.audit_actions(self.embedded.ctx)})


def _bad(message: str, code: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status)


async def _json_object(request: Request, strings: tuple[str, ...] = ()) -> dict[str, Any] | JSONResponse:
    """The body as a JSON object whose ``strings`` fields, when present, are strings."""
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return _bad("요청 본문이 올바른 JSON 객체가 아닙니다.", "bad_request")
    wrong = [key for key in strings if key in body and body[key] is not None and not isinstance(body[key], str)]
    if wrong:
        return _bad(f"문자열이어야 하는 항목입니다: {', '.join(wrong)}", "bad_value")
    return body


EARLIEST, LATEST = 2000, 2099  # the clock stays where certificates, sessions and lock-outs can be computed


def _moment(value: Any) -> datetime | None:
    """An aware ``datetime`` from ISO 8601 text within years 2000–2099, or None."""
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if when is None or when.utcoffset() is None or not EARLIEST <= when.year <= LATEST:
        return None
    return when


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
