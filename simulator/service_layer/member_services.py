"""The services the matrices speak of, as things a member actually does.

Every action asks the matrix of the scheme in force (entitlements.toml) first; what a
member applies for in a company's name feeds that company's 서비스 참여이력 및 마일리지.
"""

from __future__ import annotations

from ..domain.entitlements import LEGACY, NEW, matrix, mileage_for
from ..domain.errors import Refusal
from ..domain.model import Kind, LegacyRole, Member, Via, column
from . import affiliation, certificates
from .company_admin import participation_of, update_company
from .company_registration import CompanyDetails
from .context import Context, load_member, member_of, unit_of_work
from .ports import PresentedCertificate

APPLICATIONS = ("온라인 상담", "설명회 신청", "기타 서비스 신청")


def _gate(ctx: Context, member: Member, service: str) -> str:
    scheme = ctx.scheme()
    if scheme == LEGACY and member.legacy_role is None:
        raise Refusal("not_legacy_member", "(구) 회원 체계에 가입된 회원이 아닙니다.")
    matrix(scheme).require(service, column(member, scheme))
    return scheme


def may_use(ctx: Context, token: str, service: str) -> None:
    """Refuse now, before any certificate is asked for, a service the member's class may not use."""
    _gate(ctx, member_of(ctx, token), service)


def company_of(member: Member, scheme: str) -> str | None:
    """The company in whose name the member acts under ``scheme``."""
    if scheme == NEW:
        return member.company
    return member.legacy_company if member.legacy_role is not LegacyRole.INDIVIDUAL else None


def apply(ctx: Context, token: str, service: str, detail: str = "") -> dict:
    """온라인 상담 / 설명회 신청 / 기타 서비스 신청."""
    if service not in APPLICATIONS:
        raise Refusal("unknown_service", f"신청할 수 없는 서비스입니다: {service}")
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        scheme = _gate(ctx, member, service)
        number = company_of(member, scheme)
        app_id = ctx.db["applications"].insert({"member_id": member.id, "bizno": number, "service": service,
                                                "detail": detail, "applied_at": ctx.stamp()}).last_pk
        earned = mileage_for(service) if number else 0
        if earned:
            ctx.db["mileage"].insert({"bizno": number, "member_id": member.id, "delta": earned,
                                      "reason": f"{service} 참여", "at": ctx.stamp()})
        ctx.audit(f"member:{member.id}", "apply", service, bizno=number)
        return {"신청번호": app_id, "서비스": service, "기업": number, "적립 마일리지": earned}


def use_mileage(ctx: Context, token: str, points: int, purpose: str) -> int:
    """서비스 마일리지 사용: spends the company's mileage; returns the balance left."""
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        scheme = _gate(ctx, member, "서비스 마일리지 사용")
        number = company_of(member, scheme)
        if points <= 0:
            raise Refusal("mileage_amount", "사용할 마일리지를 1점 이상 입력해 주세요.")
        balance = participation_of(ctx, number)["마일리지"]
        if points > balance:
            raise Refusal("mileage_insufficient", f"사용 가능한 마일리지({balance}점)가 부족합니다.")
        ctx.db["mileage"].insert({"bizno": number, "member_id": member.id, "delta": -points,
                                  "reason": purpose or "서비스 마일리지 사용", "at": ctx.stamp()})
        ctx.audit(f"member:{member.id}", "mileage_use", number, points=points)
        return balance - points


def edit_company(ctx: Context, token: str, details: CompanyDetails,
                 challenge_id: str | None = None, presented: PresentedCertificate | None = None) -> dict:
    """기업정보 수정 by a member; under the new scheme with the 기업 범용인증서 (사용 시)."""
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        scheme = _gate(ctx, member, "기업정보 수정")
        number = company_of(member, scheme)
        if scheme == NEW:
            if presented is None or challenge_id is None:
                raise Refusal("company_auth_required", "기업 범용인증서로 기업인증을 거친 후 기업정보를 수정할 수 있습니다.")
            certificates.authenticate(ctx, number, challenge_id, presented)
            return update_company(ctx, number, details, actor=f"member:{member.id}")
        changes = {k: v for k, v in details.__dict__.items() if k in ("name", "representative", "address") and v}
        if not changes:
            raise Refusal("nothing_to_change", "수정할 기업정보를 입력해 주세요.")
        ctx.db["company_directory"].update(number, changes)
        ctx.audit(f"member:{member.id}", "legacy_company_edit", number)
        return changes


