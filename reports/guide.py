"""The illustrated training guide (``ti24 guide``): the scenarios run in Chromium, each step shown
with its text and the screenshots of that moment — the element about to be pressed outlined, the
providers' screens (SNS login, 본인인증, 인증서 선택) included — one chapter per feature of the
manual, in one offline HTML file (table of contents, search, every picture embedded) and a PDF.

Assembly only; running the scenarios is ``ti24.cli.guide``. The pictures come from the browser
plugin in ``--guide-shots`` mode (steps/plugin.py): ``step_screenshots`` after every step and
``screenshot`` attachments with ``data.guide`` before every click.
"""

from __future__ import annotations

import base64
import fnmatch
import mimetypes
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

TEMPLATES = Path(__file__).with_name("templates")
GLOB_CHARS = set("*?[")
KEYWORDS = {"and", "or", "not"}
TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


class GuideError(Exception):
    """The guide cannot be made as asked (Korean message for the trainer)."""


# --- tag expressions ----------------------------------------------------------------------------

def translate_tags(expression: str, known: Iterable[str]) -> str:
    """A pytest ``-m`` expression from the trainer's: ``@`` is optional and a glob such as
    ``@REQ-CORP-*`` becomes ``(REQ-CORP-01 or REQ-CORP-02 …)`` over the ``known`` tags."""
    known = sorted(set(known))
    out: list[str] = []
    position = 0
    expression = expression.strip()
    if not expression:
        raise GuideError("태그 표현식이 비어 있습니다.")
    while position < len(expression):
        match = TOKEN.match(expression, position)
        if match is None:
            break
        position = match.end()
        token = match.group(1)
        if token in ("(", ")") or token.lower() in KEYWORDS:
            out.append(token.lower() if token.lower() in KEYWORDS else token)
            continue
        name = token.removeprefix("@")
        if not name:
            raise GuideError(f"태그 이름이 없습니다: {token}")
        if GLOB_CHARS & set(name):
            matches = [tag for tag in known if fnmatch.fnmatchcase(tag, name)]
            if not matches:
                raise GuideError(f"'{token}'에 맞는 태그가 없습니다. 예: @REQ-CORP-01, @REQ-CORP-*")
            out.append(matches[0] if len(matches) == 1 else "(" + " or ".join(matches) + ")")
        else:
            if name not in known:
                raise GuideError(f"알 수 없는 태그입니다: {token}")
            out.append(name)
    return " ".join(out)


def known_tags() -> list[str]:
    """Every tag a scenario can be selected by: ``REQ-<id>`` of the catalogue and the feature tags."""
    from steps.catalogue import feature_files, load_requirements

    tags = {f"REQ-{r['id']}" for r in load_requirements()} | {"inprocess_only"}
    for path in feature_files():
        tags.update(re.findall(r"@([\w-]+)", path.read_text(encoding="utf-8")))
    return sorted(tags)


# --- the guide's content ------------------------------------------------------------------------

@dataclass
class Shot:
    path: Path
    caption: str
    highlighted: bool = False


@dataclass
class GuideStep:
    keyword: str
    text: str
    shots: list[Shot] = field(default_factory=list)
    datatable: list[list[str]] | None = None


@dataclass
class GuideScenario:
    name: str
    uri: str
    line: int
    row: int
    tags: list[str]
    steps: list[GuideStep]

    @property
    def anchor(self) -> str:
        return "s-" + re.sub(r"\W+", "-", f"{Path(self.uri).stem}-{self.line}-{self.row}").strip("-")


@dataclass
class Chapter:
    title: str
    uri: str
    description: str
    manual: list[str]
    scenarios: list[GuideScenario] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "c-" + re.sub(r"\W+", "-", Path(self.uri).stem).strip("-")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _title(record: Mapping[str, Any]) -> str:
    examples = record.get("examples")
    if examples and examples.get("params"):
        return f"{record['name']} [{' | '.join(examples['params'].values())}]"
    return str(record["name"])


def scenario_of(record: Mapping[str, Any], attachments: list[Mapping[str, Any]]) -> GuideScenario:
    """One scenario: every step with its pictures — the shots taken before each click in that step
    (element outlined, provider screens named), else the screen after the step."""
    screenshots = [a for a in attachments if a.get("kind") == "screenshot" and a.get("path")]
    before = [a for a in screenshots if isinstance(a.get("data"), dict) and a["data"].get("guide")]
    after = [a for a in screenshots if "step_label" in a]
    steps: list[GuideStep] = []
    for index, raw in enumerate(record["steps"]):
        step = GuideStep(raw["keyword"], raw["text"], datatable=raw.get("datatable"))
        label = _norm(f"{raw['keyword']} {raw['text']}")
        for shot in before:
            if shot.get("step") == index:
                data = shot["data"]
                caption = data.get("screen") or ("준비 단계 (화면 없이 미리 만들어 두는 내용)"
                                                 if data["guide"] == "preparation" else "누를 곳(분홍 테두리)")
                step.shots.append(Shot(Path(shot["path"]), caption, bool(data.get("highlighted"))))
        position = next((i for i, shot in enumerate(after) if _norm(shot["step_label"]) == label), None)
        if position is not None:
            shot = after.pop(position)
            if not step.shots or index == len(record["steps"]) - 1:  # the last step also shows its outcome
                step.shots.append(Shot(Path(shot["path"]), "이 단계 후 화면"))
        steps.append(step)
    examples = record.get("examples") or {}
    return GuideScenario(_title(record), record["feature"]["uri"], int(record.get("line") or 0),
                         int(examples.get("row") or 0), list(record.get("tags") or []), steps)


