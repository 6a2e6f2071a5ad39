"""기존 회원 전환: a (구) member's first login under the new scheme —
기존 회원정보 확인 → 비밀번호 재설정 → 이용약관 및 개인정보 수집이용동의 →
(소속기업이 있는 경우 [소속기업 등록]) → [mykotra]."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import Refusal
from ..service_layer import migration
from .common import action, call, checked, ctx_of, page, path, redirect, render, secret
from .login import establish
from .security import browser

STEPS = ("기존 회원정보 확인", "비밀번호 재설정", "이용약관 및 개인정보 수집이용동의", "전환 완료")


def _flow(request: Request) -> str:
    state = browser(request).data.get("conversion") or {}
    return str(state.get("flow", ""))


async def _page(request: Request, template: str, step: int, context: dict[str, Any] | None = None,
                alert: str | None = None) -> Response:
    return await render(request, template, {"title": f"기존 회원 전환 - {STEPS[step - 1]}", "steps": STEPS,
                                            "step": step, **(context or {})}, alert=alert)


async def conversion(request: Request) -> Response:
    """기존 회원정보 확인 후 선택."""
    try:
        info = await call(request, migration.existing_info, ctx_of(request), _flow(request))
    except Refusal as refusal:
        return await _page(request, "conversion_info.html", 1, {"info": None}, alert=refusal.message)
    return await _page(request, "conversion_info.html", 1, {"info": info})


async def conversion_confirm(request: Request) -> Response:
    """[본인 맞음] / [본인 아님]."""
    form = await request.form()
    try:
        await call(request, migration.confirm, ctx_of(request), _flow(request), is_me=form.get("answer") == "yes")
    except Refusal as refusal:
        browser(request).data.pop("conversion", None)
        return await _page(request, "conversion_info.html", 1, {"info": None}, alert=refusal.message)
    return redirect(path(request, "conversion_password"))


async def conversion_password(request: Request) -> Response:
    return await _page(request, "conversion_password.html", 2)


async def conversion_password_save(request: Request) -> Response:
    """비밀번호 재설정 후 [확인]."""
    form = await request.form()
    try:
        await call(request, migration.reset_password, ctx_of(request), _flow(request), secret(form, "password"),
                   secret(form, "password_confirm"))
    except Refusal as refusal:
        return await _page(request, "conversion_password.html", 2, alert=refusal.message)
    return redirect(path(request, "conversion_terms"))


async def conversion_terms(request: Request) -> Response:
    return await _page(request, "conversion_terms.html", 3)


async def conversion_consent(request: Request) -> Response:
    """이용약관 및 개인정보 수집이용동의 확인 후 [확인] → 전환 완료, logged in."""
    form = await request.form()
    try:
        result = await call(request, migration.consent, ctx_of(request), _flow(request),
                            terms=checked(form, "terms"), privacy=checked(form, "privacy"))
    except Refusal as refusal:
        return await _page(request, "conversion_terms.html", 3, alert=refusal.message)
    await establish(request, "member", result["token"])
    browser(request).data["conversion_done"] = {"offer_company": bool(result["offer_company"])}
    return redirect(path(request, "conversion_done"))


async def conversion_done(request: Request) -> Response:
    done = browser(request).data.get("conversion_done") or {}
    return await _page(request, "conversion_done.html", 4, {"offer_company": done.get("offer_company", False)})


routes = [
    page("/conversion", conversion),
    action("/conversion/confirm", conversion_confirm),
    page("/conversion/password", conversion_password),
    action("/conversion/password", conversion_password_save),
    page("/conversion/terms", conversion_terms),
    action("/conversion/terms", conversion_consent),
    page("/conversion/done", conversion_done),
]
