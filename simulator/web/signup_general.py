"""회원가입 - 일반회원: STEP1. 약관동의 ▶ STEP2. 실명인증 ▶ STEP3. 회원정보 입력 ▶ STEP4. 가입완료."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ..domain import bizno as bizno_rules
from ..domain import policy
from ..domain.errors import Refusal
from ..service_layer import affiliation, signup
from . import certificate, realname
from .common import (
    action,
    call,
    checked,
    ctx_of,
    flash,
    page,
    parse_birth_date,
    path,
    redirect,
    refill,
    render,
    secret,
    text,
)
from .security import browser
from .throttling import throttled

STEPS = ("STEP1. 약관동의", "STEP2. 실명인증", "STEP3. 회원정보 입력", "STEP4. 가입완료")
INTEREST_INPUTS = (("interest_keyword", "관심 키워드"), ("interest_industry", "관심 산업"),
                   ("interest_item", "관심 품목"), ("interest_region", "관심 지역"))
INFO_FIELDS = ("user_id", "email", "bizno", *(name for name, _ in INTEREST_INPUTS))
SIMPLE_FIELDS = ("app", "name", "birth_date", "phone")
def _state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = browser(request).data.setdefault("general", {})
    return state


def _flow(request: Request) -> str:
    return str(_state(request).get("flow", ""))


async def _page(request: Request, template: str, step: int, context: dict[str, Any] | None = None,
                alert: str | None = None) -> Response:
    return await render(request, template, {"title": f"일반회원 가입 - {STEPS[step - 1]}", "steps": STEPS,
                                            "step": step, **(context or {})}, alert=alert)


# --- STEP1. 약관동의 ---------------------------------------------------------------------------

async def general_start(request: Request) -> Response:
    """[일반회원 가입]: a new sign-up flow."""
    flow_id = await call(request, signup.start_general, ctx_of(request))
    browser(request).data["general"] = {"flow": flow_id}
    return redirect(path(request, "general_terms"))


async def general_terms(request: Request) -> Response:
    return await _page(request, "signup_general_terms.html", 1)


async def general_agree(request: Request) -> Response:
    """홈페이지 이용약관, 개인정보수집동의 후 [확인]."""
    form = await request.form()
    ctx = ctx_of(request)
    consent = {"terms": checked(form, "terms"), "privacy": checked(form, "privacy")}
    try:
        try:
            if not _flow(request):
                raise Refusal("flow_unknown", "")
            await call(request, signup.agree, ctx, _flow(request), **consent)
        except Refusal as refusal:
            if refusal.code != "flow_unknown":
                raise
            # STEP1 is where a sign-up starts: a missing or expired flow simply starts again
            browser(request).data["general"] = {"flow": await call(request, signup.start_general, ctx)}
            await call(request, signup.agree, ctx, _flow(request), **consent)
    except Refusal as refusal:
        return await _page(request, "signup_general_terms.html", 1, alert=refusal.message)
    return redirect(path(request, "general_verify"))


# --- STEP2. 실명인증 ---------------------------------------------------------------------------

async def general_verify(request: Request) -> Response:
    return await _page(request, "signup_general_verify.html", 2)


async def _verify(request: Request, method: str, transaction_id: str) -> str | None:
    """Take the verification this flow opened; the refusal message, or None when done."""
    try:
        person = await call(request, signup.verify_real_name, ctx_of(request), _flow(request), method, transaction_id)
    except Refusal as refusal:
        return refusal.message
    state = _state(request)
    state["person"] = {"이름": person.get("name", ""), "생년월일": person.get("birth_date", ""),
                       "휴대폰번호": person.get("phone", "")}
    state.pop("receipt", None)
    flash(request, "실명인증이 완료되었습니다. 회원정보를 입력해 주세요.")
    return None


async def _open_window(request: Request, method: str) -> Response:
    """[휴대전화 본인인증] / [신용카드 인증]: the provider's window at ``auth_url``."""
    ctx, flow = ctx_of(request), _flow(request)
    return await realname.open_window(
        request, lambda url: signup.begin_real_name(ctx, flow, method, url), "general_verify_return",
        lambda message: _page(request, "signup_general_verify.html", 2, alert=message))


