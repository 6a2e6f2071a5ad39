"""[로그인] for 간편회원, 일반회원 and (구) members, the menu that follows, and 로그아웃."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import policy
from ..domain.entitlements import NEW
from ..domain.errors import Refusal
from ..domain.model import SNS_CHANNELS, Kind, Member, Status
from .context import (
    Context,
    FailedAttempt,
    flow_row,
    live_session,
    load_member,
    member_from_row,
    new_token,
    start_flow,
    unit_of_work,
    within_limit,
)
from .ports import AuthorizationRequest

BAD_CREDENTIALS = "아이디 또는 비밀번호가 일치하지 않습니다."


@dataclass(frozen=True)
class LoginResult:
    member: Member
    token: str | None = None  # a session, or
    conversion_flow: str | None = None  # 기존 회원 전환 must come first


def open_session(ctx: Context, member_id: int, method: str) -> str:
    token = new_token()
    ctx.db["sessions"].insert({"token": token, "subject": "member", "member_id": member_id,
                               "login_method": method, "created_at": ctx.stamp(), "last_seen_at": ctx.stamp()})
    ctx.audit(f"member:{member_id}", "login", method)
    return token


@dataclass(frozen=True)
class PasswordCheck:
    """A password verified before the login's transaction: against which stored hash, and the answer.

    Hashing (argon2id, tens of milliseconds) is the whole cost of a login; done outside the one
    service call at a time that the web layer allows, logins use every core."""

    stored: str | None
    valid: bool


def stored_password_hash(ctx: Context, user_id: str) -> str | None:
    row = next(ctx.db["members"].rows_where("user_id = ?", [user_id], select="password_hash"), None)
    return row["password_hash"] if row else None


def login_general(ctx: Context, user_id: str, password: str, *, checked: PasswordCheck | None = None) -> LoginResult:
    """[일반회원] → ID 및 비밀번호 입력 후 [로그인]. ``checked``: the password already verified
    (``check_password``); used only when it was checked against the hash stored now."""
    with unit_of_work(ctx):
        row = next(ctx.db["members"].rows_where("user_id = ?", [user_id]), None)
        # An unknown ID counts its failures and locks exactly like a real one (no enumeration),
        # and the password hash is checked in every case, locked or not (same work, same time).
        unknown = (policy.UNKNOWN_LOGIN_FAILURES, f"user:{user_id}")
        locked = not within_limit(ctx, *unknown) if row is None else \
            row["failed_logins"] >= policy.MAX_LOGIN_FAILURES
        stored = row["password_hash"] if row else None
        valid = checked.valid if checked is not None and checked.stored == stored else ctx.hasher.verify(stored, password)
        if locked:
            raise Refusal("account_locked", f"비밀번호를 {policy.MAX_LOGIN_FAILURES}회 잘못 입력하여 로그인이 제한되었습니다."
                                            " [비밀번호 재설정] 후 다시 로그인해 주세요.")
        if row is None:
            raise FailedAttempt("bad_credentials", BAD_CREDENTIALS, hits=(unknown,))
        if not valid:
            raise FailedAttempt("bad_credentials", BAD_CREDENTIALS, table="members", key="id",
                                value=row["id"], column="failed_logins")
        ctx.db["members"].update(row["id"], {"failed_logins": 0})
        member = member_from_row(ctx.db, row)
        if member.status is Status.LEGACY and ctx.scheme() == NEW:
            flow = start_flow(ctx, "conversion", member_id=member.id)
            return LoginResult(member, conversion_flow=flow)
        return LoginResult(member, token=open_session(ctx, member.id, "password"))


def start_simple_login(ctx: Context, channel: str) -> tuple[str, AuthorizationRequest]:
    """[간편회원] → 기가입한 SNS 채널 확인 후 로그인."""
    if channel not in SNS_CHANNELS:
        raise Refusal("sns_channel_unknown", "카카오, 네이버, 구글, 페이스북 중에서 선택해 주세요.")
    request = ctx.sns.authorization_request(channel)
    with unit_of_work(ctx):
        return start_flow(ctx, "simple_login", {"request": request.__dict__}), request


def finish_simple_login(ctx: Context, flow_id: str, *, code: str | None, state: str,
                        error: str | None = None) -> LoginResult:
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "simple_login")
        request = AuthorizationRequest(**flow["data"]["request"])
        if state != request.state:
            raise Refusal("sns_state_mismatch", "요청 정보가 일치하지 않습니다. 다시 로그인해 주세요.")
        if error or not code:
            raise Refusal("sns_consent_refused", f"{SNS_CHANNELS[request.channel]} 로그인이 취소되었습니다.")
        profile = ctx.sns.complete(request, code)
        row = next(ctx.db["members"].rows_where("sns_channel = ? AND sns_subject = ?",
                                                [profile.channel, profile.subject]), None)
        if row is None:
            raise Refusal("simple_member_unknown",
                          f"{SNS_CHANNELS[profile.channel]}(으)로 가입한 간편회원이 아닙니다. [회원가입]을 진행해 주세요.")
        ctx.db["flows"].delete(flow_id)
        return LoginResult(member_from_row(ctx.db, row), token=open_session(ctx, row["id"], profile.channel))


def logout(ctx: Context, token: str) -> None:
    with unit_of_work(ctx):
        row = next(ctx.db["sessions"].rows_where("token = ?", [token]), None)
        if row:
            ctx.db["sessions"].delete(token)
            ctx.audit(f"{row['subject']}:{row['member_id'] or row['bizno']}", "logout")


def menu(ctx: Context, token: str | None) -> dict:
    """The menu bar: 로그인/회원가입 before login, mykotra/로그아웃 after, with 회원유형 and 가입채널."""
    row = live_session(ctx, token)
    if row is None:
        return {"menu": ["로그인", "회원가입"]}
    if row["subject"] == "company":
        company = ctx.db["companies"].get(row["bizno"])
        return {"menu": ["mykotra", "로그아웃"], "회원유형": "기업정보 관리자", "기업명": company["name"]}
    member = load_member(ctx.db, row["member_id"])
    result = {"menu": ["mykotra", "로그아웃"], "회원유형": member.type_label, "가입채널": member.channel_label,
              "이름": member.name}
    if member.kind is Kind.GENERAL:
        result["아이디"] = member.user_id or ""
    return result
