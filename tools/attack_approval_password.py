"""Guess one company's 승인 비밀번호 10,000 times over HTTP and count what got through.

Starts the simulator (test mode, 127.0.0.1, a free port) in this process, puts in place what the
public screens would have produced — one registered company whose 6-digit 승인 비밀번호 is
*among* the guesses, and some 일반회원 accounts — then attacks it the way a browser would:
each attacker logs in at /login and POSTs [소속기업 등록] (/mykotra/company/join) with the next
guess, CSRF token and all. Attackers can come from several loopback addresses (127.0.0.N) and
the clock can be moved on between rounds so that per-address windows start again.

Every answer is sorted by its Korean message:
  checked    "승인 비밀번호가 일치하지 않습니다" — the guess reached the password check
  locked     the company's 승인 비밀번호 is locked (5 consecutive failures)
  person     that person's daily limit (10 failures) is used up
  throttled  the client address's limit (HTTP 429)
  success    the member was linked to the company
and the store's audit log is read afterwards to confirm how many guesses were compared.

    .venv/bin/python tools/attack_approval_password.py                      # 10,000 guesses
    .venv/bin/python tools/attack_approval_password.py --guesses 500 --addresses 5

Exit status 0 when nothing succeeded and no more than the allowed attempts reached the check.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.domain import policy
from ti24 import testmode

BIZNO = "1248100998"
PASSWORD = "Attack-Member24"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ALERT = re.compile(r'role="alert"[^>]*>\s*(?:<p>)?([^<]+)')


@dataclass
class Result:
    guesses: int
    addresses: int
    members: int
    outcomes: Counter = field(default_factory=Counter)
    compared_in_store: int = 0
    secret_position: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcomes["success"] == 0 and self.compared_in_store <= policy.MAX_APPROVAL_FAILURES \
            and self.outcomes["checked"] <= policy.MAX_APPROVAL_FAILURES

    def as_dict(self) -> dict:
        return {"guesses": self.guesses, "addresses": self.addresses, "members": self.members,
                "secret_position": self.secret_position, "outcomes": dict(self.outcomes),
                "compared_in_store": self.compared_in_store, "seconds": round(self.seconds, 1), "ok": self.ok}


def _fixture(sut: testmode.SimulatorUnderTest, members: int, secret: str) -> None:
    """A registered company and ``members`` 일반회원, as sign-up and 기업정보 등록 would leave them."""
    ctx = sut.embedded.ctx
    stamp = ctx.stamp()
    with ctx.db.conn:
        ctx.db["companies"].insert({
            "bizno": BIZNO, "name": "공격대상 주식회사", "representative": "대표", "address": "서울",
            "admin_password_hash": ctx.hasher.hash("Company-Admin1"),
            "approval_password_hash": ctx.hasher.hash(secret), "registered_at": stamp, "source": "directory"})
        for n in range(members):
            ci = base64.b64encode(hashlib.sha512(f"attacker-{n}".encode()).digest()).decode()
            ctx.db["members"].insert({
                "kind": "일반회원", "status": "active", "user_id": f"attacker_{n:03d}",
                "password_hash": ctx.hasher.hash(PASSWORD), "name": f"공격자{n}", "ci": ci, "di": f"DI-{n}",
                "email": f"attacker{n}@example.com", "joined_at": stamp, "terms_agreed_at": stamp})


def _client(origin: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=origin, follow_redirects=False, timeout=30.0,
                        transport=httpx.HTTPTransport(local_address=address))


def _csrf(client: httpx.Client, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    if not found:
        raise RuntimeError(f"{path}: CSRF 토큰이 없습니다.")
    return found.group(1)


def _login(client: httpx.Client, user_id: str) -> str:
    token = _csrf(client, "/login")
    answer = client.post("/login", data={"csrf_token": token, "user_id": user_id, "password": PASSWORD})
    if answer.status_code != 303:
        raise RuntimeError(f"{user_id}: 로그인 실패 ({answer.status_code})")
    return _csrf(client, "/mykotra/company")


def _classify(answer: httpx.Response) -> str:
    if answer.status_code == 303:
        return "success"
    message = (ALERT.search(answer.text) or [None, ""])[1]
    if answer.status_code == 429 or "시도 횟수를 초과했습니다" in message:
        return "throttled"
    if "승인 비밀번호가 일치하지 않습니다" in message:
        return "checked"
    if "입력 오류 횟수를 초과했습니다" in message:
        return "locked"
    if "24시간 동안" in message:
        return "person"
    return f"other: {answer.status_code} {message[:60]}"


def run(guesses: int = 10_000, addresses: int = 1, members: int = 1, rounds: int = 1) -> Result:
    """``rounds`` > 1 moves the clock past the per-address window between rounds."""
    sut, server = testmode.start()
    result = Result(guesses, addresses, members)
    started = time.perf_counter()
    try:
        sut.clock.set(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
        result.secret_position = secrets.randbelow(guesses - 10) + 10  # never among the first few guesses
        secret = f"{result.secret_position:06d}"
        _fixture(sut, members, secret)
        clients = []
        for n in range(max(addresses, members)):
            client = _client(sut.origin, f"127.0.0.{1 + n % addresses}")
            clients.append((client, _login(client, f"attacker_{n % members:03d}")))
        per_round = -(-guesses // rounds)
        for guess in range(guesses):
            if guess and guess % per_round == 0:
                sut.clock.advance(policy.APPROVAL_PER_ADDRESS.window)
            client, token = clients[guess % len(clients)]
            answer = client.post("/mykotra/company/join",
                                 data={"csrf_token": token, "bizno": BIZNO, "approval_password": f"{guess:06d}"})
            result.outcomes[_classify(answer)] += 1
        result.compared_in_store = sum(
            1 for row in sut.embedded.ctx.db["audit_log"].rows_where("action = 'failed_attempt'")
            if row["target"] == f"companies:{BIZNO}")
        result.compared_in_store += result.outcomes["success"]
        for client, _ in clients:
            client.close()
    finally:
        server.stop()
    result.seconds = time.perf_counter() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guesses", type=int, default=10_000)
    parser.add_argument("--addresses", type=int, default=1, help="loopback source addresses 127.0.0.1…N (≤ 250)")
    parser.add_argument("--members", type=int, default=1, help="attacker accounts")
    parser.add_argument("--rounds", type=int, default=1, help="move the clock past the address window this often")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.guesses, min(args.addresses, 250), args.members, args.rounds)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        print(f"승인 비밀번호 추측 {result.guesses}회 (주소 {result.addresses}개, 회원 {result.members}명, "
              f"{result.seconds:.1f}초; 정답은 {result.secret_position + 1}번째 추측)")
        for outcome, count in sorted(result.outcomes.items(), key=lambda kv: -kv[1]):
            print(f"  {outcome:10s} {count}")
        print(f"  비밀번호 비교까지 간 추측(저장소 감사기록): {result.compared_in_store} "
              f"(허용 {policy.MAX_APPROVAL_FAILURES}), 성공: {result.outcomes['success']}")
        print("OK" if result.ok else "FAIL")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
