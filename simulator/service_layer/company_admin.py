"""기업정보 관리자: login by 사업자등록번호 + 비밀번호 or by 공동인증서, [기업인증], 기업정보 수정,
승인비밀번호 변경, 소속직원 관리, 서비스 참여이력 및 마일리지 조회."""

from __future__ import annotations

from dataclasses import asdict

from ..domain import bizno as bizno_rules
from ..domain import policy
from ..domain.errors import Refusal
from . import certificates
from .company_registration import CompanyDetails
from .context import Context, FailedAttempt, new_token, session_row, unit_of_work, within_limit
from .ports import PresentedCertificate

BAD_COMPANY_CREDENTIALS = "사업자등록번호 또는 비밀번호가 일치하지 않습니다."
SHARE_NOTICE = "승인비밀번호가 변경되었습니다. 변경된 승인비밀번호를 기존 기업소속 일반회원들에게도 반드시 공유해 주세요."


def _open(ctx: Context, number: str, method: str) -> str:
    token = new_token()
    ctx.db["sessions"].insert({"token": token, "subject": "company", "bizno": number,
                               "login_method": method, "created_at": ctx.stamp(), "last_seen_at": ctx.stamp()})
    ctx.audit(f"company:{number}", "company_login", method)
    return token


def login_password(ctx: Context, raw_bizno: str, password: str) -> str:
    """[기업정보 관리 로그인] → 사업자등록번호 및 비밀번호 입력 → [로그인]."""
    with unit_of_work(ctx):
        number = bizno_rules.normalize(raw_bizno)
        company = next(ctx.db["companies"].rows_where("bizno = ?", [number]), None)
        unknown = (policy.UNKNOWN_COMPANY_FAILURES, f"bizno:{number}")
        locked = not within_limit(ctx, *unknown) if company is None else \
            company["admin_failures"] >= policy.MAX_LOGIN_FAILURES
        valid = ctx.hasher.verify(company["admin_password_hash"] if company else None, password)
        if locked:
            raise Refusal("company_login_locked", f"비밀번호를 {policy.MAX_LOGIN_FAILURES}회 잘못 입력하여 로그인이 제한되었습니다."
                                                  " [공동인증서 로그인]을 이용해 주세요.")
        if company is None:
            raise FailedAttempt("bad_company_credentials", BAD_COMPANY_CREDENTIALS, hits=(unknown,))
        if not valid:
            raise FailedAttempt("bad_company_credentials", BAD_COMPANY_CREDENTIALS, table="companies",
                                key="bizno", value=number, column="admin_failures")
        ctx.db["companies"].update(number, {"admin_failures": 0})
        return _open(ctx, number, "password")


def login_certificate(ctx: Context, raw_bizno: str, challenge_id: str, presented: PresentedCertificate) -> str:
    """[공동인증서 로그인]: 소속기업 범용인증서 인증 후 로그인."""
    with unit_of_work(ctx):
        number = bizno_rules.parse(raw_bizno)
        if not next(ctx.db["companies"].rows_where("bizno = ?", [number]), None):
            raise Refusal("company_not_registered", "기업정보가 등록되지 않은 기업입니다. 소속기업 정보 등록을 먼저 진행해 주세요.")
        certificates.authenticate(ctx, number, challenge_id, presented)
        ctx.db["companies"].update(number, {"admin_failures": 0})
        token = _open(ctx, number, "certificate")
        ctx.db["sessions"].update(token, {"company_authenticated_at": ctx.stamp()})
        return token


def company_info(ctx: Context, token: str) -> dict:
    row = session_row(ctx, token, "company")
    company = ctx.db["companies"].get(row["bizno"])
    return {"사업자등록번호": bizno_rules.display(company["bizno"]), "기업명": company["name"],
            "대표자명": company["representative"], "주소": company["address"], "업종": company["industry"],
            "홈페이지": company["homepage"], "기업인증": bool(row["company_authenticated_at"]),
            "승인 비밀번호": approval_state(company["approval_failures"])}


def approval_state(failures: int) -> str:
    """What the admin sees of the 승인 비밀번호: usable, or locked until it is changed."""
    if failures >= policy.MAX_APPROVAL_FAILURES:
        return f"잠김 (연속 {policy.MAX_APPROVAL_FAILURES}회 입력 오류)"
    return "사용 가능"


