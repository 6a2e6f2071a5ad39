"""Do answers take the same time whether an ID exists or not? Measure, do not assert.

Builds the embedded simulator with the *serving* argon2id profile (m=19 MiB, t=2, p=1), puts in
one 일반회원 and one registered company, then times pairs of requests through the web app
(Starlette's in-memory client, so network noise stays out) — a known ID against an unknown one,
interleaved, ``--rounds`` times each:

  login            known ID + wrong password   vs  unknown ID
  login (locked)   known ID after 5 failures   vs  unknown ID after 5 failures
  company login    registered 사업자등록번호    vs  unregistered one
  reset start      existing 아이디 + 회원명      vs  unknown 아이디
  find ID (phone)  matching 이름 + 휴대폰        vs  no match  (no password work on either side)

Prints median and p90 in milliseconds and whether status and message were identical.

    .venv/bin/python tools/measure_enumeration.py --rounds 40
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore", category=DeprecationWarning)

from starlette.testclient import TestClient  # noqa: E402

from simulator.domain import policy  # noqa: E402
from simulator.service_layer import context as service_context  # noqa: E402
from simulator.web.app import create_app  # noqa: E402
from ti24.embedded import build  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ALERT = re.compile(r'role="alert"[^>]*>\s*(?:<p>)?([^<]+)')
PASSWORD = "Known-Member24"


def _fixture(ctx) -> None:  # type: ignore[no-untyped-def]
    stamp = ctx.stamp()
    with ctx.db.conn:
        ci = base64.b64encode(hashlib.sha512(b"known").digest()).decode()
        ctx.db["members"].insert({"kind": "일반회원", "status": "active", "user_id": "known_member",
                                  "password_hash": ctx.hasher.hash(PASSWORD), "name": "김회원", "ci": ci,
                                  "phone": "010-1234-5678", "email": "known@example.com", "joined_at": stamp})
        ctx.db["companies"].insert({"bizno": "1248100998", "name": "삼성전자 주식회사", "representative": "대표",
                                    "admin_password_hash": ctx.hasher.hash("Company-Admin1"),
                                    "approval_password_hash": ctx.hasher.hash("739164"), "registered_at": stamp,
                                    "source": "directory"})


class Site:
    def __init__(self) -> None:
        embedded = build(hashing="serving")
        self.ctx = embedded.ctx
        _fixture(self.ctx)
        self.client = TestClient(create_app(self.ctx, providers_base_url=embedded.providers_url,
                                            secure_cookies=False), follow_redirects=False)
        self.token = CSRF.search(self.client.get("/login").text).group(1)  # type: ignore[union-attr]

    def post(self, path: str, data: dict[str, str]) -> tuple[float, int, str]:
        started = time.perf_counter()
        answer = self.client.post(path, data={"csrf_token": self.token, **data})
        elapsed = (time.perf_counter() - started) * 1000
        message = (ALERT.search(answer.text) or [None, answer.headers.get("location", "")])[1]
        return elapsed, answer.status_code, message.strip()

    def forget_limits(self) -> None:
        self.ctx.db.execute("DELETE FROM throttle")


def _pair(site: Site, rounds: int, known: Callable[[], tuple[float, int, str]],
          unknown: Callable[[], tuple[float, int, str]], between: Callable[[], None] | None = None) -> dict:
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    answers: dict[str, set[tuple[int, str]]] = {"known": set(), "unknown": set()}
    for _ in range(rounds):
        for side, call in (("known", known), ("unknown", unknown)):
            if between:
                between()
            ms, status, message = call()
            times[side].append(ms)
            answers[side].add((status, message))
    def stats(values: list[float]) -> str:
        ordered = sorted(values)
        return f"{statistics.median(ordered):7.1f} / {ordered[int(len(ordered) * 0.9) - 1]:7.1f}"
    return {"known": stats(times["known"]), "unknown": stats(times["unknown"]),
            "same_answer": answers["known"] == answers["unknown"] and len(answers["known"]) == 1,
            "answer": sorted(answers["known"])[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    site = Site()
    n = args.rounds

    def lock_both() -> None:
        site.forget_limits()
        site.ctx.db["members"].update(1, {"failed_logins": 5})
        for _ in range(5):
            with site.ctx.db.conn:
                service_context.count_attempt(site.ctx, policy.UNKNOWN_LOGIN_FAILURES, "user:nobody_here")

    rows = {
        "login": _pair(site, n, lambda: site.post("/login", {"user_id": "known_member", "password": "Wrong-Pass-1"}),
                       lambda: site.post("/login", {"user_id": "nobody_here", "password": "Wrong-Pass-1"}),
                       between=lambda: (site.forget_limits(), site.ctx.db["members"].update(1, {"failed_logins": 0}))),
        "login (locked)": _pair(site, n,
                                lambda: site.post("/login", {"user_id": "known_member", "password": PASSWORD}),
                                lambda: site.post("/login", {"user_id": "nobody_here", "password": PASSWORD}),
                                between=lock_both),
        "company login": _pair(site, n,
                               lambda: site.post("/login/company", {"bizno": "124-81-00998", "password": "Wrong-1"}),
                               lambda: site.post("/login/company", {"bizno": "220-81-62517", "password": "Wrong-1"}),
                               between=lambda: (site.forget_limits(),
                                                site.ctx.db["companies"].update("1248100998", {"admin_failures": 0}))),
        "reset start": _pair(site, n, lambda: site.post("/password-reset", {"user_id": "known_member", "name": "김회원"}),
                             lambda: site.post("/password-reset", {"user_id": "nobody_here", "name": "김회원"}),
                             between=site.forget_limits),
        "find ID (phone)": _pair(site, n,
                                 lambda: site.post("/find-id/phone", {"name": "김회원", "phone": "010-1234-5678"}),
                                 lambda: site.post("/find-id/phone", {"name": "김회원", "phone": "010-9999-9999"}),
                                 between=site.forget_limits),
    }
    print(f"{'request':18s} {'known ms (p50 / p90)':>22s} {'unknown ms (p50 / p90)':>24s}  same status+message")
    for name, row in rows.items():
        same = "yes" if row["same_answer"] else f"no (a result is shown: {row['answer'][0]})"
        print(f"{name:18s} {row['known']:>22s} {row['unknown']:>24s}  {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
