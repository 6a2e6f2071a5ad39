"""Data that exists before anyone uses the system: KOTRA's company records and the
accounts imported from the (구) membership system."""

from __future__ import annotations

from ..domain import bizno as bizno_rules
from ..domain import policy
from ..domain.errors import Refusal
from ..domain.model import Kind, LegacyRole, Status
from .context import Context, unit_of_work


def directory_company(ctx: Context, raw_bizno: str, name: str, representative: str, address: str = "",
                      industry: str = "") -> str:
    number = bizno_rules.parse(raw_bizno)
    with unit_of_work(ctx):
        ctx.db["company_directory"].upsert({"bizno": number, "name": name, "representative": representative,
                                            "address": address, "industry": industry}, pk="bizno")
        ctx.audit("seed", "directory_company", number)
    return number


def legacy_member(ctx: Context, *, user_id: str, password: str, name: str, email: str, phone: str,
                  role: str, bizno: str | None = None, joined_at: str | None = None) -> int:
    """Import one (구) account: it keeps its role until its owner converts it."""
    legacy_role = LegacyRole(role)
    if (legacy_role is LegacyRole.INDIVIDUAL) != (bizno is None):
        raise Refusal("legacy_company", "(구) 기업회원에게만 소속 기업이 있습니다.")
    with unit_of_work(ctx):
        member_id = ctx.db["members"].insert({
            "kind": Kind.GENERAL.value, "status": Status.LEGACY.value, "user_id": policy.check_user_id(user_id),
            "password_hash": ctx.hasher.hash(password), "name": name, "email": email, "phone": phone,
            "legacy_role": legacy_role.value, "legacy_company": bizno_rules.parse(bizno) if bizno else None,
            "joined_at": joined_at or ctx.stamp(),
        }).last_pk
        ctx.audit("seed", "legacy_member", user_id, role=role)
    return member_id


def audit_actions(ctx: Context) -> list[str]:
    return [r["action"] for r in ctx.db["audit_log"].rows_where(order_by="id")]


def general_member(ctx: Context, *, user_id: str, password: str, name: str, birth_date: str, phone: str,
                   email: str, ci: str, di: str, carrier: str = "", gender: str = "", foreigner: bool = False) -> int:
    """A 일반회원 who joined before the records start (sandbox situations): the identity the
    real-name provider gave at sign-up (CI/DI) and a password chosen under the usual policy."""
    policy.check_user_id(user_id)
    policy.check_password(password, user_id=user_id)
    with unit_of_work(ctx):
        if next(ctx.db["members"].rows_where("user_id = ? OR ci = ?", [user_id, ci]), None):
            raise Refusal("member_exists", "이미 있는 회원입니다 (아이디 또는 CI).")
        member_id = ctx.db["members"].insert({
            "kind": Kind.GENERAL.value, "status": Status.ACTIVE.value, "user_id": user_id,
            "password_hash": ctx.hasher.hash(password), "name": name, "birth_date": birth_date, "gender": gender,
            "foreigner": int(foreigner), "phone": phone, "carrier": carrier, "email": email, "ci": ci, "di": di,
            "terms_agreed_at": ctx.stamp(), "joined_at": ctx.stamp(),
        }).last_pk
        ctx.audit("seed", "general_member", user_id)
    return member_id


def registered_company(ctx: Context, *, bizno: str, name: str, representative: str, address: str,
                       admin_password: str, approval_password: str, registered_by: int) -> str:
    """A company whose 기업정보 등록 was finished earlier by member ``registered_by`` (who stays
    affiliated through the certificate used then)."""
    number = bizno_rules.parse(bizno)
    policy.check_password(admin_password, user_id=number)
    policy.check_new_approval_password(approval_password)
    with unit_of_work(ctx):
        ctx.db["companies"].insert({
            "bizno": number, "name": name, "representative": representative, "address": address,
            "admin_password_hash": ctx.hasher.hash(admin_password),
            "approval_password_hash": ctx.hasher.hash(approval_password),
            "registered_by": registered_by, "registered_at": ctx.stamp(), "source": "directory",
        })
        ctx.db["affiliations"].insert({"member_id": registered_by, "bizno": number, "via": "인증서",
                                       "since": ctx.stamp()})
        ctx.audit("seed", "registered_company", number)
    return number
