"""소속기업 등록 (mykotra: [검색] → 승인비밀번호 or [기업인증하기]) and 기업정보 등록
(STEP1. 약관동의 ▶ STEP2. 기업 인증 ▶ STEP3. 기업 정보 입력 ▶ STEP4. 기업정보 등록 완료)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain import bizno as bizno_rules
from ..domain import policy
from ..domain.errors import Refusal
from ..service_layer import affiliation, company_registration, signup
from ..service_layer.company_registration import SCAN_MAX_BYTES, CompanyDetails, Scan
from . import certificate
from .common import (
    action,
    call,
    checked,
    ctx_of,
    flash,
    member_token,
    page,
    path,
    redirect,
    refill,
    render,
    secret,
    text,
    upload,
)
from .security import browser
from .throttling import throttled

STEPS = ("STEP1. 약관동의", "STEP2. 기업 인증", "STEP3. 기업 정보 입력", "STEP4. 기업정보 등록 완료")
NEW_COMPANY_FIELDS = ("name", "representative", "address")


def _found(found: affiliation.CompanySearch) -> dict[str, str]:
    return {"bizno": bizno_rules.display(found.bizno), "outcome": found.outcome, "name": found.name,
            "representative": found.representative, "address": found.address, "guidance": found.guidance}


# --- 소속기업 등록 (mykotra) ---------------------------------------------------------------------

async def _affiliation_page(request: Request, bizno: str = "", alert: str | None = None,
                            notice: str | None = None) -> Response:
    search = browser(request).data.get("affiliation_search")
    return await render(request, "affiliation.html",
                        {"title": "소속기업 등록", "search": search,
                         "form": {"bizno": bizno or (search or {}).get("bizno", "")}},
                        alert=alert, notice=notice)


async def affiliation_page(request: Request) -> Response:
    return await _affiliation_page(request)


async def affiliation_search(request: Request) -> Response:
    """소속기업의 사업자번호 입력 후 [검색]."""
    form = await request.form()
    raw = text(form, "bizno", limit=40)
    data = browser(request).data
    try:
        found = await call(request, affiliation.search, ctx_of(request), raw)
    except Refusal as refusal:
        data.pop("affiliation_search", None)
        return await _affiliation_page(request, bizno=raw, alert=refusal.message)
    data["affiliation_search"] = _found(found)
    return await _affiliation_page(request, notice=found.guidance)


async def affiliation_join(request: Request) -> Response:
    """승인비밀번호(6자리) 입력 후 [소속기업 등록]: 별도 승인 없이 자동으로 소속기업 회원이 된다."""
    if (refused := await throttled(request, policy.APPROVAL_PER_ADDRESS, "소속기업 등록")) is not None:
        return refused
    form = await request.form()
    raw = text(form, "bizno", limit=40)
    choice = signup.CompanyChoice(raw, approval_password=secret(form, "approval_password"))
    try:
        member = await call(request, affiliation.join, ctx_of(request), member_token(request), choice)
    except Refusal as refusal:
        return await _affiliation_page(request, alert=refusal.message)
    browser(request).data.pop("affiliation_search", None)
    flash(request, f"소속기업 등록이 완료되었습니다. 회원유형: {member.type_label}")
    return redirect(path(request, "mykotra"))


async def affiliation_certificate(request: Request) -> Response:
    """승인비밀번호가 없는 경우 [기업인증하기]: 기업 범용인증서로 소속기업 인증."""
    form = await request.form()
    raw = text(form, "bizno", limit=40)
    try:
        number = bizno_rules.parse(raw)
    except Refusal as refusal:
        return await _affiliation_page(request, alert=refusal.message)
    return await certificate.start(request, purpose="affiliation", bizno=number,
                                   back=path(request, "affiliation"))


async def affiliation_certificate_returned(request: Request, pending: certificate.CertificatePending) -> Response:
    choice = signup.CompanyChoice(pending.bizno, challenge_id=pending.challenge_id, certificate=pending.presented)
    member = await call(request, affiliation.join, ctx_of(request), member_token(request), choice)
    browser(request).data.pop("affiliation_search", None)
    flash(request, f"소속기업 등록이 완료되었습니다. 회원유형: {member.type_label}")
    return redirect(path(request, "mykotra"))


# --- 기업정보 등록 ------------------------------------------------------------------------------

def _state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = browser(request).data.setdefault("company_registration", {})
    return state


def _flow(request: Request) -> str:
    return str(_state(request).get("flow", ""))


async def _page(request: Request, template: str, step: int, context: dict[str, Any] | None = None,
                alert: str | None = None, notice: str | None = None) -> Response:
    state = _state(request)
    return await render(request, template, {"title": f"기업정보 등록 - {STEPS[step - 1]}", "steps": STEPS,
                                            "step": step, "found": state.get("found"),
                                            "authenticated": state.get("authenticated", False),
                                            **(context or {})}, alert=alert, notice=notice)


async def register_terms(request: Request) -> Response:
    return await _page(request, "company_register_terms.html", 1)


async def register_agree(request: Request) -> Response:
    """STEP1: 홈페이지 이용약관 및 개인정보 수집이용 동의 확인 → [확인]."""
    form = await request.form()
    ctx = ctx_of(request)
    try:
        flow_id = await call(request, company_registration.start, ctx, member_token(request))
        browser(request).data["company_registration"] = {"flow": flow_id}
        await call(request, company_registration.agree, ctx, flow_id, terms=checked(form, "terms"),
                   privacy=checked(form, "privacy"))
    except Refusal as refusal:
        return await _page(request, "company_register_terms.html", 1, alert=refusal.message)
    return redirect(path(request, "register_auth"))


async def register_auth(request: Request) -> Response:
    return await _page(request, "company_register_auth.html", 2)


async def register_lookup(request: Request) -> Response:
    """STEP2: 소속기업 사업자등록번호(10자리) 입력 후 [조회]."""
    form = await request.form()
    raw = text(form, "bizno", limit=40)
    state = _state(request)
    try:
        found = await call(request, company_registration.lookup, ctx_of(request), _flow(request), raw)
    except Refusal as refusal:
        state.pop("found", None)
        return await _page(request, "company_register_auth.html", 2, {"form": {"bizno": raw},
                                                                      "registered": refusal.code ==
                                                                      "company_already_registered"},
                           alert=refusal.message)
    state["found"] = _found(found)
    state["authenticated"] = False
    return await _page(request, "company_register_auth.html", 2, {"form": {"bizno": state["found"]["bizno"]}},
                       notice=found.guidance)


async def register_certificate(request: Request) -> Response:
    """STEP2: 기업정보 확인 후 [기업인증하기]."""
    found = _state(request).get("found")
    if not found:
        return await _page(request, "company_register_auth.html", 2,
                           alert="소속기업 사업자등록번호를 먼저 조회해 주세요.")
    return await certificate.start(request, purpose="company_registration", bizno=bizno_rules.normalize(found["bizno"]),
                                   back=path(request, "register_auth"))


async def register_certificate_returned(request: Request, pending: certificate.CertificatePending) -> Response:
    holder = await call(request, company_registration.authenticate, ctx_of(request), _flow(request),
                        pending.challenge_id, pending.presented)
    _state(request)["authenticated"] = True
    flash(request, f"기업인증이 완료되었습니다. (인증서: {holder}) 기업 정보를 입력해 주세요.")
    return redirect(path(request, "register_info"))


async def register_info(request: Request) -> Response:
    return await _page(request, "company_register_info.html", 3)


async def _scan(form: Any) -> Scan | None:
    file = upload(form, "scan")
    if file is None:
        return None
    data = await file.read(SCAN_MAX_BYTES + 1)
    return Scan(file.filename or "", data)


async def register_submit(request: Request) -> Response:
    """STEP3: 기업 로그인 비밀번호, 승인 비밀번호(6자리) (+ 신규기업: 기업명, 대표자명, 주소,
    사업자등록증 첨부) → [다음] → STEP4."""
    form = await request.form()
    values = refill(form, *NEW_COMPANY_FIELDS)
    try:
        done = await call(request, company_registration.submit, ctx_of(request), _flow(request),
                          admin_password=secret(form, "admin_password"),
                          admin_password_confirm=secret(form, "admin_password_confirm"),
                          approval_password=secret(form, "approval_password"),
                          approval_password_confirm=secret(form, "approval_password_confirm"),
                          details=CompanyDetails(name=values["name"], representative=values["representative"],
                                                 address=values["address"]),
                          scan=await _scan(form))
    except Refusal as refusal:
        return await _page(request, "company_register_info.html", 3, {"form": values}, alert=refusal.message)
    data = browser(request).data
    data.pop("company_registration", None)
    data["company_registration_done"] = {"사업자등록번호": done["bizno"], "기업명": done["name"]}
    return redirect(path(request, "register_done"))


async def register_done(request: Request) -> Response:
    return await _page(request, "company_register_done.html", 4,
                       {"done": browser(request).data.get("company_registration_done")})


routes = [
    page("/mykotra/company", affiliation_page, name="affiliation"),
    action("/mykotra/company/search", affiliation_search),
    action("/mykotra/company/join", affiliation_join),
    action("/mykotra/company/certificate", affiliation_certificate),
    page("/company/register", register_terms),
    action("/company/register", register_agree),
    page("/company/register/auth", register_auth),
    action("/company/register/auth/lookup", register_lookup),
    action("/company/register/auth/certificate", register_certificate),
    page("/company/register/info", register_info),
    action("/company/register/info", register_submit),
    page("/company/register/done", register_done),
]

certificate_purposes = {
    "affiliation": affiliation_certificate_returned,
    "company_registration": register_certificate_returned,
}
