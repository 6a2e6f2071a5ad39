"""The browser floor: a bare Playwright script that loads simulator pages in fresh browser contexts,
with the same Chromium and launch flags as the suite (steps/browser.py), against the same test-mode
server. Prints one JSON line: per-context seconds and total page loads."""

from __future__ import annotations

import argparse
import json
import os
import time

from playwright.sync_api import sync_playwright

from steps.browser import LAUNCH_ARGS
from ti24.testmode import start

PAGES = ("/", "/login", "/signup")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contexts", type=int, required=True, help="one per scenario of the suite run")
    parser.add_argument("--loads", type=int, required=True, help="page loads in all")
    args = parser.parse_args()
    sut, server = start()
    durations, loads = [], 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("TI24_CHROMIUM", "/usr/bin/chromium"),
                                                 args=LAUNCH_ARGS, headless=True)
            for index in range(args.contexts):
                share = args.loads // args.contexts + (1 if index < args.loads % args.contexts else 0)
                began = time.perf_counter()
                context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", base_url=sut.origin,
                                              viewport={"width": 1000, "height": 900})
                page = context.new_page()
                for n in range(share):
                    page.goto(PAGES[n % len(PAGES)], wait_until="load")
                    loads += 1
                context.close()
                durations.append(time.perf_counter() - began)
            browser.close()
    finally:
        server.stop()
    print(json.dumps({"durations": durations, "loads": loads}))


if __name__ == "__main__":
    main()
