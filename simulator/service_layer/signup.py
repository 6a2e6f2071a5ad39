"""회원가입: 간편회원 through an SNS channel, 일반회원 in four steps (STEP1–STEP4)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ..domain import policy
from ..domain.errors import Refusal
from ..domain.model import SNS_CHANNELS, Kind, Member, Status
from . import affiliation, verification
from .context import Context, flow_row, load_member, save_flow, start_flow, unit_of_work
from .ports import AuthorizationRequest, PresentedCertificate, VerificationStart

INTEREST_FIELDS = ("관심 키워드", "관심 산업", "관심 품목", "관심 지역")


def _require_consent(terms: bool, privacy: bool) -> None:
    if not terms:
        raise Refusal("terms_required", "홈페이지 이용약관에 동의해 주세요.")
    if not privacy:
        raise Refusal("privacy_required", "개인정보 수집·이용에 동의해 주세요.")


# --- 간편회원 ---------------------------------------------------------------

def start_simple(ctx: Context, channel: str) -> tuple[str, AuthorizationRequest]:
    """STEP: 선호하는 SNS채널 선택. Returns the flow and where to send the member."""
    if channel not in SNS_CHANNELS:
        raise Refusal("sns_channel_unknown", "카카오, 네이버, 구글, 페이스북 중에서 선택해 주세요.")
    request = ctx.sns.authorization_request(channel)
    with unit_of_work(ctx):
        flow_id = start_flow(ctx, "simple_signup", {"request": request.__dict__})
    return flow_id, request


def sns_returned(ctx: Context, flow_id: str, *, code: str | None, state: str, error: str | None = None) -> dict:
    """The SNS provider sent the member back: check state, fetch the profile."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "simple_signup")
        request = AuthorizationRequest(**flow["data"]["request"])
        if state != request.state:
            raise Refusal("sns_state_mismatch", "요청 정보가 일치하지 않습니다. 처음부터 다시 진행해 주세요.")
        if error or not code:
            raise Refusal("sns_consent_refused",
                          f"{SNS_CHANNELS[request.channel]} 로그인 또는 정보 제공에 동의하지 않아 가입할 수 없습니다.")
        profile = ctx.sns.complete(request, code)
        if next(ctx.db["members"].rows_where("sns_channel = ? AND sns_subject = ?",
                                             [profile.channel, profile.subject]), None):
            raise Refusal("simple_member_exists",
                          f"이미 {SNS_CHANNELS[profile.channel]}(으)로 가입된 간편회원입니다. [로그인]을 이용해 주세요.")
        flow["data"]["profile"] = profile.__dict__
        save_flow(ctx, flow_id, 2, flow["data"])
    return flow["data"]["profile"]


def finish_simple(ctx: Context, flow_id: str, *, terms: bool, privacy: bool) -> Member:
    """약관동의 후 [가입하기]: the 간편회원 is created with the minimum information."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "simple_signup")
        profile = flow["data"].get("profile")
        if profile is None:
            raise Refusal("sns_login_required", "선택한 SNS 채널의 본인 계정으로 먼저 로그인해 주세요.")
        _require_consent(terms, privacy)
        member_id = ctx.db["members"].insert(
            {"kind": Kind.SIMPLE.value, "status": Status.ACTIVE.value, "name": profile["name"],
             "phone": profile["phone"], "email": profile["email"], "sns_channel": profile["channel"],
             "sns_subject": profile["subject"], "terms_agreed_at": ctx.stamp(), "joined_at": ctx.stamp()}
        ).last_pk
        ctx.db["flows"].delete(flow_id)
        ctx.audit(f"member:{member_id}", "simple_signup", profile["channel"])
        return load_member(ctx.db, member_id)


# --- 일반회원 ---------------------------------------------------------------

def start_general(ctx: Context) -> str:
    with unit_of_work(ctx):
        return start_flow(ctx, "general_signup")


def agree(ctx: Context, flow_id: str, *, terms: bool, privacy: bool) -> None:
    """STEP1 약관동의."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "general_signup")
        _require_consent(terms, privacy)
        flow["data"]["agreed_at"] = ctx.stamp()
        save_flow(ctx, flow_id, 2, flow["data"])


