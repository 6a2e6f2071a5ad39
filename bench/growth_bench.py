"""5. Growth: login and sign-up latency with 1k, 100k (and 1M) members seeded straight into SQLite.

Members go in through the store (sqlite-utils, one transaction) with one precomputed hash. Hashing
uses the cheap test profile so that what grows with the table — lookups, unique checks, inserts —
is not hidden behind argon2's fixed 20+ ms. Sign-up is the whole 일반회원 가입 (STEP1–STEP4 with
휴대전화 본인인증 at the fake PASS) through the in-process driver; login is 일반회원 로그인.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from .common import Table, percentile, verdict
from .members import PASSWORD, seed, user_id

TARGET = 1.2
SIZES = (1_000, 100_000)
MILLION = 1_000_000


def measure(size: int, *, logins: int, signups: int) -> dict[str, float]:
    from simulator.service_layer import auth
    from steps.driver import Actor, MemberInfo
    from steps.inprocess import InProcessDriver
    from steps.seeding import InProcessSeeder
    from ti24.embedded import build

    with tempfile.TemporaryDirectory(prefix="ti24-bench-growth-") as folder:
        embedded = build(hashing="cheap", database=Path(folder) / "ti24.sqlite")
        ctx = embedded.ctx
        seconds = seed(ctx.db, size, ctx.hasher.hash(PASSWORD))
        driver, seeder = InProcessDriver(embedded), InProcessSeeder(embedded)
        login_times, login_cpu = [], []
        for n in range(logins):
            target = user_id((n * 7_919) % size)  # spread over the whole table
            start, cpu = time.perf_counter(), time.process_time()
            result = auth.login_general(ctx, target, PASSWORD)
            login_times.append(time.perf_counter() - start)
            login_cpu.append(time.process_time() - cpu)
            assert result.token
        signup_times, signup_cpu = [], []
        for n in range(signups):
            actor: Actor = seeder.person(f"가입자{n}")
            start, cpu = time.perf_counter(), time.process_time()
            driver.start_general_signup(actor)
            driver.agree_terms(actor, terms=True, privacy=True)
            driver.verify_real_name(actor, "휴대전화")
            driver.submit_member_info(actor, MemberInfo(user_id=f"newbie{n:05d}", password=PASSWORD,
                                                        password_confirm=PASSWORD, email=f"newbie{n}@bench.test"))
            signup_times.append(time.perf_counter() - start)
            signup_cpu.append(time.process_time() - cpu)
        size_mb = sum(f.stat().st_size for f in Path(folder).iterdir()) / 1e6
    return {"seed_s": seconds, "db_mb": size_mb,
            "login_med": statistics.median(login_times), "login_p95": percentile(login_times, 95),
            "login_cpu": statistics.median(login_cpu),
            "signup_med": statistics.median(signup_times), "signup_p95": percentile(signup_times, 95),
            "signup_cpu": statistics.median(signup_cpu)}


def run(*, quick: bool = False, million: bool = False) -> Table:
    sizes = (1_000, 10_000) if quick else SIZES + ((MILLION,) if million else ())
    logins, signups = (20, 5) if quick else (300, 40)
    results = {size: measure(size, logins=logins, signups=signups) for size in sizes}
    table = Table("5. Growth: latency against members seeded",
                  ["members", "seeding s", "DB MB", "login ms: median / p95 wall, median CPU",
                   "sign-up ms: median / p95 wall, median CPU"])
    for size, r in results.items():
        table.add(f"{size:,}", r["seed_s"], r["db_mb"],
                  f"{r['login_med'] * 1e3:.1f} / {r['login_p95'] * 1e3:.1f}, {r['login_cpu'] * 1e3:.1f}",
                  f"{r['signup_med'] * 1e3:.0f} / {r['signup_p95'] * 1e3:.0f}, {r['signup_cpu'] * 1e3:.1f}")
    small, large = results[sizes[0]], results[sizes[-1]]
    for label, key in (("wall", "med"), ("CPU", "cpu")):
        login_growth = large[f"login_{key}"] / small[f"login_{key}"]
        signup_growth = large[f"signup_{key}"] / small[f"signup_{key}"]
        table.notes.append(f"median {label} growth {sizes[0]:,} → {sizes[-1]:,}: login ×{login_growth:.2f}, "
                           f"sign-up ×{signup_growth:.2f} — target flat within ×{TARGET}: "
                           f"{verdict(max(login_growth, signup_growth) <= TARGET)}")
    table.notes.append(f"{logins} logins and {signups} sign-ups per size, cheap hashing; SQLite file in WAL mode"
                       + ("" if million or quick else "; 1M members with --million"))
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--million", action="store_true", help="also seed 1,000,000 members")
    args = parser.parse_args(argv)
    print(run(quick=args.quick, million=args.million).render())


if __name__ == "__main__":
    main()
