"""The training guide: tag globs, assembly of chapters and steps, the offline HTML, and one real
``ti24 guide`` run on a one-scenario tag (HTML + PDF, one picture or more per step, the element
acted on outlined, the SNS provider's screen included)."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from reports.guide import GuideError, chapters_from, known_tags, render_html, translate_tags

ROOT = Path(__file__).resolve().parent.parent
TAGS = ["REQ-CORP-01", "REQ-CORP-02", "REQ-CORP-04", "REQ-REG-05", "REQ-REG-10", "inprocess_only", "chapter-로그인"]


# --- tag expressions ----------------------------------------------------------------------------

def test_glob_becomes_the_matching_tags() -> None:
    assert translate_tags("@REQ-CORP-*", TAGS) == "(REQ-CORP-01 or REQ-CORP-02 or REQ-CORP-04)"
    assert translate_tags("@REQ-REG-1?", TAGS) == "REQ-REG-10"


def test_plain_expressions_keep_their_logic() -> None:
    assert translate_tags("REQ-CORP-01 or @REQ-REG-05", TAGS) == "REQ-CORP-01 or REQ-REG-05"
    assert translate_tags("(@REQ-CORP-* or REQ-REG-05) and not @inprocess_only", TAGS) == \
        "( (REQ-CORP-01 or REQ-CORP-02 or REQ-CORP-04) or REQ-REG-05 ) and not inprocess_only"
    assert translate_tags("REQ-CORP-01 AND NOT REQ-CORP-02", TAGS) == "REQ-CORP-01 and not REQ-CORP-02"


@pytest.mark.parametrize(("expression", "message"), [
    ("@REQ-NOPE-*", "맞는 태그가 없습니다"),
    ("REQ-CORP-99", "알 수 없는 태그"),
    ("  ", "비어 있습니다"),
    ("@", "태그 이름이 없습니다"),
])
def test_bad_expressions_are_refused_in_korean(expression: str, message: str) -> None:
    with pytest.raises(GuideError, match=message):
        translate_tags(expression, TAGS)


def test_known_tags_come_from_the_catalogue_and_the_features() -> None:
    tags = known_tags()
    assert "REQ-CORP-01" in tags and "chapter-로그인" in tags and "inprocess_only" in tags
    assert translate_tags("@REQ-CORP-*", tags).count("REQ-CORP-") == 4


# --- assembly -------------------------------------------------------------------------------------

JPEG = base64.b64decode(  # a 1x1 JPEG
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5P"
    "TgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")


def _record(feature: str, uri: str, name: str, line: int, steps: list[tuple[str, str]]) -> dict:
    return {"name": name, "line": line, "tags": ["REQ-CORP-01"], "examples": None,
            "feature": {"name": feature, "uri": uri, "description": "설명"},
            "steps": [{"keyword": k, "text": t, "datatable": None} for k, t in steps]}


def _shot(tmp: Path, name: str, **extra: object) -> dict:
    path = tmp / name
    path.write_bytes(JPEG)
    return {"kind": "screenshot", "path": str(path), **extra}


def _results(tmp: Path, *, drop: str | None = None) -> dict:
    steps = [("조건", '"김직원"은 일반회원이다'), ("만일", '"김직원"이 소속기업을 등록한다'), ("그러면", "소속기업이 보인다")]
    first = _record("소속기업 등록", "features/05_소속기업_등록.feature", "승인 비밀번호로 등록", 10, steps)
    attachments = [
        _shot(tmp, "prep.jpg", step=0, data={"guide": "preparation"}),
        _shot(tmp, "a1.jpg", step=1, data={"guide": "action", "screen": None, "highlighted": True}),
        _shot(tmp, "a2.jpg", step=1, data={"guide": "action", "screen": "인증서 선택 창", "highlighted": True}),
        _shot(tmp, "s2.jpg", step_label='만일 "김직원"이 소속기업을 등록한다'),
        _shot(tmp, "s3.jpg", step_label="그러면  소속기업이 보인다"),
    ]
    attachments = [a for a in attachments if Path(a["path"]).name != drop]
    second = _record("로그인", "features/09_로그인.feature", "아이디로 로그인", 5, [("그러면", "메뉴가 바뀐다")])
    failed = _record("로그인", "features/09_로그인.feature", "실패한 시나리오", 30, [("그러면", "무엇")])
    return {
        "a": SimpleNamespace(record=second, status="passed", attachments=[_shot(tmp, "b.jpg", step_label="그러면 메뉴가 바뀐다")],
                             skipped=None),
        "b": SimpleNamespace(record=first, status="passed", attachments=attachments, skipped=None),
        "c": SimpleNamespace(record=failed, status="failed", attachments=[], skipped=None),
    }


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def test_chapters_follow_the_feature_files_and_pictures_follow_the_steps(tmp_path: Path) -> None:
    chapters, left_out = chapters_from(_results(tmp_path))
    assert [c.title for c in chapters] == ["소속기업 등록", "로그인"]
    steps = chapters[0].scenarios[0].steps
    assert [len(s.shots) for s in steps] == [1, 2, 1]
    assert steps[0].shots[0].caption.startswith("준비 단계")
    assert steps[1].shots[1].caption == "인증서 선택 창" and steps[1].shots[1].highlighted
    assert steps[2].shots[0].path.name == "s3.jpg"  # whitespace in the label does not matter
    assert left_out == ["로그인 — 실패한 시나리오 (실패)"]
    assert chapters[0].manual  # REQ-CORP-01's chapter of the manual


def test_html_has_toc_search_and_every_step_with_its_images(tmp_path: Path) -> None:
    chapters, left_out = chapters_from(_results(tmp_path))
    html = render_html(chapters, title="교육 안내서", facts={"generated_at": "지금", "spec": "x", "filter": ""},
                       left_out=left_out)
    parsed = _Html()
    parsed.feed(html)
    links = [a["href"] for t, a in parsed.tags if t == "a" and a.get("href", "").startswith("#")]
    anchors = {a["id"] for t, a in parsed.tags if "id" in a}
    assert links and {link[1:] for link in links} <= anchors  # the table of contents reaches every chapter and scenario
    assert sum(1 for link in links if link.startswith("#s-")) == 2
    assert ("input", {"id": "q", "type": "search", "placeholder": "예: 승인 비밀번호, 카카오, 인증서",
                      "autocomplete": "off"}) in parsed.tags
    assert "addEventListener(\"input\"" in html
    images = [a["src"] for t, a in parsed.tags if t == "img"]
    assert len(images) == 5 and all(src.startswith("data:image/jpeg;base64,") for src in images)
    assert not re.search(r"""(src|href)=["']https?://""", html)  # nothing outside the file
    assert html.count('class="step-text"') == 4
    assert "실패한 시나리오" in html  # listed as left out, not as a chapter


