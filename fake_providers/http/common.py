"""What the HTTP faces of the fake providers share: the world, templates, base URLs, outcomes."""

from __future__ import annotations

import functools
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from fake_providers.ca import CertificateBundle
from fake_providers.world import ProviderWorld

TEMPLATES_DIR = Path(__file__).parent / "templates"

SNS_CHANNELS = ("kakao", "naver", "google", "facebook")

# Which outcomes each provider can be told to produce once (POST /control/next-outcome).
OUTCOMES: dict[str, tuple[str, ...]] = {
    **{channel: ("cancel", "deny", "timeout") for channel in SNS_CHANNELS},
    "pass": ("cancel", "deny", "timeout", "wrong_code"),
    "card": ("cancel", "deny", "timeout"),
    "simple-auth": ("cancel", "deny", "timeout"),
    "ca": ("cancel",),
}

_ROOT_KEY = "ti24.providers_root"


@functools.cache
def shared_templates() -> Jinja2Templates:
    """One template environment per process, so each page compiles once rather than once per world
    (the in-process suite builds a world per scenario)."""
    return Jinja2Templates(directory=str(TEMPLATES_DIR))


class RememberRoot:
    """ASGI middleware noting where this app is mounted, so every absolute URL it builds
    (Google issuer, authUrl, links) is relative to the app's own base ``B``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope[_ROOT_KEY] = scope.get("root_path", "")
        await self.app(scope, receive, send)


def base_url(request: Request) -> str:
    """``B``: scheme, host and mount path of this app, without a trailing slash."""
    root = str(request.scope.get(_ROOT_KEY, "")).rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}{root}"


@dataclass
class WalletEntry:
    """A certificate the control API issued: the NPKI files and the password that opens them."""

    bundle: CertificateBundle
    password: str
    holder: str


@dataclass
class Shared:
    world: ProviderWorld
    templates: Jinja2Templates = field(default_factory=shared_templates)
    # provider -> outcome the next transaction of that provider ends with
    outcomes: dict[str, str] = field(default_factory=dict)
    # holder id -> serials, and serial -> entry (the members' NPKI folders)
    wallets: dict[str, list[int]] = field(default_factory=dict)
    certificates: dict[int, WalletEntry] = field(default_factory=dict)

    def set_outcome(self, provider: str, outcome: str) -> None:
        self.outcomes[provider] = outcome

    def take_outcome(self, provider: str) -> str | None:
        """The outcome set for ``provider``'s next transaction, consumed (honoured once)."""
        return self.outcomes.pop(provider, None)

    def add_certificate(self, entry: WalletEntry) -> None:
        self.certificates[entry.bundle.serial] = entry
        self.wallets.setdefault(entry.holder, []).append(entry.bundle.serial)

    def wallet(self, holder: str) -> list[WalletEntry]:
        return [self.certificates[serial] for serial in self.wallets.get(holder, [])]

    def page(
        self, request: Request, name: str, context: Mapping[str, Any] | None = None, status_code: int = 200
    ) -> Response:
        values: dict[str, Any] = {"base": base_url(request)}
        values.update(context or {})
        return self.templates.TemplateResponse(request, name, values, status_code=status_code)

    def error_page(
        self,
        request: Request,
        message: str,
        *,
        title: str = "요청을 처리할 수 없습니다",
        status_code: int = 400,
        back_url: str | None = None,
        brand: str = "ti24 가짜 제공자",
    ) -> Response:
        return self.page(
            request,
            "error.html",
            {"title": title, "message": message, "back_url": back_url, "brand": brand},
            status_code=status_code,
        )

    def site_code(self, request: Request) -> str | None:
        """The site authenticated by ``Authorization: Bearer <site secret>``, or None."""
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret:
            return None
        if hmac.compare_digest(secret.strip().encode(), self.world.site_secret.encode()):
            return self.world.site_code
        return None


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL (anything else is never used as a redirect or form target)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def with_query(url: str, params: Mapping[str, str]) -> str:
    separator = "&" if "?" in url else "?"
    return url + separator + urlencode(dict(params))


async def read_json_object(request: Request) -> dict[str, Any] | None:
    """The request body as a JSON object, or None if it is not one."""
    try:
        payload = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def json_response(body: Any, status_code: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers=dict(headers or {}))


def text_field(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
