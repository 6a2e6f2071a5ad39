"""Issue 7 item 5: SIGKILL during 50 concurrent sign-ups, restart on the same database.

``ti24 serve`` (serving argon2 profile, SQLite file in tmp) takes 50 일반회원 sign-ups at once, each
through the real forms (STEP1 약관동의 → STEP2 휴대전화 본인인증 in the PASS window → STEP3 회원정보
입력 → [가입하기]). Once some have been acknowledged (the 303 to STEP4 가입완료) the server is
killed with SIGKILL while others are still in flight. After a restart on the same file:

* ``PRAGMA integrity_check`` is ok and ``PRAGMA foreign_key_check`` finds nothing;
* every acknowledged sign-up exists and its member can log in through the 로그인 form;
* nothing is half-made: every member row is whole (hash, CI, 가입 record in the audit log) and
  its sign-up flow is gone, every 가입 record has its member, and sign-ups that were never
  acknowledged either exist whole or not at all.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from steps.webflows import FlowError, Member, Server, unique_user_id

SIGNUPS = 50
KILL_AFTER_ACKS = 15
PASSWORD = "Trade-Invest24!"


def _signup(origin: str, user_id: str, acked: set[str], lock: threading.Lock, enough: threading.Event) -> str:
    """One member's whole sign-up; 'acked' when the [가입하기] POST answered 303 → STEP4."""
    try:
        with Member(origin, timeout=120) as member:
            person = member.new_person()
            member.general_signup_until_submit(person)
            response = member.client.post("/signup/general/info", follow_redirects=False, data={
                "csrf_token": member.csrf(), "user_id": user_id, "password": PASSWORD,
                "password_confirm": PASSWORD, "email": f"{user_id}@example.com"})
            if response.status_code == 303 and response.headers["location"].endswith("/signup/general/done"):
                with lock:
                    acked.add(user_id)
                    if len(acked) >= KILL_AFTER_ACKS:
                        enough.set()
                return "acked"
            return f"refused {response.status_code}"
    except (httpx.HTTPError, FlowError) as error:  # the server died under it
        return f"cut off: {type(error).__name__}"


def _check_database(path: Path) -> tuple[set[str], list[str]]:
    """The user IDs stored, and every way the stored data is half-made."""
    problems: list[str] = []
    with sqlite3.connect(path) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity}")
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk}")
        members = db.execute("SELECT id, user_id, password_hash, ci, di, name, kind FROM members").fetchall()
        audit = db.execute("SELECT target FROM audit_log WHERE action = 'general_signup'").fetchall()
        audited = [target for (target,) in audit]
        flows = db.execute("SELECT data FROM flows WHERE kind = 'general_signup'").fetchall()
        flow_cis = {json.loads(data).get("person", {}).get("ci") for (data,) in flows}
    stored = {user_id for _, user_id, *_ in members}
    for member_id, user_id, password_hash, ci, di, name, kind in members:
        if kind != "일반회원" or not (user_id and password_hash and password_hash.startswith("$argon2id$")
                                   and ci and di and name):
            problems.append(f"member {member_id} incomplete")
        if audited.count(user_id) != 1:
            problems.append(f"member {user_id} has {audited.count(user_id)} 가입 records")
        if ci in flow_cis:
            problems.append(f"member {user_id} still has its sign-up flow")
    problems += [f"가입 record of {target} without a member" for target in set(audited) - stored]
    return stored, problems


def test_sigkill_during_fifty_concurrent_signups(tmp_path: Path) -> None:
    database = tmp_path / "ti24.db"
    log = tmp_path / "server.log"
    user_ids = [unique_user_id("crash") for _ in range(SIGNUPS)]
    acked: set[str] = set()
    lock, enough = threading.Lock(), threading.Event()

    server = Server(database, log=log).start()
    try:
        with ThreadPoolExecutor(SIGNUPS) as pool:
            futures = [pool.submit(_signup, server.origin, u, acked, lock, enough) for u in user_ids]
            assert enough.wait(timeout=300), [f.result() for f in futures if f.done()]
            server.kill()
            with lock:
                acked_at_kill = set(acked)
            outcomes = [f.result() for f in futures]
    finally:
        server.kill()

    cut_off = [o for o in outcomes if o.startswith("cut off")]
    assert len(acked_at_kill) >= KILL_AFTER_ACKS
    assert cut_off, f"the kill came after every sign-up had finished: {outcomes}"  # really mid-way
    assert not [o for o in outcomes if o.startswith("refused")], outcomes

    restarted = Server(database, port=server.port, log=log).start()  # same file, recovery from the WAL
    try:
        stored, problems = _check_database(database)
        assert problems == []
        missing = acked - stored
        assert not missing, f"acknowledged but lost: {missing}"
        assert stored <= set(user_ids)
        for user_id in sorted(acked):  # acknowledged members can log in through the form
            with Member(restarted.origin) as member:
                page = member.login(user_id, PASSWORD)
                assert page.status == 200 and not page.alert, (user_id, page.alert)
                assert "로그아웃" in page.text
        with Member(restarted.origin) as member:  # and the restarted server takes new sign-ups
            member.general_signup(unique_user_id("after"), PASSWORD)
    finally:
        restarted.stop()
    print(f"\n{len(acked_at_kill)} acknowledged at SIGKILL, {len(cut_off)} cut off, {len(stored)} stored; "
          f"{len(stored - acked)} stored without an acknowledgement")
