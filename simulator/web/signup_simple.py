"""회원가입 - 간편회원: 선호하는 SNS채널 선택 → 선택한 채널 본인계정으로 로그인 →
약관동의 후 [가입하기] → 간편회원 가입 완료."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import Refusal
from ..service_layer import signup
from . import oauth
from .common import action, call, checked, ctx_of, page, path, redirect, render, text
from .security import browser


async def simple_channels(request: Request) -> Response:
    return await render(request, "signup_simple_channels.html", {"title": "간편회원 가입"})


async def simple_choose(request: Request) -> Response:
    """선호하는 SNS채널 선택 → the provider's login page."""
    form = await request.form()
    try:
        flow_id, auth_request = await call(request, signup.start_simple, ctx_of(request), text(form, "channel"))
    except Refusal as refusal:
        return await render(request, "signup_simple_channels.html", {"title": "간편회원 가입"}, alert=refusal.message)
    browser(request).data["sns"] = {"purpose": "signup", "flow": flow_id, "channel": auth_request.channel}
    return redirect(oauth.authorize_url(request, auth_request))


async def sns_returned(request: Request, pending: dict) -> Response:
    """The SNS callback of a 간편회원 가입: check state, fetch the profile → 약관동의."""
    params = request.query_params
    session = browser(request)
    try:
        profile = await call(request, signup.sns_returned, ctx_of(request), pending["flow"],
                             code=params.get("code") or None, state=params.get("state", ""),
                             error=params.get("error") or None)
    except Refusal as refusal:
        if refusal.code != "sns_state_mismatch":
            session.data.pop("sns", None)
        return await render(request, "signup_simple_channels.html", {"title": "간편회원 가입"}, alert=refusal.message)
    session.data.pop("sns", None)
    session.data["simple_signup"] = {"flow": pending["flow"], "profile": profile}
    return redirect(path(request, "simple_terms"))


async def simple_terms(request: Request) -> Response:
    state = browser(request).data.get("simple_signup") or {}
    return await render(request, "signup_simple_terms.html",
                        {"title": "간편회원 가입 - 약관동의", "profile": state.get("profile")})


async def simple_join(request: Request) -> Response:
    """약관동의 후 [가입하기]."""
    form = await request.form()
    session = browser(request)
    state = session.data.get("simple_signup") or {}
    try:
        member = await call(request, signup.finish_simple, ctx_of(request), state.get("flow", ""),
                            terms=checked(form, "terms"), privacy=checked(form, "privacy"))
    except Refusal as refusal:
        return await render(request, "signup_simple_terms.html",
                            {"title": "간편회원 가입 - 약관동의", "profile": state.get("profile")},
                            alert=refusal.message)
    session.data.pop("simple_signup", None)
    session.data["simple_done"] = {"name": member.name, "channel": member.channel_label}
    return redirect(path(request, "simple_done"))


async def simple_done(request: Request) -> Response:
    done = browser(request).data.get("simple_done") or {}
    return await render(request, "signup_simple_done.html", {"title": "간편회원 가입 완료", "done": done})


routes = [
    page("/signup/simple", simple_channels),
    action("/signup/simple", simple_choose),
    page("/signup/simple/terms", simple_terms),
    action("/signup/simple/terms", simple_join),
    page("/signup/simple/done", simple_done),
]
