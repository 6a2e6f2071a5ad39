"""Per-client-address limits on the forms that guess at secrets or look people up
(승인 비밀번호, 아이디 찾기, 비밀번호 재설정). The address is the TCP peer: headers such as
X-Forwarded-For are never trusted, since any client can set them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..domain.throttle import Limit
from ..service_layer.context import Throttled, admit
from .common import call, ctx_of, render


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def throttled(request: Request, limit: Limit, title: str = "안내") -> Response | None:
    """Count this request against its address; a Korean 429 page once ``limit`` is reached."""
    try:
        await call(request, admit, ctx_of(request), limit, f"address:{client_address(request)}")
    except Throttled as refused:
        return await render(request, "error.html", {"title": title}, status=429, alert=refused.message)
    return None
