"""The SNS side shared by 간편회원 가입 and [간편회원] 로그인: where to send the member, and the
callback ``/oauth/{channel}/callback`` the providers redirect back to."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..service_layer.ports import AuthorizationRequest
from .common import config, page, render
from .security import browser

# Each provider's authorize page under the providers' base URL (docs/providers-http.md); used
# only when the SNS adapter does not hand over the full URL itself.
AUTHORIZE_PATHS = {
    "kakao": "/kakao/oauth/authorize",
    "naver": "/naver/oauth2.0/authorize",
    "google": "/google/o/oauth2/v2/auth",
    "facebook": "/facebook/v19.0/dialog/oauth",
}
SCOPES = {"google": "openid email profile", "facebook": "email"}
MISMATCH = "요청 정보가 일치하지 않습니다. 처음부터 다시 진행해 주세요."


def authorize_url(request: Request, auth_request: AuthorizationRequest) -> str:
    """The provider page the member is sent to."""
    if auth_request.url:
        return auth_request.url
    params = {"response_type": "code", "client_id": auth_request.client_id, "redirect_uri": auth_request.redirect_uri,
              "state": auth_request.state, "code_challenge": auth_request.code_challenge,
              "code_challenge_method": "S256"}
    if auth_request.channel in SCOPES:
        params["scope"] = SCOPES[auth_request.channel]
    if auth_request.channel == "google":
        params["nonce"] = auth_request.nonce
    base = config(request).providers_base_url.rstrip("/")
    return f"{base}{AUTHORIZE_PATHS[auth_request.channel]}?{urlencode(params)}"


async def sns_callback(request: Request) -> Response:
    """The provider sent the member back (``code`` + ``state``, or ``error``); the flow this
    browser started decides whether it was a 가입 or a 로그인, and the services check ``state``."""
    from . import login, signup_simple

    pending = browser(request).data.get("sns") or {}
    if pending.get("purpose") == "signup":
        return await signup_simple.sns_returned(request, pending)
    if pending.get("purpose") == "login":
        return await login.sns_returned(request, pending)
    return await render(request, "error.html", {"title": "간편회원"}, alert=MISMATCH)


routes = [page("/oauth/{channel}/callback", sns_callback)]