async def general_verify_phone(request: Request) -> Response:
    return await _open_window(request, "phone")


async def general_verify_card(request: Request) -> Response:
    return await _open_window(request, "card")


async def general_verify_return(request: Request) -> Response:
    """The PASS / card window sends the member back with its transaction id."""
    return await realname.returned(
        request, lambda method, tid: _verify(request, method, tid), path(request, "general_info"),
        lambda message: _page(request, "signup_general_verify.html", 2, alert=message))


async def general_simple_form(request: Request) -> Response:
    """[간편인증]: 본인 명의의 인증서 앱 선택 + 이름, 생년월일, 휴대폰번호."""
    return await _page(request, "simple_auth_form.html", 2, _simple_context(request))


def _simple_context(request: Request, form: FormData | None = None) -> dict[str, Any]:
    return {"heading": "STEP2. 실명인증 - 간편인증", "action_url": path(request, "general_simple_request"),
            "back_url": path(request, "general_verify"), "form": refill(form, *SIMPLE_FIELDS) if form else {}}


async def general_simple_request(request: Request) -> Response:
    form = await request.form()
    try:
        started = await call(request, signup.request_simple_auth, ctx_of(request), _flow(request), text(form, "app"),
                             text(form, "name"), parse_birth_date(text(form, "birth_date")), text(form, "phone"))
    except Refusal as refusal:
        return await _page(request, "simple_auth_form.html", 2, _simple_context(request, form), alert=refusal.message)
    _state(request)["receipt"] = started.id
    return redirect(path(request, "general_simple_wait"))


def _wait_context(request: Request) -> dict[str, Any]:
    return {"heading": "STEP2. 실명인증 - 간편인증", "action_url": path(request, "general_simple_done"),
            "back_url": path(request, "general_simple_form")}


async def general_simple_wait(request: Request) -> Response:
    return await _page(request, "simple_auth_wait.html", 2, _wait_context(request))


async def general_simple_done(request: Request) -> Response:
    """[인증 완료] after confirming in the phone app."""
    receipt = str(_state(request).get("receipt", ""))
    if not receipt:
        return await _page(request, "simple_auth_wait.html", 2, _wait_context(request),
                           alert="간편인증을 먼저 요청해 주세요.")
    refused = await _verify(request, "simple", receipt)
    if refused:
        return await _page(request, "simple_auth_wait.html", 2, _wait_context(request), alert=refused)
    return redirect(path(request, "general_info"))


# --- STEP3. 회원정보 입력 (+ 소속기업 등록 (선택사항)) --------------------------------------------

async def _info_page(request: Request, form: dict[str, str] | None = None, alert: str | None = None,
                     notice: str | None = None) -> Response:
    state = _state(request)
    cert = state.get("certificate")
    context = {"person": state.get("person"), "search": state.get("search"), "interests": INTEREST_INPUTS,
               "form": form if form is not None else state.get("form", {}),
               "certificate_bizno": bizno_rules.display(cert["bizno"]) if cert else ""}
    return await render(request, "signup_general_info.html",
                        {"title": f"일반회원 가입 - {STEPS[2]}", "steps": STEPS, "step": 3, **context},
                        alert=alert, notice=notice)


async def general_info(request: Request) -> Response:
    return await _info_page(request)


async def general_search(request: Request) -> Response:
    """소속기업의 사업자번호 입력 후 [검색]."""
    form = await request.form()
    values = refill(form, *INFO_FIELDS)
    state = _state(request)
    try:
        found = await call(request, affiliation.search, ctx_of(request), values["bizno"])
    except Refusal as refusal:
        state.pop("search", None)
        return await _info_page(request, values, alert=refusal.message)
    state["search"] = {"bizno": bizno_rules.display(found.bizno), "outcome": found.outcome, "name": found.name,
                       "representative": found.representative, "address": found.address,
                       "guidance": found.guidance}
    values["bizno"] = bizno_rules.display(found.bizno)
    return await _info_page(request, values, notice=found.guidance)


