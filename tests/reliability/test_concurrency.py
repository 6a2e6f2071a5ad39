"""Issue 7 item 6: 20 members register the same company for the first time at the same moment.

Each member really goes through the web forms of ``ti24 serve`` (serving argon2 profile) —
일반회원 가입 with 휴대전화 본인인증, 로그인, 기업정보 등록 STEP1 약관동의, STEP2 [조회] and
[기업인증하기] with their own copy of the company's 기업 범용인증서 — up to STEP3; then all 20 press
[다음] together. Exactly one company results; the other 19 are told the company is already
registered and to use 기업정보 관리 로그인 (REQ-REG-07's guidance), and nothing of theirs is stored.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from steps.webflows import Member, Server, bizno_with_check_digit, unique_user_id

MEMBERS = 20
PASSWORD = "Trade-Invest24!"
CERT_PASSWORD = "cert-pass-24"
ALREADY_REGISTERED = "기업정보 등록이 완료된 기업입니다"
LOGIN_GUIDANCE = "기업정보 관리 로그인"


def test_twenty_simultaneous_first_registrations_leave_one_company(tmp_path: Path) -> None:
    bizno = bizno_with_check_digit("305861234")
    with Server(tmp_path / "ti24.db", log=tmp_path / "server.log") as server:
        with Member(server.origin) as setup:
            setup.control("POST", "/businesses", {"b_no": bizno, "name": "동시등록 주식회사", "status": "01"})

        def prepare(i: int) -> Member:
            member = Member(server.origin)
            user_id = unique_user_id("reg")
            member.general_signup(user_id, PASSWORD)
            member.login(user_id, PASSWORD)
            holder = f"담당자{i:02d}"
            certificate = member.company_certificate(bizno, holder, CERT_PASSWORD)
            member.company_registration_until_submit(bizno, certificate, CERT_PASSWORD)
            return member

        with ThreadPoolExecutor(4) as pool:
            members = list(pool.map(prepare, range(MEMBERS)))

        barrier = threading.Barrier(MEMBERS)

        def submit(member: Member) -> tuple[int, str, str]:
            barrier.wait()
            page = member.company_submit({"name": "동시등록 주식회사", "representative": "김대표",
                                          "address": "서울특별시 서초구 헌릉로 13"}, "Company-Admin24", "905172")
            return page.status, page.url, page.alert

        try:
            with ThreadPoolExecutor(MEMBERS) as pool:
                outcomes = list(pool.map(submit, members))
        finally:
            for member in members:
                member.close()

    done = [o for o in outcomes if o[1].endswith("/company/register/done")]
    refused = [o for o in outcomes if o not in done]
    assert len(done) == 1, outcomes
    assert len(refused) == MEMBERS - 1
    for status, _url, alert in refused:
        assert status == 400, (status, alert)
        assert ALREADY_REGISTERED in alert and LOGIN_GUIDANCE in alert, alert

    with sqlite3.connect(tmp_path / "ti24.db") as db:
        assert db.execute("SELECT count(*) FROM companies WHERE bizno = ?", [bizno]).fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM affiliations WHERE bizno = ?", [bizno]).fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM files").fetchone() == (1,)  # no orphaned scans of the 19
        assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'company_register'").fetchone() == (1,)
        registered_by = db.execute("SELECT registered_by FROM companies").fetchone()[0]
        assert db.execute("SELECT member_id FROM affiliations").fetchone() == (registered_by,)
