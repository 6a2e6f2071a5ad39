"""소속기업 등록: find the company by 사업자등록번호, then prove membership with the
approval password (승인 비밀번호) or the company's 기업 범용인증서."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain import bizno as bizno_rules
from ..domain import policy
from ..domain.errors import Refusal
from ..domain.model import Kind, Member, Via
from . import certificates
from .context import Context, FailedAttempt, load_member, member_of, unit_of_work, within_limit

if TYPE_CHECKING:
    from .signup import CompanyChoice

REGISTERED = "registered"  # 기업정보 기등록: join with approval password or certificate
DIRECTORY = "directory"  # 기업정보 정상 조회: first registration through [기업인증하기]
NOT_FOUND = "not_found"  # 조회되지 않음: 신규기업 등록 with 사업자등록증


@dataclass(frozen=True)
class CompanySearch:
    bizno: str
    outcome: str
    name: str = ""
    representative: str = ""
    address: str = ""

    @property
    def guidance(self) -> str:
        return {
            REGISTERED: "이미 기업정보가 등록된 기업입니다. 승인 비밀번호 또는 기업 범용인증서로 소속기업을 인증하거나,"
                        " 기업정보 관리는 [기업정보 관리 로그인]을 이용해 주세요.",
            DIRECTORY: "기업정보가 조회되었습니다. [기업인증하기]로 기업정보를 등록해 주세요.",
            NOT_FOUND: "조회되지 않는 사업자등록번호입니다. 신규기업 등록 화면에서 사업자등록증을 첨부해 등록해 주세요.",
        }[self.outcome]


def search(ctx: Context, raw_bizno: str) -> CompanySearch:
    """[검색]: also asks 국세청 whether the business is open; 휴업/폐업 are refused."""
    number = bizno_rules.parse(raw_bizno)
    state = ctx.business_status.status(number)
    if state.code == "02":
        raise Refusal("company_suspended", "휴업으로 조회된 기업입니다. 휴업 중인 기업은 기업정보를 등록할 수 없습니다.")
    if state.code == "03":
        raise Refusal("company_closed", "폐업으로 조회된 기업입니다. 폐업한 기업은 기업정보를 등록할 수 없습니다.")
    company = next(ctx.db["companies"].rows_where("bizno = ?", [number]), None)
    if company:
        return CompanySearch(number, REGISTERED, company["name"], company["representative"], company["address"])
    known = next(ctx.db["company_directory"].rows_where("bizno = ?", [number]), None)
    if known:
        return CompanySearch(number, DIRECTORY, known["name"], known["representative"], known["address"])
    if state.code != "01":
        raise Refusal("company_unregistered_nts", "국세청에 등록되지 않은 사업자등록번호입니다. 번호를 다시 확인해 주세요.")
    return CompanySearch(number, NOT_FOUND)


APPROVAL_LOCKED = ("승인 비밀번호 입력 오류 횟수를 초과했습니다. 기업정보 관리자가 승인 비밀번호를 변경한 뒤 다시 시도해 주세요.")
PERSON_LIMITED = ("승인 비밀번호를 여러 번 잘못 입력하여 24시간 동안 승인 비밀번호로 소속기업을 등록할 수 없습니다."
                  " 기업 범용인증서로 인증하거나 나중에 다시 시도해 주세요.")


def person_key(ctx: Context, member_id: int) -> str:
    """Who is guessing: the real-name CI when there is one (one person, however many accounts)."""
    row = ctx.db["members"].get(member_id)
    return f"ci:{row['ci']}" if row["ci"] else f"member:{member_id}"


def check_approval_password(ctx: Context, number: str, approval_password: str, person: str) -> None:
    """Limited per company (5 consecutive failures lock it until the admin changes it) and per
    person (10 failures a day over all companies); per client address in the web layer."""
    company = ctx.db["companies"].get(number)
    if company["approval_failures"] >= policy.MAX_APPROVAL_FAILURES:
        raise Refusal("approval_password_locked", APPROVAL_LOCKED)
    if not within_limit(ctx, policy.APPROVAL_FAILURES_PER_PERSON, person):
        raise Refusal("approval_password_person_limited", PERSON_LIMITED)
    policy.check_approval_password(approval_password)
    if not ctx.hasher.verify(company["approval_password_hash"], approval_password):
        raise FailedAttempt("approval_password_wrong", "승인 비밀번호가 일치하지 않습니다.",
                            table="companies", key="bizno", value=number, column="approval_failures",
                            hits=((policy.APPROVAL_FAILURES_PER_PERSON, person),))
    ctx.db["companies"].update(number, {"approval_failures": 0})


def link(ctx: Context, member_id: int, number: str, via: Via) -> None:
    ctx.db["affiliations"].upsert({"member_id": member_id, "bizno": number, "via": via.value,
                                   "since": ctx.stamp()}, pk="member_id")
    ctx.audit(f"member:{member_id}", "affiliate", number, via=via.value)


def join_in_transaction(ctx: Context, member_id: int, choice: CompanyChoice) -> Member:
    member = load_member(ctx.db, member_id)
    if member.kind is not Kind.GENERAL:
        raise Refusal("simple_member_no_company", "간편회원은 소속기업을 등록할 수 없습니다. 일반회원으로 가입해 주세요.")
    number = bizno_rules.parse(choice.bizno)
    found = search(ctx, number)
    if found.outcome != REGISTERED:
        raise Refusal("company_not_registered",
                      "기업정보가 등록되지 않은 기업입니다. 소속기업 범용인증서를 보유한 직원이 먼저 기업정보를 등록해야 합니다.")
    if choice.approval_password is not None:
        check_approval_password(ctx, number, choice.approval_password, person_key(ctx, member_id))
        link(ctx, member_id, number, Via.APPROVAL_PASSWORD)
    elif choice.certificate is not None and choice.challenge_id is not None:
        certificates.authenticate(ctx, number, choice.challenge_id, choice.certificate)
        link(ctx, member_id, number, Via.CERTIFICATE)
    else:
        raise Refusal("company_proof_required", "승인 비밀번호(6자리)를 입력하거나 기업 범용인증서로 소속기업을 인증해 주세요.")
    return load_member(ctx.db, member_id)


def join(ctx: Context, token: str, choice: CompanyChoice) -> Member:
    """[소속기업 등록] for a logged-in 일반회원 (mykotra or 기존 회원 전환)."""
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        if member.company is not None:
            raise Refusal("already_affiliated", "이미 소속기업이 등록되어 있습니다.")
        return join_in_transaction(ctx, member.id, choice)
