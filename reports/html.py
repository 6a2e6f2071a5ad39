"""report.html: one offline page (inline CSS, images as relative links inside the report folder).

The templates live in reports/templates/ (report.html.j2, attachment.html.j2).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from .formats import STATUS_KO

VERDICT_KO = {
    "PASS": "적합",
    "PASS WITH EXPECTED FAILURES": "적합 (예상 실패 있음)",
    "INCOMPLETE": "미완료 (실행하지 않은 요구사항 있음)",
    "FAIL": "부적합",
}
REQUIREMENT_KO = {"PASS": "통과", "FAIL": "실패", "EXPECTED FAILURE": "예상 실패", "NOT RUN": "실행 안 됨"}
CELL_KO = {
    "match": "매뉴얼과 같음",
    "mismatch": "매뉴얼과 다름",
    "broken": "확인 불가 (앞 단계 실패)",
    "not-run": "실행 안 됨",
    "spec-differs": "명세 행이 매뉴얼과 다름",
}

TEMPLATES = Path(__file__).with_name("templates")


class ReportEnvironment(Environment):
    """``x.key`` on the report's plain dicts looks the key up first.

    Jinja's default tries ``getattr`` first and only falls back to ``x["key"]`` after an
    AttributeError; with tens of thousands of scenarios that exception is most of the page's cost.
    Dict methods (``.items()``) still resolve when no key of that name exists.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _http(data: Mapping[str, Any]) -> str:
    request, response = data.get("request", {}), data.get("response", {})
    lines = [f"{request.get('method', '')} {request.get('url', '')}"]
    lines += [f"{k}: {v}" for k, v in (request.get("headers") or {}).items()]
    if request.get("body"):
        lines += ["", str(request["body"])]
    lines += ["", f"→ {response.get('status')}"]
    lines += [f"{k}: {v}" for k, v in (response.get("headers") or {}).items()]
    if response.get("body"):
        lines += ["", str(response["body"])]
    return "\n".join(lines)


def _title(scenario: Mapping[str, Any]) -> str:
    examples = scenario.get("examples")
    if examples and examples.get("params"):
        return f"{scenario['name']} [{' | '.join(examples['params'].values())}]"
    return str(scenario["name"])


def render(report: Mapping[str, Any]) -> str:
    env = ReportEnvironment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["cls"] = lambda s: str(s).replace(" ", "-")
    attachment_template = env.get_template("attachment.html.j2")
    env.globals["http"] = _http
    env.globals["attachment"] = lambda a: Markup(attachment_template.render(a=a, http=_http))
    anchors = {s["id"]: f"s-{i}" for i, s in enumerate(report["scenarios"], start=1)}
    titles = {s["id"]: _title(s) for s in report["scenarios"]}
    notes = []
    if report["summary"]["requirements"].get("NOT RUN"):
        notes.append(f"요구사항 {report['summary']['requirements']['NOT RUN']}개는 이번 실행에서 시나리오를 실행하지 않아 "
                     "판정하지 않았습니다.")
    pdf = report["artifacts"]["pdf"]
    if not pdf.get("written") and pdf.get("note"):
        notes.append(f"PDF를 만들지 않았습니다: {pdf['note']}")
    return env.get_template("report.html.j2").render(
        r=report, p=report["provenance"], anchors=anchors, titles=titles, notes=notes,
        statuses=["PASS", "FAIL", "EXPECTED FAILURE", "NOT RUN"], req_ko=REQUIREMENT_KO, status_ko=STATUS_KO,
        verdict_ko=VERDICT_KO, cell_ko=CELL_KO,
    )


def write(report: Mapping[str, Any], path: Path) -> None:
    path.write_text(render(report), encoding="utf-8")
