"""기존 회원 전환: a (구) member's first login under the new scheme.

기존 회원정보 확인 → 비밀번호 재설정 → 이용약관 및 개인정보 수집이용 재동의 → (소속기업이 있는 경우
[소속기업 등록]) → mykotra.
"""

from __future__ import annotations

from ..domain import policy
from ..domain.errors import Refusal
from ..domain.model import Status
from .auth import open_session
from .context import Context, flow_row, load_member, save_flow, unit_of_work


def existing_info(ctx: Context, flow_id: str) -> dict:
    flow = flow_row(ctx, flow_id, "conversion")
    row = ctx.db["members"].get(flow["member_id"])
    info = {"이름": row["name"], "아이디": row["user_id"], "이메일": row["email"] or "",
            "기존 회원유형": row["legacy_role"] or "개인회원"}
    if row["legacy_company"]:
        directory = next(ctx.db["company_directory"].rows_where("bizno = ?", [row["legacy_company"]]), None)
        info["소속기업"] = directory["name"] if directory else row["legacy_company"]
    return info


def confirm(ctx: Context, flow_id: str, *, is_me: bool) -> None:
    """기존 회원정보 확인 후 선택."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "conversion")
        if not is_me:
            ctx.db["flows"].delete(flow_id)
            raise Refusal("conversion_cancelled", "본인의 회원정보가 아닌 경우 전환할 수 없습니다. 고객센터로 문의해 주세요.")
        save_flow(ctx, flow_id, 2, flow["data"])


def reset_password(ctx: Context, flow_id: str, new: str, confirm_: str) -> None:
    """비밀번호 재설정 후 확인."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "conversion")
        if flow["step"] < 2:
            raise Refusal("conversion_confirm_required", "기존 회원정보를 먼저 확인해 주세요.")
        row = ctx.db["members"].get(flow["member_id"])
        policy.check_password(new, user_id=row["user_id"] or "")
        if new != confirm_:
            raise Refusal("password_mismatch", "비밀번호와 비밀번호 확인이 일치하지 않습니다.")
        if ctx.hasher.verify(row["password_hash"], new):
            raise Refusal("password_reused", "기존 비밀번호와 다른 비밀번호를 입력해 주세요.")
        ctx.db["members"].update(row["id"], {"password_hash": ctx.hasher.hash(new)})
        ctx.audit(f"member:{row['id']}", "legacy_password_reset")
        save_flow(ctx, flow_id, 3, flow["data"])


def consent(ctx: Context, flow_id: str, *, terms: bool, privacy: bool) -> dict:
    """이용약관 및 개인정보 수집이용동의 확인 후 클릭 → 전환 완료, logged in.
    Returns the session and whether to offer [소속기업 등록]."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "conversion")
        if flow["step"] < 3:
            raise Refusal("conversion_password_required", "비밀번호를 먼저 재설정해 주세요.")
        if not terms:
            raise Refusal("terms_required", "홈페이지 이용약관에 동의해 주세요.")
        if not privacy:
            raise Refusal("privacy_required", "개인정보 수집·이용에 동의해 주세요.")
        member_id = flow["member_id"]
        ctx.db["members"].update(member_id, {"status": Status.ACTIVE.value, "terms_agreed_at": ctx.stamp(),
                                             "converted_at": ctx.stamp()})
        ctx.db["flows"].delete(flow_id)
        ctx.audit(f"member:{member_id}", "legacy_conversion")
        member = load_member(ctx.db, member_id)
        return {"token": open_session(ctx, member_id, "password"),
                "offer_company": member.legacy_company is not None, "member": member}
