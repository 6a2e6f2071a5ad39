"""기업정보 등록 STEP1 약관동의 → STEP2 기업 인증 → STEP3 기업 정보 입력 → STEP4 등록 완료.

Only a 일반회원 holding the company's 기업 범용인증서 can register it the first time; a company
not found in KOTRA's records also needs its 사업자등록증 scan.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from ..domain import bizno as bizno_rules
from ..domain import policy, uploads
from ..domain.errors import Refusal
from ..domain.model import Kind, Via
from . import affiliation, certificates
from .context import Context, flow_row, member_of, save_flow, start_flow, unit_of_work
from .ports import PresentedCertificate

SCAN_MAX_BYTES = uploads.MAX_BYTES
ALREADY_REGISTERED = "기업정보 등록이 완료된 기업입니다. 추가 기업정보 입력 없이 [기업정보 관리 로그인]으로 로그인해 주세요."


@dataclass(frozen=True)
class Scan:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CompanyDetails:
    name: str = ""
    representative: str = ""
    address: str = ""
    industry: str = ""
    homepage: str = ""


def start(ctx: Context, token: str) -> str:
    with unit_of_work(ctx):
        member = member_of(ctx, token)
        if member.kind is not Kind.GENERAL:
            raise Refusal("simple_member_no_company", "간편회원은 소속기업 정보를 등록할 수 없습니다. 일반회원으로 가입해 주세요.")
        if member.company:
            raise Refusal("already_affiliated", "이미 소속기업이 등록되어 있습니다.")
        return start_flow(ctx, "company_registration", member_id=member.id)


def agree(ctx: Context, flow_id: str, *, terms: bool, privacy: bool) -> None:
    """STEP1: 홈페이지 이용약관 및 개인정보 수집이용 동의."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "company_registration")
        if not terms:
            raise Refusal("terms_required", "홈페이지 이용약관에 동의해 주세요.")
        if not privacy:
            raise Refusal("privacy_required", "개인정보 수집·이용에 동의해 주세요.")
        save_flow(ctx, flow_id, 2, flow["data"])


def lookup(ctx: Context, flow_id: str, raw_bizno: str) -> affiliation.CompanySearch:
    """STEP2: 소속기업 사업자등록번호(10자리) 입력."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "company_registration")
        if flow["step"] < 2:
            raise Refusal("terms_required", "약관에 먼저 동의해 주세요.")
        found = affiliation.search(ctx, raw_bizno)
        if found.outcome == affiliation.REGISTERED:
            raise Refusal("company_already_registered", ALREADY_REGISTERED)
        save_flow(ctx, flow_id, 2, {**flow["data"], "bizno": found.bizno, "outcome": found.outcome,
                                    "directory": found.__dict__})
        return found


def authenticate(ctx: Context, flow_id: str, challenge_id: str, presented: PresentedCertificate) -> str:
    """STEP2 [기업인증하기]: 기업 공동인증서 선택 후 인증서 암호 입력. Returns the holder name."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "company_registration")
        if "bizno" not in flow["data"]:
            raise Refusal("bizno_required", "소속기업 사업자등록번호를 먼저 조회해 주세요.")
        facts = certificates.authenticate(ctx, flow["data"]["bizno"], challenge_id, presented)
        save_flow(ctx, flow_id, 3, {**flow["data"], "certificate": facts.type_label})
        return facts.subject_name


def _store_scan(ctx: Context, scan: Scan | None) -> str:
    """Check the scan and keep it in the store (never in a served folder) under a new id,
    with its SHA-256."""
    if scan is None:
        raise Refusal("scan_required", "소속기업 사업자등록증 스캔본 파일을 첨부해 주세요.")
    checked = uploads.check_scan(scan.filename, scan.data)
    file_id = str(uuid.uuid4())
    ctx.db["files"].insert({"id": file_id, "original_name": scan.filename[-200:], "content_type": checked.content_type,
                            "size": checked.size, "sha256": hashlib.sha256(scan.data).hexdigest(),
                            "data": scan.data, "stored_at": ctx.stamp()})
    return file_id


def submit(
    ctx: Context,
    flow_id: str,
    *,
    admin_password: str,
    admin_password_confirm: str,
    approval_password: str,
    approval_password_confirm: str,
    details: CompanyDetails | None = None,
    scan: Scan | None = None,
) -> dict:
    """STEP3 기업 정보 입력 → STEP4 기업정보 등록 완료."""
    with unit_of_work(ctx):
        flow = flow_row(ctx, flow_id, "company_registration")
        data = flow["data"]
        if flow["step"] < 3:
            raise Refusal("company_auth_required", "[기업인증하기]로 기업 범용인증서 인증을 먼저 완료해 주세요.")
        number = data["bizno"]
        if ctx.db["companies"].count_where("bizno = ?", [number]):
            # another member finished registering it since [조회] (checked inside this transaction)
            raise Refusal("company_already_registered", ALREADY_REGISTERED)
        policy.check_password(admin_password, user_id=number)
        if admin_password != admin_password_confirm:
            raise Refusal("password_mismatch", "기업 로그인 비밀번호와 비밀번호 확인이 일치하지 않습니다.")
        policy.check_new_approval_password(approval_password)
        if approval_password != approval_password_confirm:
            raise Refusal("approval_password_mismatch", "승인 비밀번호와 승인 비밀번호 확인이 일치하지 않습니다.")
        details = details or CompanyDetails()
        if data["outcome"] == affiliation.DIRECTORY:
            known = data["directory"]
            record = {"name": details.name or known["name"],
                      "representative": details.representative or known["representative"],
                      "address": details.address or known["address"], "source": "directory", "scan_file": None}
        else:
            if not (details.name and details.representative and details.address):
                raise Refusal("company_details_required", "기업명, 대표자명, 주소를 모두 입력해 주세요.")
            record = {"name": details.name, "representative": details.representative,
                      "address": details.address, "source": "new", "scan_file": _store_scan(ctx, scan)}
        ctx.db["companies"].insert({
            "bizno": number, **record, "industry": details.industry, "homepage": details.homepage,
            "admin_password_hash": ctx.hasher.hash(admin_password),
            "approval_password_hash": ctx.hasher.hash(approval_password),
            "registered_by": flow["member_id"], "registered_at": ctx.stamp(),
        })
        affiliation.link(ctx, flow["member_id"], number, Via.CERTIFICATE)
        ctx.db["flows"].delete(flow_id)
        ctx.audit(f"member:{flow['member_id']}", "company_register", number, source=record["source"])
        return {"bizno": bizno_rules.display(number), "name": record["name"]}
