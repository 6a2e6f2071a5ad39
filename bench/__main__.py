"""Every benchmark, one table each: ``python -m bench [--quick] [--only a,b] [--million] [--pdf]``.

Parts: harness (1), browser (2), login (3), oauth (4), growth (5), reports (6). Each is also a
module of its own, e.g. ``python -m bench.login_bench --help``.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable

from . import browser_bench, growth_bench, harness_bench, login_bench, oauth_bench, reports_bench
from .common import Table, machine

PARTS: dict[str, Callable[[argparse.Namespace], Table]] = {
    "harness": lambda a: harness_bench.run(quick=a.quick),
    "browser": lambda a: browser_bench.run(quick=a.quick),
    "login": lambda a: login_bench.run(quick=a.quick),
    "oauth": lambda a: oauth_bench.run(quick=a.quick),
    "growth": lambda a: growth_bench.run(quick=a.quick, million=a.million),
    "reports": lambda a: reports_bench.run(quick=a.quick, pdf=a.pdf),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: checks that every part runs, not figures")
    parser.add_argument("--only", help=f"comma-separated parts of: {', '.join(PARTS)}")
    parser.add_argument("--million", action="store_true", help="growth: also seed 1,000,000 members (minutes)")
    parser.add_argument("--pdf", action="store_true", help="reports: also time report.pdf printed by Chromium")
    args = parser.parse_args(argv)
    chosen = [p.strip() for p in args.only.split(",")] if args.only else list(PARTS)
    unknown = [p for p in chosen if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    print(machine().render(), flush=True)
    failed = []
    for name in chosen:
        start = time.perf_counter()
        try:
            table = PARTS[name](args)
        except Exception:
            failed.append(name)
            print(f"### {name}: failed\n\n```\n{traceback.format_exc()}```\n", flush=True)
            continue
        table.notes.append(f"this part took {time.perf_counter() - start:.0f} s")
        print(table.render(), flush=True)
    if failed:
        print(f"failed parts: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