def chapters_from(results: Mapping[str, Any]) -> tuple[list[Chapter], list[str]]:
    """Chapters (one per feature, in file order) of the scenarios that passed, and the titles of
    those left out (failed, skipped, or not runnable in a browser) with the reason."""
    from steps.catalogue import load_requirements

    manual = {f"REQ-{r['id']}": r["chapter"] for r in load_requirements()}
    chapters: dict[str, Chapter] = {}
    left_out: list[str] = []
    for result in results.values():
        record = result.record
        if record is None:
            continue
        if result.status != "passed":
            why = "실패" if result.status == "failed" else f"건너뜀: {result.skipped or ''}".strip()
            left_out.append(f"{record['feature']['name']} — {_title(record)} ({why})")
            continue
        feature = record["feature"]
        chapter = chapters.setdefault(feature["uri"], Chapter(feature["name"], feature["uri"],
                                                              feature.get("description") or "", []))
        scenario = scenario_of(record, result.attachments)
        chapter.scenarios.append(scenario)
        for tag in scenario.tags:
            if tag in manual and manual[tag] not in chapter.manual:
                chapter.manual.append(manual[tag])
    ordered = [chapters[uri] for uri in sorted(chapters)]
    for chapter in ordered:
        chapter.scenarios.sort(key=lambda s: (s.line, s.row))
    return ordered, left_out


# --- HTML and PDF -------------------------------------------------------------------------------

def _data_uri(path: Path) -> str:
    media = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def check_complete(chapters: list[Chapter]) -> None:
    """Every step of every scenario has at least one picture, and every picture exists."""
    missing = []
    for chapter in chapters:
        for scenario in chapter.scenarios:
            for number, step in enumerate(scenario.steps, 1):
                if not step.shots:
                    missing.append(f"{scenario.name} {number}단계 ({step.keyword} {step.text}): 화면 없음")
                missing += [f"{scenario.name} {number}단계: 파일 없음 {shot.path}"
                            for shot in step.shots if not shot.path.is_file()]
    if missing:
        shown = "\n  ".join(missing[:20])
        more = f"\n  … 외 {len(missing) - 20}개" if len(missing) > 20 else ""
        raise GuideError(f"화면이 없는 단계가 있어 안내서를 만들 수 없습니다:\n  {shown}{more}")


def render_html(chapters: list[Chapter], *, title: str, facts: Mapping[str, Any], left_out: list[str]) -> str:
    """The self-contained guide: inline CSS and script, every screenshot as a data: URI."""
    if not chapters:
        raise GuideError("안내서에 넣을 시나리오가 없습니다. 태그나 기능 이름을 확인해 주세요.")
    check_complete(chapters)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["data_uri"] = _data_uri
    total_steps = sum(len(s.steps) for c in chapters for s in c.scenarios)
    total_shots = sum(len(st.shots) for c in chapters for s in c.scenarios for st in s.steps)
    return env.get_template("guide.html.j2").render(
        title=title, chapters=chapters, facts=facts, left_out=left_out,
        totals={"chapters": len(chapters), "scenarios": sum(len(c.scenarios) for c in chapters),
                "steps": total_steps, "shots": total_shots})


def write_guide(out: Path, chapters: list[Chapter], *, title: str, facts: Mapping[str, Any],
                left_out: list[str], make_pdf: bool = True) -> dict[str, Any]:
    """``out/guide.html`` and, unless ``make_pdf`` is false or Chromium is missing, ``out/guide.pdf``."""
    from .pdf import print_pdf, unavailable

    out.mkdir(parents=True, exist_ok=True)
    html = out / "guide.html"
    html.write_text(render_html(chapters, title=title, facts=facts, left_out=left_out), encoding="utf-8")
    written = {"html": html, "pdf": None, "pdf_note": ""}
    if make_pdf:
        why = unavailable()
        if why:
            written["pdf_note"] = why
        else:
            pdf = out / "guide.pdf"
            print_pdf(html, pdf, timeout_ms=600_000)
            written["pdf"] = pdf
    return written


__all__ = ["Chapter", "GuideError", "GuideScenario", "GuideStep", "Shot", "chapters_from", "check_complete",
           "known_tags", "render_html", "scenario_of", "translate_tags", "write_guide"]
