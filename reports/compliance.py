"""Write a report folder from one run: every format, the PDF, the manifest and its signature."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import formats, html, integrity, model, pdf
from .expectations import ExpectedFailure
from .plugin import ReportCollector
from .requirements import Verdict

REPORT_JSON, JUNIT, CUCUMBER, HTML, PDF = "report.json", "junit.xml", "cucumber.json", "report.html", "report.pdf"


def write_report(out: Path, collector: ReportCollector, verdicts: list[Verdict], *, provenance: dict[str, Any],
                 expected: Mapping[str, ExpectedFailure], make_pdf: bool = True,
                 signing_key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    if not make_pdf:
        pdf_state: dict[str, Any] = {"written": False, "note": "--no-pdf로 PDF를 끄고 실행했습니다."}
    else:
        reason = pdf.unavailable()
        pdf_state = {"written": reason is None, "note": reason}
    report = model.build(collector, verdicts, out=out, provenance=provenance, expected=expected, pdf=pdf_state)
    _write_all(report, out)
    if pdf_state["written"]:
        try:
            pdf.print_pdf(out / HTML, out / PDF)
        except Exception as error:  # a broken browser must not lose the rest of the report
            (out / PDF).unlink(missing_ok=True)
            report["artifacts"]["pdf"] = {"written": False, "note": f"Chromium으로 PDF를 만들지 못했습니다: {error}"[:500]}
            _write_all(report, out)
    integrity.write_manifest(out, report["run_id"])
    if signing_key is not None:
        integrity.sign(out, signing_key)
    return report


def _write_all(report: dict[str, Any], out: Path) -> None:
    formats.write_json(report, out / REPORT_JSON)
    formats.write_junit(report, out / JUNIT)
    formats.write_cucumber(report, out, out / CUCUMBER)
    html.write(report, out / HTML)
