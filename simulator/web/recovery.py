"""[아이디 찾기] (휴대폰 / 간편인증 / 이메일) and [비밀번호 재설정]
(아이디 및 회원명 → 휴대폰 / 신용카드 / 간편인증 → 변경 비밀번호 → [저장하기])."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ..domain import policy
from ..domain.errors import Refusal
from ..service_layer import recovery
from . import realname
from .common import action, call, ctx_of, page, parse_birth_date, path, redirect, refill, render, secret, text
from .security import browser
from .throttling import throttled

FIND_TABS = (("phone", "휴대폰"), ("simple", "간편인증"), ("email", "이메일"))
RESET_STEPS = ("아이디 및 회원명 입력", "본인인증", "변경 비밀번호 입력", "완료")
SIMPLE_FIELDS = ("app", "name", "birth_date", "phone")


# --- 아이디 찾기 ------------------------------------------------------------------------------

async def _find_page(request: Request, tab: str, form: dict[str, str] | None = None,
                     alert: str | None = None) -> Response:
    tab = tab if tab in dict(FIND_TABS) else "phone"
    return await render(request, "find_id.html", {"title": "아이디 찾기", "tabs": FIND_TABS, "tab": tab,
                                                  "form": form or {}}, alert=alert)


async def _results(request: Request, found: list[dict[str, str]]) -> Response:
    return await render(request, "find_id_result.html", {"title": "아이디 찾기 결과", "found": found})


async def find_id(request: Request) -> Response:
    return await _find_page(request, request.query_params.get("tab", "phone"))


async def find_id_phone(request: Request) -> Response:
    """① 휴대폰: 이름 및 휴대폰번호 입력 후 [조회]."""
    if (refused := await throttled(request, policy.FIND_ID_PER_ADDRESS, "아이디 찾기")) is not None:
        return refused
    form = await request.form()
    values = refill(form, "name", "phone")
    try:
        found = await call(request, recovery.find_id_by_phone, ctx_of(request), values["name"], values["phone"])
    except Refusal as refusal:
        return await _find_page(request, "phone", values, alert=refusal.message)
    return await _results(request, found)


async def find_id_email(request: Request) -> Response:
    """③ 이메일: 이름 및 이메일 입력 후 [조회]."""
    if (refused := await throttled(request, policy.FIND_ID_PER_ADDRESS, "아이디 찾기")) is not None:
        return refused
    form = await request.form()
    values = refill(form, "name", "email")
    try:
        found = await call(request, recovery.find_id_by_email, ctx_of(request), values["name"], values["email"])
    except Refusal as refusal:
        return await _find_page(request, "email", values, alert=refusal.message)
    return await _results(request, found)


async def find_id_simple(request: Request) -> Response:
    """② 간편인증: 선호하는 SNS 혹은 금융인증서 선택 + 이름, 생년월일, 휴대폰번호 → [인증 요청]."""
    if (refused := await throttled(request, policy.FIND_ID_PER_ADDRESS, "아이디 찾기")) is not None:
        return refused
    form = await request.form()
    try:
        flow_id = await call(request, recovery.start_find_id_by_simple_auth, ctx_of(request), text(form, "app"),
                             text(form, "name"), parse_birth_date(text(form, "birth_date")), text(form, "phone"))
    except Refusal as refusal:
        return await _find_page(request, "simple", refill(form, *SIMPLE_FIELDS), alert=refusal.message)
    browser(request).data["find_id"] = {"flow": flow_id}
    return redirect(path(request, "find_id_wait"))


def _find_wait_context(request: Request) -> dict[str, Any]:
    return {"title": "아이디 찾기 - 간편인증", "page_title": "아이디 찾기", "heading": "간편인증으로 찾기",
            "action_url": path(request, "find_id_simple_done"), "back_url": path(request, "find_id") + "?tab=simple"}


async def find_id_wait(request: Request) -> Response:
    return await render(request, "simple_auth_wait.html", _find_wait_context(request))


async def find_id_simple_done(request: Request) -> Response:
    """해당 채널 로그인 및 인증 확인 → [인증 완료] → 아이디 및 가입일자."""
    state = browser(request).data.get("find_id") or {}
    try:
        found = await call(request, recovery.find_id_by_simple_auth, ctx_of(request), state.get("flow", ""))
    except Refusal as refusal:
        return await render(request, "simple_auth_wait.html", _find_wait_context(request), alert=refusal.message)
    browser(request).data.pop("find_id", None)
    return await _results(request, found)


# --- 비밀번호 재설정 ---------------------------------------------------------------------------

def _reset_flow(request: Request) -> str:
    state = browser(request).data.get("reset") or {}
    return str(state.get("flow", ""))


async def _reset_page(request: Request, template: str, step: int, context: dict[str, Any] | None = None,
                      alert: str | None = None) -> Response:
    return await render(request, template, {"title": f"비밀번호 재설정 - {RESET_STEPS[step - 1]}",
                                            "page_title": "비밀번호 재설정", "steps": RESET_STEPS, "step": step,
                                            **(context or {})}, alert=alert)


async def reset_start(request: Request) -> Response:
    return await _reset_page(request, "password_reset_start.html", 1)


async def reset_begin(request: Request) -> Response:
    """회원가입 시 등록된 아이디 및 회원명 입력 → [확인]."""
    if (refused := await throttled(request, policy.RESET_PER_ADDRESS, "비밀번호 재설정")) is not None:
        return refused
    form = await request.form()
    values = refill(form, "user_id", "name")
    try:
        flow_id = await call(request, recovery.start_reset, ctx_of(request), values["user_id"], values["name"])
    except Refusal as refusal:
        return await _reset_page(request, "password_reset_start.html", 1, {"form": values}, alert=refusal.message)
    browser(request).data["reset"] = {"flow": flow_id}
    return redirect(path(request, "reset_verify"))


async def reset_verify(request: Request) -> Response:
    return await _reset_page(request, "password_reset_verify.html", 2)


async def _verify(request: Request, method: str, transaction_id: str) -> str | None:
    try:
        await call(request, recovery.verify_identity, ctx_of(request), _reset_flow(request), method, transaction_id)
    except Refusal as refusal:
        return refusal.message
    return None


async def _open_window(request: Request, method: str) -> Response:
    ctx, flow = ctx_of(request), _reset_flow(request)
    return await realname.open_window(
        request, lambda url: recovery.begin_identity(ctx, flow, method, url), "reset_verify_return",
        lambda message: _reset_page(request, "password_reset_verify.html", 2, alert=message))


async def reset_verify_phone(request: Request) -> Response:
    """인증방법 ① 휴대폰인증."""
    return await _open_window(request, "phone")


async def reset_verify_card(request: Request) -> Response:
    """인증방법 ② 카드인증."""
    return await _open_window(request, "card")


async def reset_verify_return(request: Request) -> Response:
    return await realname.returned(
        request, lambda method, tid: _verify(request, method, tid), path(request, "reset_new"),
        lambda message: _reset_page(request, "password_reset_verify.html", 2, alert=message))


def _simple_context(request: Request, form: FormData | None = None) -> dict[str, Any]:
    return {"heading": "본인인증 - 간편인증", "action_url": path(request, "reset_simple_request"),
            "back_url": path(request, "reset_verify"), "form": refill(form, *SIMPLE_FIELDS) if form else {}}


async def reset_simple_form(request: Request) -> Response:
    """인증방법 ③ 간편인증."""
    return await _reset_page(request, "simple_auth_form.html", 2, _simple_context(request))


async def reset_simple_request(request: Request) -> Response:
    form = await request.form()
    try:
        started = await call(request, recovery.request_simple_identity, ctx_of(request), _reset_flow(request),
                             text(form, "app"), text(form, "name"), parse_birth_date(text(form, "birth_date")),
                             text(form, "phone"))
    except Refusal as refusal:
        return await _reset_page(request, "simple_auth_form.html", 2, _simple_context(request, form),
                                 alert=refusal.message)
    browser(request).data.setdefault("reset", {})["receipt"] = started.id
    return redirect(path(request, "reset_simple_wait"))


def _wait_context(request: Request) -> dict[str, Any]:
    return {"heading": "본인인증 - 간편인증", "action_url": path(request, "reset_simple_done"),
            "back_url": path(request, "reset_simple_form")}


async def reset_simple_wait(request: Request) -> Response:
    return await _reset_page(request, "simple_auth_wait.html", 2, _wait_context(request))


async def reset_simple_done(request: Request) -> Response:
    state = browser(request).data.get("reset") or {}
    refused = await _verify(request, "simple", str(state.get("receipt", "")))
    if refused:
        return await _reset_page(request, "simple_auth_wait.html", 2, _wait_context(request), alert=refused)
    return redirect(path(request, "reset_new"))


async def reset_new(request: Request) -> Response:
    return await _reset_page(request, "password_reset_new.html", 3)


async def reset_save(request: Request) -> Response:
    """변경 비밀번호 입력 후 [저장하기]."""
    form = await request.form()
    try:
        await call(request, recovery.save_password, ctx_of(request), _reset_flow(request), secret(form, "password"),
                   secret(form, "password_confirm"))
    except Refusal as refusal:
        return await _reset_page(request, "password_reset_new.html", 3, alert=refusal.message)
    browser(request).data.pop("reset", None)
    return redirect(path(request, "reset_done"))


async def reset_done(request: Request) -> Response:
    return await _reset_page(request, "password_reset_done.html", 4)


routes = [
    page("/find-id", find_id),
    action("/find-id/phone", find_id_phone),
    action("/find-id/email", find_id_email),
    action("/find-id/simple", find_id_simple),
    page("/find-id/simple/confirm", find_id_wait),
    action("/find-id/simple/confirm", find_id_simple_done),
    page("/password-reset", reset_start),
    action("/password-reset", reset_begin),
    page("/password-reset/verify", reset_verify),
    action("/password-reset/verify/phone", reset_verify_phone),
    action("/password-reset/verify/card", reset_verify_card),
    page("/password-reset/verify/return", reset_verify_return),
    page("/password-reset/verify/simple", reset_simple_form),
    action("/password-reset/verify/simple", reset_simple_request),
    page("/password-reset/verify/simple/confirm", reset_simple_wait),
    action("/password-reset/verify/simple/confirm", reset_simple_done),
    page("/password-reset/new", reset_new),
    action("/password-reset/new", reset_save),
    page("/password-reset/done", reset_done),
]