@pytest.mark.parametrize("drop", ["prep.jpg", "s3.jpg"])
def test_a_step_without_a_screenshot_stops_the_guide(tmp_path: Path, drop: str) -> None:
    chapters, left_out = chapters_from(_results(tmp_path, drop=drop))
    with pytest.raises(GuideError, match="화면이 없는 단계"):
        render_html(chapters, title="t", facts={}, left_out=left_out)


def test_a_screenshot_file_that_went_missing_stops_the_guide(tmp_path: Path) -> None:
    chapters, left_out = chapters_from(_results(tmp_path))
    (tmp_path / "a2.jpg").unlink()
    with pytest.raises(GuideError, match="파일 없음"):
        render_html(chapters, title="t", facts={}, left_out=left_out)


def test_no_scenarios_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GuideError, match="시나리오가 없습니다"):
        render_html([], title="t", facts={}, left_out=[])


# --- one real run ---------------------------------------------------------------------------------

PINK = """async (src) => {
  const img = new Image(); img.src = src; await img.decode();
  const canvas = document.createElement('canvas'); canvas.width = img.width; canvas.height = img.height;
  const g = canvas.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, img.width, img.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 190 && d[i+1] < 70 && d[i+2] > 80 && d[i+2] < 170) n++;
  return n;
}"""


def test_ti24_guide_on_one_tag_writes_html_and_pdf_with_a_picture_for_every_step(tmp_path: Path, own_chromium) -> None:
    out = tmp_path / "guide"
    run = subprocess.run([sys.executable, "-m", "ti24.cli", "guide", "--out", str(out), "--tags", "@REQ-SNS-04",
                          "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    html = (out / "guide.html").read_text(encoding="utf-8")
    pdf = (out / "guide.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and re.search(rb"/FontName\s*/\w+\+Nanum", pdf)  # Korean glyphs embedded
    assert "SNS 채널에서 정보 제공에 동의하지 않으면 가입되지 않는다" in html
    steps = re.findall(r'<li>\s*<p class="step-text">(.*?)</li>', html, flags=re.S)
    assert len(steps) == 6  # background + 5 steps of the scenario
    assert all("<img " in step for step in steps)
    assert "카카오 로그인 화면" in html  # the provider's own page, as a step's picture
    # The element pressed is outlined in pink in its picture, and in no picture taken after a step.
    page = own_chromium.new_page()
    try:
        pressed = re.search(r'<img src="([^"]+)" alt="[^"]*누를 곳', html) or re.search(
            r'<img src="([^"]+)" alt="[^"]*카카오 로그인 화면', html)
        after = re.search(r'<img src="([^"]+)" alt="[^"]*이 단계 후 화면', html)
        assert pressed and after
        assert page.evaluate(PINK, pressed.group(1)) > 200
        assert page.evaluate(PINK, after.group(1)) < 20
    finally:
        page.close()
