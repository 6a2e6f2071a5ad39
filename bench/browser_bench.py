"""2. Browser runs: seconds per scenario in Chromium with 1 and 2 workers, against a bare Playwright
script (bench/bare_playwright.py) doing the same number of page loads in as many fresh contexts.

The suite's page loads are counted in the run itself (bench/pageloads.py); each side is one whole
process (start-up, the test-mode server, Chromium) and the ratio is of their wall times. The suite
keeps its evidence as in CI: a screenshot after every step and a Playwright trace per scenario.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from .common import PYTHON, ROOT, Table, percentile, run_timed, verdict

TARGET = 1.5
SUBSET = "로그인"  # 28 scenarios: every 로그인 scenario (일반, 간편/SNS, 기업정보 관리자, 공동인증서)
QUICK = "일반회원과_간편회원은_로그인하면 or 하이픈_없이"


def suite(keyword: str, workers: int, *, evidence: bool = True) -> dict:
    with tempfile.TemporaryDirectory(prefix="ti24-bench-browser-") as folder:
        junit, loads = Path(folder) / "junit.xml", Path(folder) / "loads"
        loads.mkdir()
        args = [PYTHON, "-m", "pytest", "-q", "tests/acceptance", "--driver", "browser", "-k", keyword,
                "-p", "bench.pageloads", f"--junitxml={junit}", "--evidence-dir", f"{folder}/evidence",
                "-n", str(workers) if workers > 1 else "0", *([] if evidence else ["-p", "bench.no_evidence"])]
        timed = run_timed(args, env={"TI24_BENCH_PAGELOADS": str(loads)})
        cases = ET.parse(junit).getroot().iter("testcase") if junit.is_file() else iter(())
        times = [float(c.get("time", 0)) for c in cases if c.find("skipped") is None]
        failed = timed.returncode != 0
        if failed and not times:
            raise RuntimeError(f"browser run failed:\n{timed.output[-3000:]}")
        total = sum(json.loads(p.read_text())["loads"] for p in loads.glob("*.json"))
    return {"wall": timed.wall, "cpu": timed.cpu, "times": times, "loads": total, "failed": failed}


def bare(contexts: int, loads: int, workers: int) -> dict:
    """``workers`` bare scripts side by side, the contexts and loads split between them."""
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    processes = []
    for w in range(workers):
        share_c = contexts // workers + (1 if w < contexts % workers else 0)
        share_l = loads // workers + (1 if w < loads % workers else 0)
        processes.append(subprocess.Popen([PYTHON, "-m", "bench.bare_playwright", "--contexts", str(share_c),
                                           "--loads", str(share_l)], cwd=ROOT, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
    durations, done = [], 0
    for process in processes:
        out, err = process.communicate(timeout=1800)
        if process.returncode != 0:
            raise RuntimeError(f"bare Playwright script failed:\n{err[-3000:]}")
        result = json.loads(out.strip().splitlines()[-1])
        durations += result["durations"]
        done += result["loads"]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": time.perf_counter() - start, "cpu": cpu, "times": durations, "loads": done}


def run(*, quick: bool = False, keyword: str | None = None, workers: tuple[int, ...] = (1, 2),
        without_evidence: bool | None = None) -> Table:
    keyword = keyword or (QUICK if quick else SUBSET)
    table = Table("2. Browser runs (Chromium): the suite against a bare Playwright script",
                  ["run", "scenarios", "page loads", "wall s", "CPU s", "s/scenario median", "s/scenario p95",
                   "suite ÷ bare: wall, CPU"])
    worst = 0.0
    for n in workers:
        ran = suite(keyword, n)
        floor = bare(len(ran["times"]), ran["loads"], n)
        r = ran["wall"] / floor["wall"]
        worst = max(worst, r)
        label = f"{n} worker{'s' if n > 1 else ''}"
        table.add(f"suite, {label}" + (" (some failed)" if ran["failed"] else ""), len(ran["times"]), ran["loads"],
                  ran["wall"], ran["cpu"], statistics.median(ran["times"]), percentile(ran["times"], 95),
                  f"×{r:.2f}, ×{ran['cpu'] / floor['cpu']:.2f}")
        table.add(f"bare Playwright, {label}", len(floor["times"]), floor["loads"], floor["wall"], floor["cpu"],
                  statistics.median(floor["times"]), percentile(floor["times"], 95), "")
    if without_evidence if without_evidence is not None else not quick:
        ran = suite(keyword, 1, evidence=False)
        table.add("suite, 1 worker, no screenshots or traces (bench/no_evidence.py)", len(ran["times"]), ran["loads"],
                  ran["wall"], ran["cpu"], statistics.median(ran["times"]), percentile(ran["times"], 95), "")
    table.notes.append(f"target: within ×{TARGET} of the bare script — {verdict(worst <= TARGET)} (worst wall ×{worst:.2f}); "
                       "CPU includes Chromium and the Playwright driver (child processes)")
    table.notes.append(f"scenarios: pytest -k \"{keyword}\" (a subset of the suite); s/scenario from junit.xml "
                       "(set-up + steps + teardown) and, for the bare script, one fresh context per scenario")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("-k", dest="keyword")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--without-evidence", action=argparse.BooleanOptionalAction, default=None,
                        help="also run 1 worker with screenshots and traces switched off (default: unless --quick)")
    args = parser.parse_args(argv)
    workers = tuple(int(w) for w in args.workers.split(","))
    print(run(quick=args.quick, keyword=args.keyword, workers=workers, without_evidence=args.without_evidence).render())


if __name__ == "__main__":
    main()