def authenticate(ctx: Context, token: str, challenge_id: str, presented: PresentedCertificate) -> None:
    """[기업인증]: 기업 범용인증서로 기업 인증절차 진행."""
    with unit_of_work(ctx):
        row = session_row(ctx, token, "company")
        certificates.authenticate(ctx, row["bizno"], challenge_id, presented)
        ctx.db["sessions"].update(token, {"company_authenticated_at": ctx.stamp()})
        ctx.audit(f"company:{row['bizno']}", "company_authenticate")


def _authenticated(ctx: Context, token: str) -> dict:
    row = session_row(ctx, token, "company")
    if not row["company_authenticated_at"]:
        raise Refusal("company_auth_required", "반드시 기업인증 절차를 거친 후 수정할 수 있습니다. [기업인증]을 먼저 진행해 주세요.")
    return row


def edit(ctx: Context, token: str, details: CompanyDetails) -> dict:
    """[기업정보 수정]/[기업정보 변경]: only after [기업인증]."""
    with unit_of_work(ctx):
        row = _authenticated(ctx, token)
        return update_company(ctx, row["bizno"], details, actor=f"company:{row['bizno']}")


def update_company(ctx: Context, number: str, details: CompanyDetails, *, actor: str) -> dict:
    changes = {k: v.strip() for k, v in asdict(details).items() if v and v.strip()}
    if not changes:
        raise Refusal("nothing_to_change", "수정할 기업정보를 입력해 주세요.")
    ctx.db["companies"].update(number, changes)
    ctx.audit(actor, "company_edit", number, fields=sorted(changes))
    return changes


def change_approval_password(ctx: Context, token: str, new: str, confirm: str) -> str:
    """승인비밀번호 변경: 기업범용인증서로 기업인증을 마친 뒤 기업정보 수정 화면에서만."""
    with unit_of_work(ctx):
        row = _authenticated(ctx, token)
        policy.check_new_approval_password(new)
        if new != confirm:
            raise Refusal("approval_password_mismatch", "승인 비밀번호와 승인 비밀번호 확인이 일치하지 않습니다.")
        ctx.db["companies"].update(row["bizno"], {"approval_password_hash": ctx.hasher.hash(new),
                                                  "approval_failures": 0})
        ctx.audit(f"company:{row['bizno']}", "approval_password_change")
        return SHARE_NOTICE


def employees(ctx: Context, token: str) -> list[dict]:
    """소속직원 관리: members linked to the company."""
    row = session_row(ctx, token, "company")
    return [
        {"이름": r["name"], "아이디": r["user_id"], "인증수단": r["via"], "등록일": r["since"][:10]}
        for r in ctx.db.query(
            "SELECT m.name, m.user_id, a.via, a.since FROM affiliations a JOIN members m ON m.id = a.member_id"
            " WHERE a.bizno = ? ORDER BY a.since, m.id", [row["bizno"]])
    ]


def release(ctx: Context, token: str, user_id: str) -> None:
    """소속직원 관리: end an employee's link to the company."""
    with unit_of_work(ctx):
        row = session_row(ctx, token, "company")
        found = next(ctx.db.query(
            "SELECT a.member_id FROM affiliations a JOIN members m ON m.id = a.member_id"
            " WHERE a.bizno = ? AND m.user_id = ?", [row["bizno"], user_id]), None)
        if found is None:
            raise Refusal("employee_unknown", "해당 아이디의 소속직원이 없습니다.")
        ctx.db["affiliations"].delete(found["member_id"])
        ctx.audit(f"company:{row['bizno']}", "employee_release", user_id)


def participation(ctx: Context, token: str) -> dict:
    """서비스 참여이력 및 마일리지 조회 for the company."""
    row = session_row(ctx, token, "company")
    return participation_of(ctx, row["bizno"])


def participation_of(ctx: Context, number: str) -> dict:
    history = [
        {"서비스": r["service"], "신청자": r["name"], "신청일": r["applied_at"][:10], "내용": r["detail"]}
        for r in ctx.db.query(
            "SELECT a.service, a.detail, a.applied_at, m.name FROM applications a JOIN members m"
            " ON m.id = a.member_id WHERE a.bizno = ? ORDER BY a.id", [number])
    ]
    balance = next(ctx.db.query("SELECT COALESCE(SUM(delta), 0) AS b FROM mileage WHERE bizno = ?", [number]))["b"]
    return {"참여이력": history, "마일리지": balance}
