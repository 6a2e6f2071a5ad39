"""One ASGI app serving every party outside KOTRA over HTTP (contract: docs/providers-http.md).

``create_app(world)`` binds nothing itself; run it with any ASGI server, e.g.::

    uvicorn --factory fake_providers.http.app:create_default_app --port 8100
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from fake_providers.world import ProviderWorld

from . import ca, card, control, nts, pass_, simple_auth, sns
from .common import SNS_CHANNELS, RememberRoot, Shared

__all__ = ["create_app", "create_default_app"]

_HTTP_MESSAGES = {
    404: "페이지를 찾을 수 없습니다.",
    405: "허용되지 않는 요청 방식입니다.",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = getattr(exc, "headers", None)
    message = _HTTP_MESSAGES.get(status, "요청을 처리할 수 없습니다.")
    if "/control/" in request.scope.get("path", "") + "/":  # the control API answers JSON, as its document says
        return JSONResponse({"error": "not_found" if status == 404 else "method_not_allowed", "message": message},
                            status, headers=headers)
    return PlainTextResponse(message, status, headers=headers)


def create_app(world: ProviderWorld) -> Starlette:
    """The fake providers of ``world`` over HTTP, mountable at any origin and path."""
    shared = Shared(world)

    async def index(request: Request) -> Response:
        return shared.page(request, "index.html", {"title": "ti24 가짜 외부 기관"})

    routes = [
        Route("/", index, methods=["GET"]),
        *(Mount(f"/{channel}", routes=sns.routes(shared, channel)) for channel in SNS_CHANNELS),
        Mount("/pass", routes=pass_.routes(shared)),
        Mount("/card", routes=card.routes(shared)),
        Mount("/simple-auth", routes=simple_auth.routes(shared)),
        Mount("/nts", routes=nts.routes(shared)),
        Mount("/ca", routes=ca.routes(shared)),
        Mount("/control", routes=control.routes(shared)),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RememberRoot)],
        exception_handlers={404: _http_error, 405: _http_error},
    )
    app.state.world = world
    app.state.shared = shared
    return app


def create_default_app(seed: int | None = None) -> Starlette:
    """A fresh world on the wall clock (for ``uvicorn --factory``)."""
    return create_app(ProviderWorld(lambda: datetime.now(UTC), seed))