def _colleague(ctx: Context, user_id: str) -> Member:
    row = next(ctx.db["members"].rows_where("user_id = ?", [user_id]), None)
    if row is None:
        raise Refusal("member_unknown", "해당 아이디의 회원이 없습니다.")
    return load_member(ctx.db, row["id"])


def approve_colleague(ctx: Context, token: str, user_id: str) -> Member:
    """(신) 신규 가입한 소속기업직원 승인 / (구) 준회원 → 정회원 승인."""
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        if ctx.scheme() == NEW:
            _gate(ctx, member, "소속직원 승인")
            other = _colleague(ctx, user_id)
            if other.kind is not Kind.GENERAL or other.company is not None:
                raise Refusal("colleague_not_eligible", "소속기업이 없는 일반회원만 소속직원으로 승인할 수 있습니다.")
            affiliation.link(ctx, other.id, member.company or "", Via.APPROVAL_PASSWORD)
        else:
            _gate(ctx, member, "정회원 승인")
            other = _colleague(ctx, user_id)
            if other.legacy_role is not LegacyRole.ASSOCIATE or other.legacy_company != member.legacy_company:
                raise Refusal("colleague_not_eligible", "같은 기업의 준회원만 정회원으로 승인할 수 있습니다.")
            ctx.db["members"].update(other.id, {"legacy_role": LegacyRole.REGULAR.value})
            ctx.audit(f"member:{member.id}", "legacy_approve", user_id)
        return load_member(ctx.db, other.id)


def transfer_master(ctx: Context, token: str, user_id: str) -> None:
    """(구) MASTER 권한 넘기기: to a 정회원 of the same company."""
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        _gate(ctx, member, "MASTER 권한 넘기기")
        other = _colleague(ctx, user_id)
        if other.legacy_role is not LegacyRole.REGULAR or other.legacy_company != member.legacy_company:
            raise Refusal("colleague_not_eligible", "같은 기업의 정회원에게만 MASTER 권한을 넘길 수 있습니다.")
        ctx.db["members"].update(other.id, {"legacy_role": LegacyRole.MASTER.value})
        ctx.db["members"].update(member.id, {"legacy_role": LegacyRole.REGULAR.value})
        ctx.audit(f"member:{member.id}", "legacy_master_transfer", user_id)


def release_relation(ctx: Context, token: str, user_id: str) -> None:
    """(구) 관계 해지: a 정회원/준회원 of the same company becomes 개인회원."""
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        _gate(ctx, member, "관계 해지")
        other = _colleague(ctx, user_id)
        if other.legacy_role not in (LegacyRole.REGULAR, LegacyRole.ASSOCIATE) \
                or other.legacy_company != member.legacy_company:
            raise Refusal("colleague_not_eligible", "같은 기업의 정회원 또는 준회원만 관계를 해지할 수 있습니다.")
        ctx.db["members"].update(other.id, {"legacy_role": LegacyRole.INDIVIDUAL.value, "legacy_company": None})
        ctx.audit(f"member:{member.id}", "legacy_release", user_id)


def my_info(ctx: Context, token: str) -> dict:
    """mykotra: 회원정보 as the member sees it."""
    member = member_of(ctx, token)
    row = ctx.db["members"].get(member.id)
    fields = {"이름": row["name"], "휴대폰번호": row["phone"], "이메일": row["email"], "생년월일": row["birth_date"],
              "아이디": row["user_id"]}
    info = {k: v for k, v in fields.items() if v}
    info.update({k: ", ".join(v) for k, v in member.interests.items()})
    info["회원유형"] = member.type_label
    info["가입채널"] = member.channel_label
    if member.company:
        info["소속기업"] = ctx.db["companies"].get(member.company)["name"]
        info["소속기업 사업자등록번호"] = member.company
    return info


def my_participation(ctx: Context, token: str) -> dict:
    """mykotra: 서비스 참여이력 및 마일리지 of the member's 소속기업 (or own history)."""
    member = member_of(ctx, token)
    number = company_of(member, ctx.scheme())
    if number:
        return participation_of(ctx, number)
    history = [{"서비스": r["service"], "신청일": r["applied_at"][:10], "내용": r["detail"]}
               for r in ctx.db["applications"].rows_where("member_id = ?", [member.id], order_by="id")]
    return {"참여이력": history, "마일리지": 0}
