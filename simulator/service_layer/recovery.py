"""[아이디 찾기] by 휴대폰, 간편인증 or 이메일, and [비밀번호 재설정]."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..domain import policy
from ..domain.errors import Refusal
from ..domain.model import Kind
from . import verification
from .context import Context, admit, flow_row, save_flow, start_flow, unit_of_work
from .ports import VerificationStart

NO_MATCH = "입력하신 정보와 일치하는 회원이 없습니다."
# One answer after 본인인증 whether the ID is unknown, the name is wrong or the person is not the member.
RESET_MISMATCH = "입력하신 아이디·회원명과 본인인증 정보가 일치하는 회원이 없습니다."
RESET_TTL = timedelta(minutes=10)


def _found(rows: list[dict]) -> list[dict]:
    if not rows:
        raise Refusal("member_not_found", NO_MATCH)
    # the manual shows the ID on screen; like the real site it is shown masked
    return [{"아이디": policy.mask_user_id(r["user_id"]), "가입일자": r["joined_at"][:10]} for r in rows]


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def find_id_by_phone(ctx: Context, name: str, phone: str) -> list[dict]:
    """① 휴대폰: 회원가입 시 등록한 이름 및 휴대폰번호 입력 후 [조회]."""
    admit(ctx, policy.FIND_ID_PER_TARGET, f"phone:{_digits(phone)}")
    rows = [r for r in ctx.db["members"].rows_where("kind = ? AND name = ?", [Kind.GENERAL.value, name.strip()])
            if _digits(r["phone"] or "") == _digits(phone) and _digits(phone)]
    return _found(rows)


def find_id_by_email(ctx: Context, name: str, email: str) -> list[dict]:
    """③ 이메일: 회원가입 시 입력한 이름 및 이메일 입력 후 [조회]."""
    admit(ctx, policy.FIND_ID_PER_TARGET, f"email:{email.strip().lower()}")
    rows = list(ctx.db["members"].rows_where("kind = ? AND name = ? AND lower(email) = lower(?)",
                                              [Kind.GENERAL.value, name.strip(), email.strip()]))
    return _found(rows)


def start_find_id_by_simple_auth(ctx: Context, app: str, name: str, birth_date: date, phone: str) -> str:
    """② 간편인증: 선호하는 SNS 혹은 금융인증서 선택 → the app asks the member to confirm."""
    admit(ctx, policy.FIND_ID_PER_TARGET, f"phone:{_digits(phone)}")
    with unit_of_work(ctx):
        flow_id = start_flow(ctx, "find_id")
        data: dict = {}
        verification.request_simple(ctx, data, app, name, birth_date, phone)
        save_flow(ctx, flow_id, 1, data)
        return flow_id


def find_id_by_simple_auth(ctx: Context, flow_id: str) -> list[dict]:
    """해당 채널 로그인 및 인증 확인 → 기등록한 아이디 및 가입일자."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "find_id")
        opened = flow["data"].get("verification") or {}
        person = verification.take(ctx, flow["data"], "simple", opened.get("id", ""))
        ctx.db["flows"].delete(flow_id)
    return _found(list(ctx.db["members"].rows_where("kind = ? AND ci = ?", [Kind.GENERAL.value, person.ci])))


def start_reset(ctx: Context, user_id: str, name: str) -> str:
    """[비밀번호 재설정]: 회원가입 시 등록된 아이디 및 회원명 입력. Always goes on to 본인인증,
    whether or not the ID and name match a member, so the answer reveals nothing; the
    verified person is compared in ``verify_identity``."""
    admit(ctx, policy.RESET_PER_TARGET, f"user:{user_id.strip()}")
    with unit_of_work(ctx):
        row = next(ctx.db["members"].rows_where("user_id = ? AND name = ?", [user_id.strip(), name.strip()]), None)
        return start_flow(ctx, "password_reset", member_id=row["id"] if row else None)


def begin_identity(ctx: Context, flow_id: str, method: str, return_url: str) -> VerificationStart:
    """인증방법 ① 휴대폰인증 ② 카드인증: open the provider's window."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "password_reset")
        started = verification.begin(ctx, flow["data"], method, return_url)
        save_flow(ctx, flow_id, 1, flow["data"])
        return started


def request_simple_identity(ctx: Context, flow_id: str, app: str, name: str, birth_date: date,
                            phone: str) -> VerificationStart:
    """인증방법 ③ 간편인증."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "password_reset")
        started = verification.request_simple(ctx, flow["data"], app, name, birth_date, phone)
        save_flow(ctx, flow_id, 1, flow["data"])
        return started


def verify_identity(ctx: Context, flow_id: str, method: str, transaction_id: str) -> None:
    """휴대폰/신용카드/간편인증 중 택일하여 본인인증: the verified person must be the member."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "password_reset")
        person = verification.take(ctx, flow["data"], method, transaction_id)
        member = ctx.db["members"].get(flow["member_id"]) if flow["member_id"] else None
        if member is None:
            raise Refusal("identity_mismatch", RESET_MISMATCH)
        if member["ci"] != person.ci:
            raise Refusal("identity_mismatch", RESET_MISMATCH)
        save_flow(ctx, flow_id, 2, {"verified_at": ctx.stamp()})


def save_password(ctx: Context, flow_id: str, new: str, confirm: str) -> None:
    """변경 비밀번호 입력 후 [저장하기]. Also lifts a login lock."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "password_reset")
        if flow["step"] < 2:
            raise Refusal("identity_required", "본인인증을 먼저 진행해 주세요.")
        if ctx.now() - datetime.fromisoformat(flow["data"]["verified_at"]) > RESET_TTL:
            ctx.db["flows"].delete(flow_id)
            raise Refusal("reset_expired", "본인인증 후 10분이 지났습니다. 처음부터 다시 진행해 주세요.")
        member = ctx.db["members"].get(flow["member_id"])
        policy.check_password(new, user_id=member["user_id"] or "")
        if new != confirm:
            raise Refusal("password_mismatch", "비밀번호와 비밀번호 확인이 일치하지 않습니다.")
        ctx.db["members"].update(member["id"], {"password_hash": ctx.hasher.hash(new), "failed_logins": 0})
        ctx.db["sessions"].delete_where("member_id = ?", [member["id"]])
        ctx.db["flows"].delete(flow_id)
        ctx.audit(f"member:{member['id']}", "password_reset")