async def general_certificate(request: Request) -> Response:
    """[기업인증하기]: 승인비밀번호가 없는 경우 기업 범용인증서로 소속기업 인증."""
    form = await request.form()
    values = refill(form, *INFO_FIELDS)
    state = _state(request)
    state["form"] = values
    try:
        number = bizno_rules.parse(values["bizno"])
    except Refusal as refusal:
        return await _info_page(request, values, alert=refusal.message)
    return await certificate.start(request, purpose="signup", bizno=number,
                                   back=path(request, "general_info"))


async def certificate_returned(request: Request, pending: certificate.CertificatePending) -> Response:
    """The certificate is checked together with the member's information at [가입하기]."""
    _state(request)["certificate"] = {"bizno": pending.bizno, "challenge_id": pending.challenge_id,
                                      "presented": pending.presented}
    flash(request, "기업 범용인증서가 선택되었습니다. 비밀번호를 입력하고 [가입하기]를 누르면 소속기업 인증이 함께 진행됩니다.")
    return redirect(pending.back)


def _interests(form: FormData) -> dict[str, list[str]]:
    interests: dict[str, list[str]] = {}
    for name, label in INTEREST_INPUTS:
        values = [v.strip() for v in text(form, name).replace("、", ",").split(",") if v.strip()]
        if values:
            interests[label] = values
    return interests


def _company_choice(request: Request, form: FormData) -> signup.CompanyChoice | None:
    raw = text(form, "bizno")
    if not raw:
        return None
    approval = secret(form, "approval_password")
    if approval:
        return signup.CompanyChoice(raw, approval_password=approval)
    cert = _state(request).get("certificate")
    if cert and cert["bizno"] == bizno_rules.normalize(raw):
        return signup.CompanyChoice(raw, challenge_id=cert["challenge_id"], certificate=cert["presented"])
    return signup.CompanyChoice(raw)


async def general_submit(request: Request) -> Response:
    """회원정보 입력 → [가입하기] → STEP4 가입완료 (one transaction with the optional 소속기업)."""
    form = await request.form()
    values = refill(form, *INFO_FIELDS)
    guesses = bool(secret(form, "approval_password") and text(form, "bizno"))
    if guesses and (refused := await throttled(request, policy.APPROVAL_PER_ADDRESS, "회원정보 입력")) is not None:
        return refused
    try:
        member = await call(request, signup.submit_info, ctx_of(request), _flow(request),
                            user_id=values["user_id"], password=secret(form, "password"),
                            password_confirm=secret(form, "password_confirm"), email=values["email"],
                            interests=_interests(form), company=_company_choice(request, form))
    except Refusal as refusal:
        return await _info_page(request, values, alert=refusal.message)
    data = browser(request).data
    data.pop("general", None)
    data["general_done"] = {"이름": member.name, "아이디": member.user_id or "", "회원유형": member.type_label}
    return redirect(path(request, "general_done"))


# --- STEP4. 가입완료 ---------------------------------------------------------------------------

async def general_done(request: Request) -> Response:
    return await _page(request, "signup_general_done.html", 4, {"done": browser(request).data.get("general_done")})


routes = [
    action("/signup/general/start", general_start),
    page("/signup/general", general_terms),
    action("/signup/general", general_agree),
    page("/signup/general/verify", general_verify),
    action("/signup/general/verify/phone", general_verify_phone),
    action("/signup/general/verify/card", general_verify_card),
    page("/signup/general/verify/return", general_verify_return),
    page("/signup/general/verify/simple", general_simple_form),
    action("/signup/general/verify/simple", general_simple_request),
    page("/signup/general/verify/simple/confirm", general_simple_wait),
    action("/signup/general/verify/simple/confirm", general_simple_done),
    page("/signup/general/info", general_info),
    action("/signup/general/info/search", general_search),
    action("/signup/general/info/certificate", general_certificate),
    action("/signup/general/info", general_submit),
    page("/signup/general/done", general_done),
]

certificate_purposes = {"signup": certificate_returned}
