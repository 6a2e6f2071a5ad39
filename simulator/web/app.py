"""The web face of the 통합회원 system: server-rendered Korean pages over the service layer.

``create_app(ctx, providers_base_url=B)`` gives a Starlette app; the outside providers' browser
pages (SNS login, PASS / card windows, the certificate dialog) live under ``B``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..service_layer.context import Context
from . import (
    certificate,
    company,
    company_admin,
    conversion,
    home,
    login,
    oauth,
    recovery,
    services,
    signup_general,
    signup_simple,
)
from .common import SIMPLE_AUTH_APPS, SNS_BUTTONS, WebConfig, path, render
from .security import (
    BodyLimitMiddleware,
    BrowserSessionMiddleware,
    CsrfFailure,
    SecurityHeadersMiddleware,
    SessionStore,
)

HERE = Path(__file__).parent
MAX_BODY_BYTES = 12 * 1024 * 1024  # the 사업자등록증 scan may be up to 10 MB
MODULES = (home, oauth, signup_simple, signup_general, company, company_admin, login, conversion, recovery,
           services, certificate)

CSRF_MESSAGE = "요청이 만료되었거나 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요."
HTTP_MESSAGES = {
    400: "요청을 처리할 수 없습니다. 입력한 내용을 확인해 주세요.",
    404: "요청하신 페이지를 찾을 수 없습니다.",
    405: "허용되지 않는 요청입니다.",
}
SERVER_ERROR = "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."


@jinja2.pass_context
def _url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """Root-relative links in every page (``path`` instead of Starlette's absolute URLs)."""
    return path(context["request"], name, **params)


@functools.cache
def _templates() -> Jinja2Templates:
    """One environment per process: each page compiles once, however many apps are built."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    templates = Jinja2Templates(env=env)
    env.globals.update(url_for=_url_for, sns_buttons=SNS_BUTTONS, simple_auth_apps=SIMPLE_AUTH_APPS)
    return templates


async def _csrf_failed(request: Request, exc: Exception) -> Response:
    return await render(request, "error.html", {"title": "요청 오류"}, status=403, alert=CSRF_MESSAGE)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 400
    message = HTTP_MESSAGES.get(status, HTTP_MESSAGES[400])
    return await render(request, "error.html", {"title": "안내"}, status=status, alert=message)


async def _server_error(request: Request, exc: Exception) -> Response:
    body = (f'<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>오류 | KOTRA 무역투자24</title>'
            f'</head><body><main><h1>오류</h1><div role="alert">{SERVER_ERROR}</div>'
            f'<p><a href="/">홈으로</a></p></main></body></html>')
    return HTMLResponse(body, status_code=500)


def create_app(ctx: Context, *, providers_base_url: str, secure_cookies: bool = True,
               secret_key: str | None = None) -> Starlette:
    """The simulator's web app.

    ``providers_base_url`` is ``B`` of docs/providers-http.md (certificate dialog, and the SNS
    authorize pages when the SNS adapter gives no URL). ``secure_cookies`` marks the session cookie
    Secure (and names it ``__Host-ti24_session``); turn it off only for plain-HTTP local runs.
    ``secret_key`` signs the browser id in the cookie (random per process when omitted).
    """
    web = WebConfig(ctx=ctx, templates=_templates(), providers_base_url=providers_base_url)
    routes: list[BaseRoute] = []
    for module in MODULES:
        routes.extend(module.routes)
        web.certificate_purposes.update(getattr(module, "certificate_purposes", {}))
    routes.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware, secure=secure_cookies),
            Middleware(BodyLimitMiddleware, limit=MAX_BODY_BYTES),
            Middleware(BrowserSessionMiddleware, store=SessionStore(secret_key), secure=secure_cookies),
        ],
        exception_handlers={CsrfFailure: _csrf_failed, HTTPException: _http_error, 500: _server_error},
    )
    app.state.web = web
    return app
