"""[로그인]: [간편회원] (SNS 채널), [일반회원] (아이디, 비밀번호), [기업정보 관리 로그인]
(사업자등록번호, 비밀번호) and [공동인증서 로그인] (소속기업 범용인증서); links to
[아이디 찾기] and [비밀번호 재설정]. A (구) member's login goes on to 기존 회원 전환."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from ..domain import bizno as bizno_rules
from ..domain.errors import Refusal
from ..service_layer import auth, company_admin
from . import certificate, oauth
from .common import action, call, ctx_of, login_of, page, path, redirect, refill, render, secret, text
from .security import browser, rotate

TABS = (("simple", "간편회원"), ("general", "일반회원"), ("company", "기업정보 관리 로그인"),
        ("certificate", "공동인증서 로그인"))


async def establish(request: Request, kind: str, token: str) -> None:
    """A new login: end the previous one, give the browser a new id, remember the token."""
    previous = login_of(request)
    if previous:
        await call(request, auth.logout, ctx_of(request), previous["token"])
    rotate(request)
    data = browser(request).data
    data.pop("conversion", None)
    data["auth"] = {"kind": kind, "token": token}


async def _login_page(request: Request, tab: str, form: dict[str, Any] | None = None,
                      alert: str | None = None) -> Response:
    tab = tab if tab in dict(TABS) else "general"
    return await render(request, "login.html", {"title": "로그인", "tabs": TABS, "tab": tab, "form": form or {}},
                        alert=alert)


async def login(request: Request) -> Response:
    return await _login_page(request, request.query_params.get("tab", "general"))


async def login_general(request: Request) -> Response:
    """[일반회원] → ID 및 비밀번호 입력 후 [로그인]."""
    form = await request.form()
    user_id, password = text(form, "user_id", limit=100), secret(form, "password")
    ctx = ctx_of(request)
    try:
        # The hash is checked outside the one-at-a-time service lock, so logins run on every core.
        stored = await call(request, auth.stored_password_hash, ctx, user_id)
        checked = auth.PasswordCheck(stored, await anyio.to_thread.run_sync(ctx.hasher.verify, stored, password))
        result = await call(request, auth.login_general, ctx, user_id, password, checked=checked)
    except Refusal as refusal:
        return await _login_page(request, "general", refill(form, "user_id"), alert=refusal.message)
    if result.conversion_flow:
        rotate(request)  # the conversion flow may reset this account's password
        browser(request).data["conversion"] = {"flow": result.conversion_flow}
        return redirect(path(request, "conversion"))
    await establish(request, "member", result.token or "")
    return redirect(path(request, "home"))


async def login_simple(request: Request) -> Response:
    """[간편회원] → 기가입한 SNS 채널 확인 후 로그인."""
    form = await request.form()
    try:
        flow_id, auth_request = await call(request, auth.start_simple_login, ctx_of(request), text(form, "channel"))
    except Refusal as refusal:
        return await _login_page(request, "simple", alert=refusal.message)
    browser(request).data["sns"] = {"purpose": "login", "flow": flow_id, "channel": auth_request.channel}
    return redirect(oauth.authorize_url(request, auth_request))


async def sns_returned(request: Request, pending: dict[str, Any]) -> Response:
    """The SNS callback of a 간편회원 로그인."""
    params = request.query_params
    data = browser(request).data
    try:
        result = await call(request, auth.finish_simple_login, ctx_of(request), pending["flow"],
                            code=params.get("code") or None, state=params.get("state", ""),
                            error=params.get("error") or None)
    except Refusal as refusal:
        if refusal.code != "sns_state_mismatch":
            data.pop("sns", None)
        return await _login_page(request, "simple", alert=refusal.message)
    data.pop("sns", None)
    await establish(request, "member", result.token or "")
    return redirect(path(request, "home"))


async def login_company(request: Request) -> Response:
    """[기업정보 관리 로그인] → 사업자등록번호 및 비밀번호 입력 → [로그인]."""
    form = await request.form()
    try:
        token = await call(request, company_admin.login_password, ctx_of(request), text(form, "bizno", limit=40),
                           secret(form, "password"))
    except Refusal as refusal:
        return await _login_page(request, "company", refill(form, "bizno"), alert=refusal.message)
    await establish(request, "company", token)
    return redirect(path(request, "home"))


async def login_certificate(request: Request) -> Response:
    """[공동인증서 로그인]: 소속기업 범용인증서 인증 후 로그인."""
    form = await request.form()
    try:
        number = bizno_rules.parse(text(form, "bizno", limit=40))
    except Refusal as refusal:
        return await _login_page(request, "certificate", refill(form, "bizno"), alert=refusal.message)
    return await certificate.start(request, purpose="company_login", bizno=number,
                                   back=path(request, "login") + "?tab=certificate")


async def certificate_login_returned(request: Request, pending: certificate.CertificatePending) -> Response:
    token = await call(request, company_admin.login_certificate, ctx_of(request), pending.bizno,
                       pending.challenge_id, pending.presented)
    await establish(request, "company", token)
    return redirect(path(request, "home"))


routes = [
    page("/login", login),
    action("/login", login_general),
    action("/login/simple", login_simple),
    action("/login/company", login_company),
    action("/login/certificate", login_certificate),
]

certificate_purposes = {"company_login": certificate_login_returned}
