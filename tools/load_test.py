"""Load test (issue 7 item 8): N simulated members for T seconds over the main flows of a real
``ti24 serve`` (serving argon2 profile, SQLite file in a temporary folder) on a loopback port that
this script starts and stops.

Each simulated member is a thread with its own browser (cookies) driving the public web forms
(steps/webflows.py), picking flows at random by weight:

    browse          홈 → 회원가입 → 로그인 pages
    login           일반회원 로그인 → mykotra → 로그아웃 (members made before the clock starts)
    simple_signup   간편회원 가입 through the fake 카카오 login page
    general_signup  일반회원 가입 STEP1–STEP4 with 휴대전화 본인인증 (PASS window + SMS code)
    company_lookup  로그인 → 기업정보 등록 STEP1 약관동의 → STEP2 [조회] → 로그아웃

An error is any exception: a 5xx, a connection failure, or a flow not landing where a member
would expect. The script prints a table (throughput, p50/p95/max per flow) and the machine's
load, writes JSON with --json, and exits 1 when there was any error.

    .venv/bin/python tools/load_test.py --users 50 --duration 60 --json out/load.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from steps.webflows import Member, Server, bizno_with_check_digit, unique_user_id  # noqa: E402

PASSWORD = "Trade-Invest24!"
WEIGHTS = {"browse": 4, "login": 3, "simple_signup": 2, "general_signup": 1, "company_lookup": 1}


def browse(member: Member, pool: list[str]) -> None:
    for url in ("/", "/signup", "/login"):
        page = member.get(url)
        if page.status != 200:
            raise AssertionError(f"{url} answered {page.status}")


def login(member: Member, pool: list[str]) -> None:
    user_id = random.choice(pool)
    page = member.login(user_id, PASSWORD)
    if page.alert or "로그아웃" not in page.text:
        raise AssertionError(f"login of {user_id} refused: {page.alert}")
    member.get("/mykotra")
    member.logout()


def simple_signup(member: Member, pool: list[str]) -> None:
    member.simple_signup("kakao")


def general_signup(member: Member, pool: list[str]) -> None:
    member.general_signup(unique_user_id("ld"), PASSWORD)


def company_lookup(member: Member, pool: list[str]) -> None:
    member.login(random.choice(pool), PASSWORD)
    member.expect(member.post("/company/register", {"terms": "on", "privacy": "on"}), "/company/register/auth",
                  "STEP2")
    page = member.post("/company/register/auth/lookup",
                       {"bizno": bizno_with_check_digit(f"{random.randint(100, 999)}81{random.randint(1000, 9999)}")})
    if page.status >= 500:
        raise AssertionError("lookup failed")
    member.logout()


FLOWS = {"browse": browse, "login": login, "simple_signup": simple_signup, "general_signup": general_signup,
         "company_lookup": company_lookup}


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.durations: dict[str, list[float]] = defaultdict(list)
        self.requests: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.samples: list[str] = []

    def record(self, flow: str, seconds: float, requests: int, error: BaseException | None) -> None:
        with self.lock:
            self.requests[flow] += requests
            if error is None:
                self.durations[flow].append(seconds)
                return
            self.errors[flow] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{flow}: {''.join(traceback.format_exception_only(error)).strip()[:300]}")


def user(origin: str, pool: list[str], recorder: Recorder, stop_at: float, seed: int) -> None:
    rnd = random.Random(seed)
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    while time.monotonic() < stop_at:
        flow = rnd.choices(names, weights)[0]
        with Member(origin, timeout=120) as member:
            started = time.monotonic()
            error: BaseException | None = None
            try:
                FLOWS[flow](member, pool)
            except Exception as exc:  # every failure counts, whatever it is
                error = exc
            recorder.record(flow, time.monotonic() - started, member.requests, error)


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _process_cpu(server: Server) -> float:
    """CPU seconds (user + system) the server process has used so far (Linux /proc)."""
    assert server.process is not None
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(users: int, duration: float, members: int, log: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="ti24-load-") as folder, \
            Server(Path(folder) / "ti24.db", log=log) as server:
        pool: list[str] = []
        with ThreadPoolExecutor(4) as setup:  # members for the login flows, before the clock starts
            def make() -> str:
                with Member(server.origin) as member:
                    user_id = unique_user_id("pool")
                    member.general_signup(user_id, PASSWORD)
                    return user_id
            pool = list(setup.map(lambda _: make(), range(members)))
        recorder = Recorder()
        server_cpu_before = _process_cpu(server)
        load_before = os.getloadavg()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        stop_at = started + duration
        with ThreadPoolExecutor(users) as crowd:
            for seed in range(users):
                crowd.submit(user, server.origin, pool, recorder, stop_at, seed)
        elapsed = time.monotonic() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        load_after = os.getloadavg()
        server_cpu = _process_cpu(server) - server_cpu_before
    flows = {}
    for flow in WEIGHTS:
        done = recorder.durations.get(flow, [])
        flows[flow] = {
            "completed": len(done), "errors": recorder.errors[flow], "requests": recorder.requests[flow],
            "per_second": round(len(done) / elapsed, 2),
            "p50_ms": round(_percentile(done, 50) * 1000), "p95_ms": round(_percentile(done, 95) * 1000),
            "max_ms": round(max(done, default=0) * 1000),
        }
    total_requests = sum(recorder.requests.values())
    return {
        "users": users, "duration_s": round(elapsed, 1), "hashing": "serving (argon2id m=19 MiB, t=2, p=1)",
        "flows": flows,
        "totals": {"flows": sum(len(v) for v in recorder.durations.values()), "errors": sum(recorder.errors.values()),
                   "requests": total_requests, "requests_per_second": round(total_requests / elapsed, 1)},
        "error_samples": recorder.samples,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "loadavg_before": [round(x, 2) for x in load_before],
                    "loadavg_after": [round(x, 2) for x in load_after],
                    "server_cpu_s": round(server_cpu, 1),
                    "load_generator_cpu_s": round((cpu_after.ru_utime + cpu_after.ru_stime)
                                                  - (cpu_before.ru_utime + cpu_before.ru_stime), 1)},
    }


def table(result: dict) -> str:
    lines = [f"{result['users']} users, {result['duration_s']} s, hashing {result['hashing']}",
             f"{'flow':16} {'done':>6} {'err':>4} {'flows/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'reqs':>6}"]
    for name, f in result["flows"].items():
        lines.append(f"{name:16} {f['completed']:>6} {f['errors']:>4} {f['per_second']:>8} {f['p50_ms']:>8} "
                     f"{f['p95_ms']:>8} {f['max_ms']:>8} {f['requests']:>6}")
    t = result["totals"]
    lines.append(f"total: {t['flows']} flows, {t['requests']} requests ({t['requests_per_second']}/s), {t['errors']} errors")
    m = result["machine"]
    lines.append(f"machine: {m['cpus']} CPUs, {m['platform']}, load average before {m['loadavg_before']}, "
                 f"after {m['loadavg_after']}; CPU used: server {m['server_cpu_s']} s, "
                 f"load generator {m['load_generator_cpu_s']} s")
    lines += [f"error: {s}" for s in result["error_samples"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--members", type=int, default=20, help="members made beforehand for the login flows")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--server-log", type=Path, help="ti24 serve's output (default: discarded)")
    args = parser.parse_args(argv)
    result = run(args.users, args.duration, args.members, args.server_log)
    print(table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if result["totals"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
