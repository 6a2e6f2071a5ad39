"""KOTRA 서비스 as a member uses them: 온라인 상담, 설명회 신청, 기타 서비스 신청 ([신청하기]),
서비스 마일리지 사용 ([사용하기]), 기업정보 수정 (기업 범용인증서 사용 시), and 소속직원 승인
((구) 정회원 승인, MASTER 권한 넘기기, 관계 해지). Every refusal is the entitlement matrix's message."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain import bizno as bizno_rules
from ..domain.entitlements import NEW
from ..domain.errors import Refusal
from ..service_layer import member_services
from ..service_layer.company_registration import CompanyDetails
from . import certificate
from .common import action, call, ctx_of, flash, member_token, page, path, redirect, refill, render, text

APPLICATIONS = {  # route name -> (service, what the member writes)
    "online_consultation": ("온라인 상담", "상담 내용"),
    "briefing": ("설명회 신청", "신청 내용"),
    "other_service": ("기타 서비스 신청", "신청 내용"),
}
EDIT_FIELDS = (("name", "기업명"), ("representative", "대표자명"), ("address", "주소"), ("industry", "업종"),
               ("homepage", "홈페이지"))


async def services(request: Request) -> Response:
    return await render(request, "services.html", {"title": "KOTRA 서비스", "applications": APPLICATIONS})


# --- 온라인 상담 / 설명회 신청 / 기타 서비스 신청 -------------------------------------------------

async def _apply_page(request: Request, key: str, form: dict[str, str] | None = None,
                      alert: str | None = None) -> Response:
    service, field_label = APPLICATIONS[key]
    return await render(request, "service_apply.html",
                        {"title": service, "service": service, "field_label": field_label, "key": key,
                         "form": form or {}}, alert=alert)


def _application_endpoints(key: str) -> tuple[Any, Any]:
    async def show(request: Request) -> Response:
        return await _apply_page(request, key)

    async def apply(request: Request) -> Response:
        """[신청하기]."""
        form = await request.form()
        values = refill(form, "detail")
        service = APPLICATIONS[key][0]
        try:
            result = await call(request, member_services.apply, ctx_of(request), member_token(request), service,
                                values["detail"])
        except Refusal as refusal:
            return await _apply_page(request, key, values, alert=refusal.message)
        earned = f", 적립 마일리지 {result['적립 마일리지']}점" if result["적립 마일리지"] else ""
        flash(request, f"신청이 완료되었습니다. (서비스: {service}, 신청번호 {result['신청번호']}{earned})")
        return redirect(path(request, key))

    show.__name__, apply.__name__ = key, f"{key}_apply"
    return show, apply


# --- 서비스 마일리지 사용 ----------------------------------------------------------------------

async def _mileage_page(request: Request, form: dict[str, str] | None = None, alert: str | None = None) -> Response:
    balance: int | None = None
    token = member_token(request)
    if token:
        try:
            balance = (await call(request, member_services.my_participation, ctx_of(request), token))["마일리지"]
        except Refusal:
            balance = None
    return await render(request, "service_mileage.html",
                        {"title": "서비스 마일리지 사용", "balance": balance, "form": form or {}}, alert=alert)


async def mileage(request: Request) -> Response:
    return await _mileage_page(request)


async def mileage_use(request: Request) -> Response:
    """사용할 마일리지 입력 후 [사용하기]."""
    form = await request.form()
    values = refill(form, "points", "purpose")
    try:
        digits = values["points"].replace(",", "")
        if not digits.isdigit():
            raise Refusal("mileage_amount", "사용할 마일리지를 숫자로 입력해 주세요.")
        left = await call(request, member_services.use_mileage, ctx_of(request), member_token(request),
                          int(digits[:9]), values["purpose"] or "서비스 마일리지 사용")
    except Refusal as refusal:
        return await _mileage_page(request, values, alert=refusal.message)
    flash(request, f"서비스 마일리지 {int(digits)}점을 사용했습니다. 남은 마일리지: {left}점")
    return redirect(path(request, "mileage"))


# --- 기업정보 수정 (회원) -----------------------------------------------------------------------

async def _edit_page(request: Request, form: dict[str, str] | None = None, alert: str | None = None) -> Response:
    return await render(request, "service_company_edit.html",
                        {"title": "기업정보 수정", "fields": EDIT_FIELDS, "form": form or {}}, alert=alert)


async def member_company_edit(request: Request) -> Response:
    return await _edit_page(request)


async def member_company_edit_save(request: Request) -> Response:
    """[기업정보 수정] without a certificate ((신) refuses: 기업 범용인증서 사용 시에만)."""
    form = await request.form()
    values = refill(form, *(name for name, _ in EDIT_FIELDS))
    try:
        await call(request, member_services.edit_company, ctx_of(request), member_token(request),
                   CompanyDetails(**values))
    except Refusal as refusal:
        return await _edit_page(request, values, alert=refusal.message)
    flash(request, "기업정보가 수정되었습니다.")
    return redirect(path(request, "member_company_edit"))


async def member_company_edit_certificate(request: Request) -> Response:
    """[기업인증하기]: 기업 범용인증서로 인증하고 기업정보 수정."""
    form = await request.form()
    values = refill(form, *(name for name, _ in EDIT_FIELDS))
    ctx, token = ctx_of(request), member_token(request)
    try:
        await call(request, member_services.may_use, ctx, token, "기업정보 수정")
        info = await call(request, member_services.my_info, ctx, token)
        number = info.get("소속기업 사업자등록번호")
        if not number:  # (구) scheme: edited without a certificate; (신): the services say why not
            await call(request, member_services.edit_company, ctx, token, CompanyDetails(**values))
            flash(request, "기업정보가 수정되었습니다.")
            return redirect(path(request, "member_company_edit"))
    except Refusal as refusal:
        return await _edit_page(request, values, alert=refusal.message)
    return await certificate.start(request, purpose="member_company_edit", bizno=bizno_rules.normalize(number),
                                   back=path(request, "member_company_edit"), data=values)


async def member_company_edit_returned(request: Request, pending: certificate.CertificatePending) -> Response:
    await call(request, member_services.edit_company, ctx_of(request), member_token(request),
               CompanyDetails(**pending.data), pending.challenge_id, pending.presented)
    flash(request, "기업인증 후 기업정보가 수정되었습니다.")
    return redirect(pending.back)


# --- 소속직원 승인 / (구) 정회원 승인, MASTER 권한 넘기기, 관계 해지 --------------------------------

async def _colleagues_page(request: Request, alert: str | None = None) -> Response:
    return await render(request, "service_colleagues.html",
                        {"title": "소속직원 승인 및 관리", "new_scheme": ctx_of(request).scheme() == NEW}, alert=alert)


async def colleagues(request: Request) -> Response:
    return await _colleagues_page(request)


async def _colleague_action(request: Request, fn: Any, done: str) -> Response:
    form = await request.form()
    user_id = text(form, "user_id", limit=100)
    try:
        await call(request, fn, ctx_of(request), member_token(request), user_id)
    except Refusal as refusal:
        return await _colleagues_page(request, alert=refusal.message)
    flash(request, done.format(user_id=user_id))
    return redirect(path(request, "colleagues"))


async def colleague_approve(request: Request) -> Response:
    """(신) 신규 가입한 소속기업직원 승인 / (구) 정회원 승인."""
    return await _colleague_action(request, member_services.approve_colleague, "{user_id} 회원을 승인했습니다.")


async def colleague_transfer(request: Request) -> Response:
    """(구) MASTER 권한 넘기기."""
    return await _colleague_action(request, member_services.transfer_master,
                                   "{user_id} 회원에게 MASTER 권한을 넘겼습니다.")


async def colleague_release(request: Request) -> Response:
    """(구) 관계 해지."""
    return await _colleague_action(request, member_services.release_relation,
                                   "{user_id} 회원과의 관계를 해지했습니다.")


def _routes() -> list[Any]:
    found = [page("/services", services)]
    paths = {"online_consultation": "/services/online-consultation", "briefing": "/services/briefing",
             "other_service": "/services/other"}
    for key, route_path in paths.items():
        show, apply = _application_endpoints(key)
        found += [page(route_path, show, name=key), action(route_path, apply, name=f"{key}_apply")]
    return [
        *found,
        page("/services/mileage", mileage),
        action("/services/mileage", mileage_use),
        page("/services/company-edit", member_company_edit),
        action("/services/company-edit", member_company_edit_save),
        action("/services/company-edit/certificate", member_company_edit_certificate),
        page("/services/colleagues", colleagues),
        action("/services/colleagues/approve", colleague_approve),
        action("/services/colleagues/transfer", colleague_transfer),
        action("/services/colleagues/release", colleague_release),
    ]


routes = _routes()

certificate_purposes = {"member_company_edit": member_company_edit_returned}
