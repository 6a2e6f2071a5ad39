"""Kakao, Naver, Google and Facebook login over HTTP: the login-and-consent page, token and
user-info endpoints, wrapping the in-process providers of ``fake_providers.sns``."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote_plus, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fake_providers.people import ProviderError
from fake_providers.sns import FacebookProvider, GoogleProvider, SnsProvider

from .common import Shared, base_url, bearer_token, json_response, text_field

__all__ = ["AUTHORIZE_PATHS", "routes"]

# Authorize page path under each provider's prefix (GET shows the page; POST submits it).
AUTHORIZE_PATHS = {
    "kakao": "/oauth/authorize",
    "naver": "/oauth2.0/authorize",
    "google": "/o/oauth2/v2/auth",
    "facebook": "/{version}/dialog/oauth",
}

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_PENDING = 5000  # abandoned login pages are forgotten oldest first

MSG_WRONG_LOGIN = "아이디 또는 비밀번호가 올바르지 않습니다."
MSG_UNKNOWN_REQUEST = "로그인 요청이 만료되었거나 올바르지 않습니다. 처음부터 다시 시도해 주세요."


@dataclass(frozen=True)
class _Style:
    title: str
    brand: str
    accent: str
    on_accent: str
    login_label: str
    shared: tuple[str, ...]  # what the provider hands to the client


STYLES: dict[str, _Style] = {
    "kakao": _Style("카카오계정으로 로그인", "카카오", "#FEE500", "#191919", "카카오계정 (이메일)",
                    ("이름", "이메일", "휴대폰번호")),
    "naver": _Style("네이버 아이디로 로그인", "네이버", "#03C75A", "#ffffff", "네이버 아이디 (이메일)",
                    ("이름", "이메일", "휴대폰번호")),
    "google": _Style("Google 계정으로 로그인", "Google", "#1a73e8", "#ffffff", "이메일",
                     ("이름", "이메일", "프로필 사진")),
    "facebook": _Style("Facebook으로 로그인", "Facebook", "#1877F2", "#ffffff", "이메일",
                       ("이름", "이메일")),
}


@dataclass
class _AuthorizeRequest:
    channel: str
    params: dict[str, str]
    outcome: str | None  # bound at the page's first display; honoured when the member submits


def _version_ok(request: Request) -> bool:
    version = str(request.path_params.get("version", "v19.0"))
    major, _, minor = version.removeprefix("v").partition(".")
    return version.startswith("v") and major.isdigit() and minor.isdigit()


class SnsPages:
    def __init__(self, shared: Shared, channel: str) -> None:
        self.shared = shared
        self.channel = channel
        self.style = STYLES[channel]
        self._requests: dict[str, _AuthorizeRequest] = {}

    @property
    def provider(self) -> SnsProvider:
        return self.shared.world.sns[self.channel]

    def _client_name(self, client_id: str) -> str:
        simulator_client = self.shared.world.sns_clients.get(self.channel, ("",))[0]
        return "무역투자24" if client_id == simulator_client else client_id

    def _sync_issuer(self, request: Request) -> None:
        """Google's issuer (and the endpoints in its discovery document) is ``B/google``."""
        provider = self.provider
        if isinstance(provider, GoogleProvider):
            provider.issuer = base_url(request) + "/google"

    # --- the login-and-consent page ---------------------------------------------------------

    def _error_page(self, request: Request, message: str) -> Response:
        return self.shared.error_page(
            request, message, title=self.style.title, brand=self.style.brand
        )

    def _login_page(
        self, request: Request, request_id: str, params: dict[str, str], error: str = "", login_id: str = ""
    ) -> Response:
        style = self.style
        return self.shared.page(
            request,
            "sns_login.html",
            {
                "title": style.title,
                "brand": style.brand,
                "accent": style.accent,
                "on_accent": style.on_accent,
                "login_label": style.login_label,
                "shared": style.shared,
                "provider_name": self.provider.display_name,
                "client_name": self._client_name(params.get("client_id", "")),
                "request_id": request_id,
                "error": error,
                "login_id": login_id,
            },
        )

    async def authorize_page(self, request: Request) -> Response:
        if not _version_ok(request):
            return self._error_page(request, "지원하지 않는 API 버전입니다.")
        params = dict(request.query_params)
        try:
            refused = self.provider.check_authorize_request(params)
        except ProviderError as error:
            return self._error_page(request, error.message)
        if refused is not None:
            return RedirectResponse(refused, status_code=302)
        request_id = secrets.token_urlsafe(18)
        while len(self._requests) >= _MAX_PENDING:
            del self._requests[next(iter(self._requests))]
        self._requests[request_id] = _AuthorizeRequest(
            self.channel, params, self.shared.take_outcome(self.channel)
        )
        return self._login_page(request, request_id, params)

    async def authorize_submit(self, request: Request) -> Response:
        if not _version_ok(request):
            return self._error_page(request, "지원하지 않는 API 버전입니다.")
        form = await request.form()
        request_id = text_field(form, "request")
        pending = self._requests.get(request_id)
        if pending is None:
            return self._error_page(request, MSG_UNKNOWN_REQUEST)
        action = text_field(form, "action")
        provider = self.provider
        try:
            if action == "cancel":
                target = provider.authorize(pending.params, None, False)
            elif action == "agree":
                login_id = text_field(form, "login_id")
                password = form.get("password")
                account = provider.login(login_id, password if isinstance(password, str) else "")
                if account is None:
                    return self._login_page(request, request_id, pending.params, MSG_WRONG_LOGIN, login_id)
                if pending.outcome in ("cancel", "deny"):
                    target = provider.authorize(pending.params, None, False)
                else:
                    target = provider.authorize(pending.params, account.subject, True)
                    if pending.outcome == "timeout":
                        code = parse_qs(urlsplit(target).query).get("code")
                        if code:
                            provider.expire_code(code[0])
            else:
                return self._error_page(request, "잘못된 요청입니다. (action)")
        except ProviderError as error:
            return self._error_page(request, error.message)
        del self._requests[request_id]
        return RedirectResponse(target, status_code=302)

    async def authorize(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.authorize_submit(request)
        return await self.authorize_page(request)

    # --- token ------------------------------------------------------------------------------

    async def _token_form(self, request: Request, *, query: bool, basic: bool) -> dict[str, str]:
        form: dict[str, str] = {}
        if query:
            form.update(request.query_params)
        if request.method == "POST":
            body = await request.form()
            form.update({key: value for key, value in body.items() if isinstance(value, str)})
        if basic:
            scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "basic" and credentials:
                try:
                    decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    decoded = ":"
                client_id, _, client_secret = decoded.partition(":")
                form["client_id"] = unquote_plus(client_id)
                form["client_secret"] = unquote_plus(client_secret)
        return form

    async def token(self, request: Request) -> Response:
        if not _version_ok(request):
            return json_response({"error": "invalid_request", "error_description": "unknown version"}, 400)
        channel = self.channel
        form = await self._token_form(
            request,
            query=channel in ("naver", "facebook"),
            basic=channel == "google",
        )
        self._sync_issuer(request)
        status, body = self.provider.token(form)
        return json_response(body, status, _NO_STORE)

    # --- user info --------------------------------------------------------------------------

    async def userinfo(self, request: Request) -> Response:
        if not _version_ok(request):
            return json_response({"error": "invalid_request", "error_description": "unknown version"}, 400)
        provider = self.provider
        token = bearer_token(request)
        if isinstance(provider, FacebookProvider):
            token = token or request.query_params.get("access_token", "")
            status, body = provider.userinfo(token, request.query_params.get("fields", "id,name"))
        else:
            status, body = provider.userinfo(token)
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else {}
        return json_response(body, status, headers)

    # --- Google extras ----------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        self._sync_issuer(request)
        provider = self.provider
        assert isinstance(provider, GoogleProvider)
        return json_response(provider.discovery())

    async def jwks(self, request: Request) -> Response:
        provider = self.provider
        assert isinstance(provider, GoogleProvider)
        return json_response(provider.jwks())

    async def revoke(self, request: Request) -> Response:
        form = await self._token_form(request, query=True, basic=False)
        if self.provider.revoke_token(form.get("token", "")):
            return json_response({})
        return json_response({"error": "invalid_token", "error_description": "Token expired or revoked"}, 400)


Endpoint = Callable[[Request], Awaitable[Response]]


def routes(shared: Shared, channel: str) -> list[BaseRoute]:
    """Routes of one SNS provider, to be mounted at ``/<channel>``."""
    pages = SnsPages(shared, channel)
    table: list[tuple[str, Endpoint, list[str]]] = [
        (AUTHORIZE_PATHS[channel], pages.authorize, ["GET", "POST"]),
    ]
    if channel == "kakao":
        table += [
            ("/oauth/token", pages.token, ["POST"]),
            ("/v2/user/me", pages.userinfo, ["GET", "POST"]),
        ]
    elif channel == "naver":
        table += [
            ("/oauth2.0/token", pages.token, ["GET", "POST"]),
            ("/v1/nid/me", pages.userinfo, ["GET"]),
        ]
    elif channel == "google":
        table += [
            ("/token", pages.token, ["POST"]),
            ("/v1/userinfo", pages.userinfo, ["GET", "POST"]),
            ("/.well-known/openid-configuration", pages.discovery, ["GET"]),
            ("/oauth2/v3/certs", pages.jwks, ["GET"]),
            ("/revoke", pages.revoke, ["POST"]),
        ]
    elif channel == "facebook":
        table += [
            ("/{version}/oauth/access_token", pages.token, ["GET", "POST"]),
            ("/{version}/me", pages.userinfo, ["GET"]),
        ]
    return [Route(path, endpoint, methods=methods) for path, endpoint, methods in table]
