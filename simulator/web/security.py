"""Browser sessions and CSRF protection.

The browser holds only a random, HMAC-signed browser id in an HttpOnly, SameSite=Lax cookie
(Secure, with the ``__Host-`` prefix, when serving over HTTPS). Everything else — the member's
or company's session token from the services, the ids of flows in progress, the CSRF token —
stays on the server, keyed by that id. The id is replaced on every login and logout so a
planted id never becomes a logged-in one (session fixation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

IDLE_SECONDS = 3 * 60 * 60  # the services end a login after 1 h idle; flows after 30 min
ABSOLUTE_SECONDS = 25 * 60 * 60
MAX_SESSIONS = 20_000
CSRF_FIELD = "csrf_token"


class CsrfFailure(Exception):
    """A POST without the session's CSRF token."""


@dataclass
class BrowserSession:
    """Server-side state of one browser."""

    id: str
    uid: str  # stable across id rotation; binds certificate round trips to this browser
    csrf: str
    created: float
    touched: float
    data: dict[str, Any] = field(default_factory=dict)
    persisted: bool = False


def _new_id() -> str:
    return secrets.token_urlsafe(32)


class SessionStore:
    """In-memory browser sessions with idle and absolute expiry and a size cap."""

    def __init__(self, secret_key: str | None = None) -> None:
        self._key = (secret_key or secrets.token_urlsafe(48)).encode()
        self._sessions: OrderedDict[str, BrowserSession] = OrderedDict()

    # --- cookie value ---------------------------------------------------------------------

    def _sign(self, session_id: str) -> str:
        return hmac.new(self._key, session_id.encode(), hashlib.sha256).hexdigest()[:32]

    def cookie_value(self, session: BrowserSession) -> str:
        return f"{session.id}.{self._sign(session.id)}"

    def _id_from_cookie(self, value: str | None) -> str | None:
        if not value or "." not in value:
            return None
        session_id, signature = value.rsplit(".", 1)
        return session_id if hmac.compare_digest(signature, self._sign(session_id)) else None

    # --- lifecycle ------------------------------------------------------------------------

    def _fresh(self) -> BrowserSession:
        now = time.monotonic()
        return BrowserSession(id=_new_id(), uid=_new_id(), csrf=_new_id(), created=now, touched=now)

    def _expired(self, session: BrowserSession, now: float) -> bool:
        return now - session.touched > IDLE_SECONDS or now - session.created > ABSOLUTE_SECONDS

    def load(self, cookie: str | None) -> BrowserSession:
        """The session named by the cookie, or a new one (stored once the response goes out)."""
        now = time.monotonic()
        session_id = self._id_from_cookie(cookie)
        session = self._sessions.get(session_id) if session_id else None
        if session is not None and self._expired(session, now):
            del self._sessions[session.id]
            session = None
        if session is None:
            return self._fresh()
        session.touched = now
        self._sessions.move_to_end(session.id)
        return session

    def save(self, session: BrowserSession) -> None:
        self._sessions[session.id] = session
        self._sessions.move_to_end(session.id)
        session.persisted = True
        self._prune()

    def rotate(self, session: BrowserSession, *, keep_data: bool = True) -> None:
        """A new browser id and CSRF token (login, logout). ``keep_data=False`` also forgets
        every flow in progress and gives the browser a new identity altogether."""
        self._sessions.pop(session.id, None)
        session.id, session.csrf = _new_id(), _new_id()
        if not keep_data:
            session.data.clear()
            session.uid = _new_id()
            session.created = time.monotonic()
        session.persisted = False

    def _prune(self) -> None:
        now = time.monotonic()
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if len(self._sessions) > MAX_SESSIONS or self._expired(oldest, now):
                del self._sessions[oldest.id]
            else:
                break


class BrowserSessionMiddleware:
    """Attach ``request.state.browser`` and send the cookie when the id is new or replaced."""

    def __init__(self, app: ASGIApp, store: SessionStore, *, secure: bool) -> None:
        self.app = app
        self.store = store
        self.secure = secure
        self.cookie_name = "__Host-ti24_session" if secure else "ti24_session"

    def cookie_header(self, session: BrowserSession) -> str:
        parts = [f"{self.cookie_name}={self.store.cookie_value(session)}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        session = self.store.load(connection.cookies.get(self.cookie_name))
        scope.setdefault("state", {})["browser"] = session
        scope["state"]["session_store"] = self.store
        sent_id = session.id if session.persisted else None

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.id != sent_id \
                    and not scope["state"].get("no_session_cookie"):
                self.store.save(session)
                MutableHeaders(scope=message).append("set-cookie", self.cookie_header(session))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def browser(request: Request) -> BrowserSession:
    session: BrowserSession = request.state.browser
    return session


def store_of(request: Request) -> SessionStore:
    store: SessionStore = request.state.session_store
    return store


def rotate(request: Request, *, keep_data: bool = True) -> None:
    store_of(request).rotate(browser(request), keep_data=keep_data)


async def check_csrf(request: Request) -> None:
    """Every POST carries the session's token in the hidden field ``csrf_token``."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), browser(request).csrf.encode()):
        raise CsrfFailure()


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS)
        if secure:
            self.headers["Strict-Transport-Security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


TOO_LARGE_PAGE = (
    '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>요청 오류 | KOTRA 무역투자24</title></head>'
    '<body><main><h1>요청 오류</h1><div role="alert">첨부한 파일이 너무 큽니다. 10MB 이하의 파일을 첨부해 주세요.</div>'
    '<p><a href="/">홈으로</a></p></main></body></html>'
).encode()


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes with a Korean 413 page (declared or streamed)."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(TOO_LARGE_PAGE)).encode())]})
        await send({"type": "http.response.body", "body": TOO_LARGE_PAGE})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = HTTPConnection(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge()
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(send)
