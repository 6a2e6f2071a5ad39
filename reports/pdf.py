"""report.pdf: report.html printed by the system Chromium through Playwright."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def unavailable(executable: str = CHROMIUM) -> str | None:
    """Why a PDF cannot be printed here, or None when it can."""
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        return f"Chromium이 없습니다 ({executable}). Debian에서는 'apt-get install chromium'으로 설치합니다."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright 패키지가 없습니다."
    return None


def print_pdf(html: Path, pdf: Path, executable: str = CHROMIUM, timeout_ms: float = 120_000) -> None:
    """Print ``html`` (opened from disk, every <details> unfolded) to ``pdf`` on A4."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        try:
            page = browser.new_page(locale="ko-KR")
            page.goto(html.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4", print_background=True,
                     margin={"top": "12mm", "bottom": "14mm", "left": "10mm", "right": "10mm"},
                     display_header_footer=True, header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center;">'
                                     '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
        finally:
            browser.close()
