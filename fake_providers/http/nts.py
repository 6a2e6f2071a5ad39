"""국세청 사업자등록정보 상태조회 over HTTP (data.go.kr odcloud), wrapping ``NtsBusinessRegistry.status``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .common import Shared, json_response

__all__ = ["routes"]


def routes(shared: Shared) -> list[BaseRoute]:
    """Routes mounted at ``/nts``."""

    async def status(request: Request) -> Response:
        service_key = request.query_params.get("serviceKey", "")
        code, body = shared.world.nts.status(await request.body(), service_key)
        return json_response(body, code)

    return [Route("/api/nts-businessman/v1/status", status, methods=["POST"])]
