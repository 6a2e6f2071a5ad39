"""기업정보 관리자 (after [기업정보 관리 로그인] or [공동인증서 로그인]): [기업인증],
[기업정보 수정] → [기업정보 변경], 승인비밀번호 변경, 소속직원 관리 (관계 해지)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain import bizno as bizno_rules
from ..domain.errors import Refusal
from ..service_layer import company_admin
from ..service_layer.company_registration import CompanyDetails
from . import certificate
from .common import action, call, company_token, ctx_of, flash, page, path, redirect, refill, render, secret, text
from .home import company_mykotra

EDIT_FIELDS = (("name", "기업명"), ("representative", "대표자명"), ("address", "주소"), ("industry", "업종"),
               ("homepage", "홈페이지"))


async def admin_authenticate(request: Request) -> Response:
    """[기업인증]: 기업 범용인증서로 기업 인증절차 진행."""
    form = await request.form()
    back = path(request, "admin_edit") if text(form, "back") == "edit" else path(request, "mykotra")
    try:
        info = await call(request, company_admin.company_info, ctx_of(request), company_token(request))
    except Refusal as refusal:
        return await render(request, "error.html", {"title": "기업인증"}, alert=refusal.message)
    return await certificate.start(request, purpose="company_admin", back=back,
                                   bizno=bizno_rules.normalize(info["사업자등록번호"]))


async def admin_authenticated(request: Request, pending: certificate.CertificatePending) -> Response:
    await call(request, company_admin.authenticate, ctx_of(request), company_token(request), pending.challenge_id,
               pending.presented)
    flash(request, "기업인증이 완료되었습니다. 기업정보 수정 및 승인비밀번호 변경이 가능합니다.")
    return redirect(pending.back)


async def _edit_page(request: Request, values: dict[str, str] | None = None, alert: str | None = None) -> Response:
    try:
        info = await call(request, company_admin.company_info, ctx_of(request), company_token(request))
    except Refusal as refusal:
        return await render(request, "error.html", {"title": "기업정보 수정"}, alert=refusal.message, status=401)
    current: dict[str, Any] = {name: info.get(label) or "" for name, label in EDIT_FIELDS}
    return await render(request, "company_admin_edit.html",
                        {"title": "기업정보 수정", "company": info, "fields": EDIT_FIELDS,
                         "form": values if values is not None else current}, alert=alert)


async def admin_edit(request: Request) -> Response:
    """[기업정보 수정]: 반드시 기업인증 절차를 거친 후 수정 가능."""
    return await _edit_page(request)


async def admin_edit_save(request: Request) -> Response:
    """[기업정보 변경]."""
    form = await request.form()
    values = refill(form, *(name for name, _ in EDIT_FIELDS))
    try:
        await call(request, company_admin.edit, ctx_of(request), company_token(request), CompanyDetails(**values))
    except Refusal as refusal:
        return await _edit_page(request, values, alert=refusal.message)
    flash(request, "기업정보가 변경되었습니다.")
    return redirect(path(request, "mykotra"))


async def admin_approval_password(request: Request) -> Response:
    """승인비밀번호 변경 (기업인증 후): the share notice follows."""
    form = await request.form()
    try:
        notice = await call(request, company_admin.change_approval_password, ctx_of(request), company_token(request),
                            secret(form, "approval_password"), secret(form, "approval_password_confirm"))
    except Refusal as refusal:
        return await company_mykotra(request, alert=refusal.message)
    flash(request, notice)
    return redirect(path(request, "mykotra"))


async def admin_release(request: Request) -> Response:
    """소속직원 관리: [관계 해지]."""
    form = await request.form()
    user_id = text(form, "user_id", limit=100)
    try:
        await call(request, company_admin.release, ctx_of(request), company_token(request), user_id)
    except Refusal as refusal:
        return await company_mykotra(request, alert=refusal.message)
    flash(request, f"소속직원 {user_id}의 관계 해지가 완료되었습니다.")
    return redirect(path(request, "mykotra"))


routes = [
    action("/company-admin/authenticate", admin_authenticate),
    page("/company-admin/edit", admin_edit),
    action("/company-admin/edit", admin_edit_save),
    action("/company-admin/approval-password", admin_approval_password),
    action("/company-admin/employees/release", admin_release),
]

certificate_purposes = {"company_admin": admin_authenticated}
