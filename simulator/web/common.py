"""What every route module shares: calling the services, rendering pages, flash messages,
reading forms and declaring GET pages and CSRF-checked POST actions."""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import anyio.to_thread
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..domain.errors import Refusal
from ..service_layer import auth
from ..service_layer.context import REQUEST_ORIGIN, Context
from .security import BrowserSession, browser, check_csrf

T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]

SIMPLE_AUTH_APPS = ("카카오", "네이버", "PASS", "토스", "KB국민인증서", "삼성패스", "PAYCO", "금융인증서")
SNS_BUTTONS = (("kakao", "카카오"), ("naver", "네이버"), ("google", "구글"), ("facebook", "페이스북"))


@dataclass
class WebConfig:
    """What the routes need besides the request: the services' context and where providers live."""

    ctx: Context
    templates: Jinja2Templates
    providers_base_url: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    # certificate round trips in progress (handle -> pending) and what each purpose does on return
    certificates: dict[str, Any] = field(default_factory=dict)
    certificate_purposes: dict[str, Any] = field(default_factory=dict)


def config(request: Request) -> WebConfig:
    cfg: WebConfig = request.app.state.web
    return cfg


def ctx_of(request: Request) -> Context:
    return config(request).ctx


async def call(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one service call in a worker thread, one at a time (the services share one SQLite
    connection). The event loop stays free, so providers mounted in the same process can answer
    the adapters' HTTP calls meanwhile."""
    lock = config(request).lock
    login = login_of(request)
    origin = {**(REQUEST_ORIGIN.get() or {}), "browser": browser(request).uid, "path": request.url.path,
              "token": login["token"] if login else ""}

    def locked() -> T:
        with lock:
            reset = REQUEST_ORIGIN.set(origin)
            try:
                return fn(*args, **kwargs)
            finally:
                REQUEST_ORIGIN.reset(reset)

    return await anyio.to_thread.run_sync(functools.partial(locked))


# --- the logged-in party --------------------------------------------------------------------

def login_of(request: Request) -> dict[str, str] | None:
    """``{"kind": "member"|"company", "token": ...}`` of this browser, if any."""
    value = browser(request).data.get("auth")
    return value if isinstance(value, dict) else None


def member_token(request: Request) -> str:
    login = login_of(request)
    return login["token"] if login and login["kind"] == "member" else ""


def company_token(request: Request) -> str:
    login = login_of(request)
    return login["token"] if login and login["kind"] == "company" else ""


# --- flash messages -------------------------------------------------------------------------

def flash(request: Request, message: str, *, kind: str = "status") -> None:
    """Show ``message`` on the next page (``kind`` "status" for success, "alert" for a refusal)."""
    browser(request).data.setdefault("flash", []).append((kind, message))


def _take_flash(session: BrowserSession) -> list[tuple[str, str]]:
    value = session.data.pop("flash", [])
    return list(value) if isinstance(value, list) else []


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# Route paths by app, name and parameters. Starlette finds one by asking every route in turn, each
# miss raising NoMatchFound; with forty routes and a dozen links a page that was a fifth of a login's
# CPU. Routes do not change once the app is built, so each answer is kept.
_PATHS: weakref.WeakKeyDictionary[Any, dict[tuple[str, tuple[tuple[str, Any], ...]], str]] = (
    weakref.WeakKeyDictionary())


def path(request: Request, name: str, **params: Any) -> str:
    """Our own page as a root-relative path (proxies may rewrite host and scheme)."""
    app = request.app
    key = (name, tuple(sorted(params.items())))
    known = _PATHS.setdefault(app, {})
    found = known.get(key)
    if found is None:
        found = known[key] = str(app.url_path_for(name, **params))
    return request.scope.get("root_path", "").rstrip("/") + found


# --- rendering ------------------------------------------------------------------------------

async def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    alert: str | None = None,
    notice: str | None = None,
) -> Response:
    """A page with the menu bar, the CSRF token and any messages (``alert`` for refusals)."""
    session = browser(request)
    login = login_of(request)
    menu = await call(request, auth.menu, ctx_of(request), login["token"] if login else None)
    if login and "회원유형" not in menu:
        session.data.pop("auth", None)  # the services ended that login (idle, 24 h, reset)
    alerts: list[str] = []
    statuses: list[str] = []
    for kind, message in _take_flash(session):
        (alerts if kind == "alert" else statuses).append(message)
    if alert:
        alerts.append(alert)
    if notice:
        statuses.append(notice)
    if alert and status == 200:
        status = 400  # the form just submitted was refused
    page = {"menu": menu, "csrf_token": session.csrf, "alerts": alerts, "statuses": statuses,
            "form": {}, **(context or {})}
    return config(request).templates.TemplateResponse(request, template, page, status_code=status)


# --- forms ----------------------------------------------------------------------------------

def text(form: FormData, name: str, *, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def secret(form: FormData, name: str) -> str:
    """A password field, exactly as typed (never echoed back)."""
    value = form.get(name)
    return value[:200] if isinstance(value, str) else ""


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "yes", "true", "1", "Y")


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


def refill(form: FormData, *names: str) -> dict[str, str]:
    """The non-secret fields to show again after a refusal."""
    return {name: text(form, name) for name in names}


def parse_birth_date(raw: str) -> date:
    digits = "".join(c for c in raw if c.isdigit())
    try:
        if len(digits) != 8:
            raise ValueError(raw)
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise Refusal("birth_date_format", "생년월일을 8자리 숫자(예: 19900101)로 입력해 주세요.") from None


# --- routes ---------------------------------------------------------------------------------

def page(path: str, endpoint: Endpoint, *, name: str | None = None) -> Route:
    return Route(path, endpoint, methods=["GET"], name=name or endpoint.__name__)


def action(path: str, endpoint: Endpoint, *, name: str | None = None, csrf: bool = True) -> Route:
    """A POST route; the CSRF token is checked before ``endpoint`` runs unless ``csrf=False``
    (only the certificate dialog's cross-site return, which a single-use challenge protects)."""

    @functools.wraps(endpoint)
    async def checked_endpoint(request: Request) -> Response:
        if csrf:
            await check_csrf(request)
        return await endpoint(request)

    return Route(path, checked_endpoint, methods=["POST"], name=name or endpoint.__name__)