def _step2(ctx: Context, flow_id: str) -> dict:
    flow = flow_row(ctx, flow_id, "general_signup")
    if flow["step"] < 2:
        raise Refusal("terms_required", "약관에 먼저 동의해 주세요.")
    return flow


def begin_real_name(ctx: Context, flow_id: str, method: str, return_url: str) -> VerificationStart:
    """STEP2: [휴대전화 본인인증] or [신용카드 인증] opens the provider's window."""
    with unit_of_work(ctx):
        flow = _step2(ctx, flow_id)
        started = verification.begin(ctx, flow["data"], method, return_url)
        save_flow(ctx, flow_id, 2, flow["data"])
        return started


def request_simple_auth(ctx: Context, flow_id: str, app: str, name: str, birth_date: date,
                        phone: str) -> VerificationStart:
    """STEP2: [간편인증] with the member's own certificate app."""
    with unit_of_work(ctx):
        flow = _step2(ctx, flow_id)
        started = verification.request_simple(ctx, flow["data"], app, name, birth_date, phone)
        save_flow(ctx, flow_id, 2, flow["data"])
        return started


def verify_real_name(ctx: Context, flow_id: str, method: str, transaction_id: str) -> dict:
    """STEP2 실명인증 with 간편인증, 휴대전화 or 신용카드 → 회원정보 입력."""
    with unit_of_work(ctx):
        flow = _step2(ctx, flow_id)
        person = verification.take(ctx, flow["data"], method, transaction_id)
        if next(ctx.db["members"].rows_where("ci = ?", [person.ci]), None):
            raise Refusal("general_member_exists",
                          "이미 가입된 회원입니다. [아이디 찾기] 또는 [비밀번호 재설정]을 이용해 주세요.")
        flow["data"]["person"] = {**person.__dict__, "birth_date": person.birth_date.isoformat()}
        save_flow(ctx, flow_id, 3, flow["data"])
    return flow["data"]["person"]


@dataclass(frozen=True)
class CompanyChoice:
    """Optional 소속기업 등록 in STEP3: approval password or 기업 범용인증서."""

    bizno: str
    approval_password: str | None = None
    challenge_id: str | None = None
    certificate: PresentedCertificate | None = None


def submit_info(
    ctx: Context,
    flow_id: str,
    *,
    user_id: str,
    password: str,
    password_confirm: str,
    email: str,
    interests: dict[str, list[str]] | None = None,
    company: CompanyChoice | None = None,
) -> Member:
    """STEP3 회원정보 입력 → STEP4 가입완료, in one transaction with the optional 소속기업."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "general_signup")
        person = flow["data"].get("person")
        if flow["step"] < 3 or person is None:
            raise Refusal("real_name_required", "실명인증을 먼저 진행해 주세요.")
        policy.check_user_id(user_id)
        if next(ctx.db["members"].rows_where("user_id = ?", [user_id]), None):
            raise Refusal("user_id_taken", "이미 사용 중인 아이디입니다.")
        policy.check_password(password, user_id=user_id)
        if password != password_confirm:
            raise Refusal("password_mismatch", "비밀번호와 비밀번호 확인이 일치하지 않습니다.")
        if not email or "@" not in email:
            raise Refusal("email_required", "이메일을 올바르게 입력해 주세요.")
        unknown = set(interests or {}) - set(INTEREST_FIELDS)
        if unknown:
            raise Refusal("interest_unknown", f"알 수 없는 관심 항목입니다: {', '.join(sorted(unknown))}")
        member_id = ctx.db["members"].insert(
            {"kind": Kind.GENERAL.value, "status": Status.ACTIVE.value, "user_id": user_id,
             "password_hash": ctx.hasher.hash(password), "name": person["name"],
             "birth_date": person["birth_date"], "gender": person["gender"],
             "foreigner": int(person["foreigner"]), "phone": person["phone"], "carrier": person["carrier"],
             "email": email, "ci": person["ci"], "di": person["di"],
             "interests": json.dumps(interests or {}, ensure_ascii=False),
             "terms_agreed_at": flow["data"]["agreed_at"], "joined_at": ctx.stamp()}
        ).last_pk
        if company is not None:
            affiliation.join_in_transaction(ctx, member_id, company)
        ctx.db["flows"].delete(flow_id)
        ctx.audit(f"member:{member_id}", "general_signup", user_id, real_name=person["method"])
        return load_member(ctx.db, member_id)
