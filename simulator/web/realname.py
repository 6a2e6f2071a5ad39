"""The real-name verification window shared by 일반회원 STEP2 and 비밀번호 재설정: open the
provider's window (휴대전화 / 신용카드), and take the member back with its transaction id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import Refusal
from ..service_layer.ports import VerificationStart
from .common import call, redirect

METHOD_OF_RETURN = (("identityVerificationId", "phone"), ("imp_uid", "card"))
NO_WINDOW = "본인인증 창을 열 수 없습니다. 잠시 후 다시 시도해 주세요."
NO_RESULT = "본인인증 결과를 확인할 수 없습니다. 본인인증을 다시 진행해 주세요."

Refused = Callable[[str], Awaitable[Response]]


async def open_window(request: Request, begin: Callable[[str], VerificationStart], return_route: str,
                      refused: Refused) -> Response:
    """``begin(return_url)`` opens the verification; the member is sent to its window."""
    try:
        started = await call(request, begin, str(request.url_for(return_route)))
        if not started.auth_url:
            raise Refusal("verification_window", NO_WINDOW)
    except Refusal as refusal:
        return await refused(refusal.message)
    return redirect(started.auth_url)


async def returned(request: Request, verify: Callable[[str, str], Awaitable[str | None]], done: str,
                   refused: Refused) -> Response:
    """The window sent the member back: ``verify(method, id)`` answers a refusal message or None."""
    for parameter, method in METHOD_OF_RETURN:
        transaction_id = request.query_params.get(parameter)
        if transaction_id:
            message = await verify(method, transaction_id)
            return await refused(message) if message else redirect(done)
    return await refused(NO_RESULT)
