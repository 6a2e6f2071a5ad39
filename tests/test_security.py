"""Issue 7 items 1–4 at the web and service boundary: attempt limits per client address, per
target and per person; answers that do not reveal whether an ID exists; CSRF on every POST
route; session end on logout and password reset; idle and absolute expiry of browser
sessions; security headers and templates without inline script or style; upload checks."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient
from test_web import (
    PASSWORD,
    SAMSUNG,
    Browser,
    Stack,
    build_stack,
    general_member,
    parse_page,
    person,
    register_company,
    verify_password_reset,
)

from simulator.domain import policy, throttle, uploads
from simulator.domain.errors import Refusal
from simulator.service_layer import affiliation, signup
from simulator.service_layer.context import Throttled, admit
from simulator.web import security

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TEMPLATES = Path(__file__).parents[1] / "simulator" / "web" / "templates"
T0 = datetime(2026, 11, 30, 10, 0)


@pytest.fixture
def stack() -> Stack:
    return build_stack()


# --- pure rules ------------------------------------------------------------------------------

def test_fixed_window_counts_then_starts_again() -> None:
    limit = throttle.Limit("t", 3, timedelta(minutes=10))
    window = None
    for _ in range(3):
        assert throttle.allows(window, T0, limit)
        window = throttle.after_attempt(window, T0, limit)
    assert not throttle.allows(window, T0 + timedelta(minutes=9, seconds=59), limit)
    assert throttle.allows(window, T0 + timedelta(minutes=10), limit)
    assert throttle.after_attempt(window, T0 + timedelta(minutes=10), limit).count == 1


@pytest.mark.parametrize(("user_id", "shown"), [("noh_finder", "noh_f*****"), ("abcdef", "abc***"), ("ab", "**")])
def test_found_ids_are_masked(user_id: str, shown: str) -> None:
    assert policy.mask_user_id(user_id) == shown


def test_limits_are_the_documented_ones() -> None:
    assert policy.MAX_APPROVAL_FAILURES == 5
    assert (policy.APPROVAL_FAILURES_PER_PERSON.attempts, policy.APPROVAL_FAILURES_PER_PERSON.window) == \
        (10, timedelta(hours=24))
    assert policy.APPROVAL_PER_ADDRESS.attempts <= 20


# --- uploads ---------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n%scan\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("scan.pdf", PDF, "application/pdf"), ("scan.JPG", JPEG, "image/jpeg"), ("scan.jpeg", JPEG, "image/jpeg"),
    ("스캔.png", PNG, "image/png")], ids=["pdf", "JPG", "jpeg", "png"])
def test_scan_of_an_accepted_type_passes(name: str, data: bytes, content_type: str) -> None:
    assert uploads.check_scan(name, data).content_type == content_type


@pytest.mark.parametrize(("name", "data", "code", "message"), [
    ("scan.pdf", b"", "scan_empty", "빈 파일입니다"),
    ("scan.pdf", PDF + b"\0" * uploads.MAX_BYTES, "scan_size", "10MB 이하만"),
    ("scan.exe", PDF, "scan_type", "PDF, JPG, PNG 파일만"),
    ("scan", PDF, "scan_type", "PDF, JPG, PNG 파일만"),
    ("scan.pdf", "사업자등록증".encode(), "scan_content", "내용이 확장자와 맞지 않습니다"),
    ("scan.png", JPEG, "scan_content", "내용이 확장자와 맞지 않습니다"),
    ("scan.jpg", b"GIF89a" + b"\0" * 32, "scan_content", "내용이 확장자와 맞지 않습니다"),
    ("scan.pdf.png", PDF, "scan_content", "내용이 확장자와 맞지 않습니다"),
], ids=["empty", "too-large", "exe", "no-extension", "text-as-pdf", "jpeg-as-png", "gif-as-jpg", "double-extension"])
def test_scan_refusals_are_korean(name: str, data: bytes, code: str, message: str) -> None:
    with pytest.raises(Refusal) as refused:
        uploads.check_scan(name, data)
    assert refused.value.code == code and message in refused.value.message


def test_scan_is_stored_in_the_database_under_a_new_id_with_its_hash(stack: Stack) -> None:
    general_member(stack.ctx, "han_member", "한담당")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "han_member", "password": PASSWORD})
    browser.post("/company/register", {"terms": "on", "privacy": "on"})
    page = browser.post("/company/register/auth/lookup", {"bizno": "107-86-14075"})
    assert "신규기업 등록" in page.text, page.alert
    browser.post("/company/register/auth/certificate")
    browser.sign_in_dialog(stack.app)
    page = browser.post("/company/register/info",
                        {"admin_password": "Lg-Admin2024", "admin_password_confirm": "Lg-Admin2024",
                         "approval_password": "905172", "approval_password_confirm": "905172",
                         "name": "엘지전자 주식회사", "representative": "조대표", "address": "서울"},
                        files={"scan": ("../../static/사업자등록증.pdf", PDF, "application/pdf")})
    assert "기업정보 등록이 완료되었습니다" in page.text, page.alert
    row = next(stack.ctx.db["files"].rows)
    assert re.fullmatch(r"[0-9a-f-]{36}", row["id"]) and row["data"] == PDF and row["size"] == len(PDF)
    assert row["sha256"] == __import__("hashlib").sha256(PDF).hexdigest()
    assert row["content_type"] == "application/pdf"
    assert stack.ctx.db["companies"].get("1078614075")["scan_file"] == row["id"]
    # nothing under the served static folder, and no route serves stored files
    static = Path(__file__).parents[1] / "simulator" / "web" / "static"
    assert sorted(p.name for p in static.iterdir()) == ["style.css"]
    assert browser.client.get(f"/static/{row['id']}").status_code == 404
    assert browser.client.get("/static/사업자등록증.pdf").status_code == 404


# --- attempt limits --------------------------------------------------------------------------

def _logged_in(stack: Stack, user_id: str, name: str, birth: date) -> Browser:
    general_member(stack.ctx, user_id, name, birth)
    browser = Browser(stack.app)
    browser.get("/login")
    page = browser.post("/login", {"user_id": user_id, "password": PASSWORD})
    assert "로그아웃" in page.buttons, page.alert
    return browser


def test_approval_password_is_limited_per_client_address(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_owner", "강대표", date(1970, 1, 1)))
    browser = _logged_in(stack, "yun_staff", "윤직원", date(1991, 1, 1))
    browser.get("/mykotra/company")
    messages = []
    for n in range(policy.APPROVAL_PER_ADDRESS.attempts):
        page = browser.post("/mykotra/company/join", {"bizno": SAMSUNG, "approval_password": f"{100000 + n}"})
        assert page.status == 400
        messages.append(page.alert)
    assert messages[:5] == ["승인 비밀번호가 일치하지 않습니다."] * 5
    assert set(messages[5:]) == {affiliation.APPROVAL_LOCKED}
    page = browser.post("/mykotra/company/join", {"bizno": SAMSUNG, "approval_password": "739164"})
    assert page.status == 429 and "시도 횟수를 초과했습니다" in page.alert
    # the window passes: the address may try again (and meets the company lock, not the limit)
    stack.clock.advance(policy.APPROVAL_PER_ADDRESS.window)
    page = browser.post("/mykotra/company/join", {"bizno": SAMSUNG, "approval_password": "739164"})
    assert page.status == 400 and page.alert == affiliation.APPROVAL_LOCKED
    assert stack.ctx.db["companies"].get("1248100998")["approval_failures"] == 5


def test_approval_password_is_hashed_and_limited_per_person_for_a_day(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_owner", "강대표", date(1970, 1, 1)))
    stored = stack.ctx.db["companies"].get("1248100998")["approval_password_hash"]
    assert stored.startswith("$argon2id$") and "739164" not in stored
    token = general_member(stack.ctx, "yun_staff", "윤직원", date(1991, 1, 1))
    ci = stack.ctx.db["members"].get(2)["ci"]
    for _ in range(policy.APPROVAL_FAILURES_PER_PERSON.attempts):
        with pytest.raises(Refusal):
            affiliation.join(stack.ctx, token, signup.CompanyChoice(SAMSUNG, approval_password="000001"))
        stack.ctx.db["companies"].update("1248100998", {"approval_failures": 0})  # as if the admin rotated it
    with pytest.raises(Refusal) as refused:
        affiliation.join(stack.ctx, token, signup.CompanyChoice(SAMSUNG, approval_password="739164"))
    assert refused.value.code == "approval_password_person_limited"
    assert ci and affiliation.person_key(stack.ctx, 2) == f"ci:{ci}"
    stack.clock.advance(timedelta(hours=24))
    token = __import__("simulator.service_layer.auth", fromlist=["auth"]).login_general(
        stack.ctx, "yun_staff", PASSWORD).token
    member = affiliation.join(stack.ctx, token or "", signup.CompanyChoice(SAMSUNG, approval_password="739164"))
    assert member.company == "1248100998"


def test_admit_counts_in_its_own_transaction_and_refuses_over_the_limit(stack: Stack) -> None:
    limit = throttle.Limit("probe", 2, timedelta(minutes=1))
    admit(stack.ctx, limit, "k")
    admit(stack.ctx, limit, "k")
    with pytest.raises(Throttled) as refused:
        admit(stack.ctx, limit, "k")
    assert "시도 횟수를 초과했습니다" in refused.value.message and "1분" in refused.value.message
    admit(stack.ctx, limit, "other")
    rows = list(stack.ctx.db["throttle"].rows)
    assert all(row["key"] != "k" and len(row["key"]) == 64 for row in rows)  # keys are kept as digests


@pytest.mark.parametrize(("url", "limit", "field"), [
    ("/find-id/phone", policy.FIND_ID_PER_ADDRESS, "phone"),
    ("/find-id/email", policy.FIND_ID_PER_ADDRESS, "email"),
    ("/password-reset", policy.RESET_PER_ADDRESS, "user_id"),
])
def test_find_id_and_reset_are_limited_per_client_address(stack: Stack, url: str, limit: throttle.Limit,
                                                          field: str) -> None:
    browser = Browser(stack.app)
    browser.get("/find-id")
    for n in range(limit.attempts):  # a different target each time: only the address limit applies
        value = {"phone": f"010-9000-{n:04d}", "email": f"p{n}@example.com", "user_id": f"probe_{n:04d}"}[field]
        page = browser.post(url, {"name": "노찾기", field: value})
        assert page.status != 429, (n, page.alert)
    page = browser.post(url, {"name": "노찾기", field: "other@example.com" if field == "email" else "010-1111-1111"})
    assert page.status == 429 and "시도 횟수를 초과했습니다" in page.alert


def test_the_forwarded_for_header_does_not_escape_the_address_limit(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/find-id")
    statuses = []
    for n in range(policy.FIND_ID_PER_ADDRESS.attempts + 1):
        response = browser.client.post("/find-id/phone", data={"csrf_token": browser.csrf, "name": "노찾기",
                                                               "phone": f"010-8000-{n:04d}"},
                                       headers={"X-Forwarded-For": f"10.0.0.{n}"})
        statuses.append(response.status_code)
    assert statuses[-1] == 429 and 429 not in statuses[:-1]


# --- no account enumeration --------------------------------------------------------------------

def _login_answer(browser: Browser, user_id: str, password: str) -> tuple[int, str]:
    page = browser.post("/login", {"user_id": user_id, "password": password})
    return page.status, page.alert


def test_login_answers_alike_for_unknown_and_known_ids_also_once_locked(stack: Stack) -> None:
    general_member(stack.ctx, "bae_member", "배일반")
    browser = Browser(stack.app)
    browser.get("/login")
    for _ in range(policy.MAX_LOGIN_FAILURES):
        assert _login_answer(browser, "bae_member", "Wrong-Pass-1") == _login_answer(browser, "nobody_here", "Wrong-1")
    known, unknown = _login_answer(browser, "bae_member", PASSWORD), _login_answer(browser, "nobody_here", PASSWORD)
    assert known == unknown and "로그인이 제한되었습니다" in known[1]


def test_company_login_answers_alike_for_unknown_and_registered_numbers(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_owner", "강대표", date(1970, 1, 1)))
    browser = Browser(stack.app)
    browser.get("/login?tab=company")
    for _ in range(policy.MAX_LOGIN_FAILURES + 1):
        registered = browser.post("/login/company", {"bizno": SAMSUNG, "password": "Wrong-Admin1"})
        unknown = browser.post("/login/company", {"bizno": "220-81-62517", "password": "Wrong-Admin1"})
        assert (registered.status, registered.alert) == (unknown.status, unknown.alert)
    assert "로그인이 제한되었습니다" in unknown.alert


def test_password_reset_start_answers_alike_and_the_verdict_comes_after_verification(stack: Stack) -> None:
    general_member(stack.ctx, "hwang_reset", "황재설", date(1979, 7, 7), "010-1212-3434")
    answers = []
    for user_id, name in (("hwang_reset", "황재설"), ("hwang_reset", "황재석"), ("nobody_here", "황재설")):
        browser = Browser(stack.app)
        browser.get("/password-reset")
        response = browser.client.post("/password-reset", data={"csrf_token": browser.csrf, "user_id": user_id,
                                                                "name": name})
        answers.append((response.status_code, response.headers.get("location")))
        browser.get(response.headers["location"])
        page = verify_password_reset(stack, browser, person("황재설", date(1979, 7, 7), "010-1212-3434"))
        if name == "황재설" and user_id == "hwang_reset":
            assert "저장하기" in page.buttons, page.alert
        else:
            assert page.alert == "입력하신 아이디·회원명과 본인인증 정보가 일치하는 회원이 없습니다."
    assert len(set(answers)) == 1 and answers[0][0] == 303


def test_find_id_shows_only_masked_ids(stack: Stack) -> None:
    general_member(stack.ctx, "noh_finder", "노찾기", date(1988, 8, 8), "010-3333-4444")
    browser = Browser(stack.app)
    browser.get("/find-id")
    page = browser.post("/find-id/phone", {"name": "노찾기", "phone": "01033334444"})
    assert "noh_f*****" in page.text and "noh_finder" not in page.html


# --- CSRF on every state-changing route ----------------------------------------------------------

CSRF_EXEMPT = {"/certificate/return/{handle}"}  # the certificate dialog's cross-site return (single-use challenge)


def _post_routes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r.path for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ()))


def test_every_post_route_refuses_a_request_without_the_csrf_token(stack: Stack) -> None:
    routes = _post_routes(stack.app)
    assert len(routes) >= 30 and set(routes) >= CSRF_EXEMPT
    browser = Browser(stack.app)
    browser.get("/")  # a session with a token exists; the forged request simply lacks it
    for route in routes:
        if route in CSRF_EXEMPT:
            continue
        url = re.sub(r"\{[^}]+\}", "x", route)
        for data in ({}, {"csrf_token": "forged"}):
            response = browser.client.post(url, data=data)
            page = parse_page(response.status_code, url, response.text)
            assert response.status_code == 403, (route, response.status_code)
            assert "요청이 만료되었거나 올바르지 않습니다" in page.alert, route
    # and every form the pages show carries the token
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", source, flags=re.S | re.I):
            assert "m.csrf()" in form or "csrf_token" in form, template.name


# --- sessions ------------------------------------------------------------------------------------

def test_logout_ends_the_login_and_the_old_cookie_is_worthless(stack: Stack) -> None:
    browser = _logged_in(stack, "bae_member", "배일반", date(1980, 5, 5))
    old_cookie = browser.client.cookies.get("ti24_session")
    before = {row["token"] for row in stack.ctx.db["sessions"].rows}
    page = browser.post("/logout")
    assert "로그인" in page.text and browser.client.cookies.get("ti24_session") != old_cookie
    after = {row["token"] for row in stack.ctx.db["sessions"].rows}
    assert after < before and len(before - after) == 1  # the browser's login is gone on the server too
    stale = TestClient(stack.app)
    stale.cookies.set("ti24_session", old_cookie or "")
    assert "mykotra" not in stale.get("/").text


def test_password_reset_ends_every_session_of_the_member(stack: Stack) -> None:
    first = _logged_in(stack, "hwang_reset", "황재설", date(1979, 7, 7))
    second = Browser(stack.app)
    second.get("/login")
    assert "로그아웃" in second.post("/login", {"user_id": "hwang_reset", "password": PASSWORD}).buttons
    other = _logged_in(stack, "bae_member", "배일반", date(1980, 5, 5))
    resetting = Browser(stack.app)
    resetting.get("/password-reset")
    resetting.post("/password-reset", {"user_id": "hwang_reset", "name": "황재설"})
    verify_password_reset(stack, resetting, person("황재설", date(1979, 7, 7)))
    page = resetting.post("/password-reset/new", {"password": "New-Password24", "password_confirm": "New-Password24"})
    assert "비밀번호가 변경되었습니다" in page.text, page.alert
    assert first.logged_in_as() == "로그인/회원가입" and second.logged_in_as() == "로그인/회원가입"
    assert other.logged_in_as() == "일반회원"  # another member's login stays


def test_browser_sessions_expire_when_idle_and_when_old(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: now[0])
    store = security.SessionStore("k")
    session = store.load(None)
    session.data["auth"] = {"kind": "member", "token": "t"}
    store.save(session)
    cookie = store.cookie_value(session)
    now[0] += security.IDLE_SECONDS - 1
    assert store.load(cookie) is session
    now[0] += security.IDLE_SECONDS + 1
    assert store.load(cookie) is not session  # idle too long: a fresh, empty session
    session = store.load(None)
    store.save(session)
    cookie = store.cookie_value(session)
    for _ in range(int(security.ABSOLUTE_SECONDS // (security.IDLE_SECONDS - 60)) + 1):
        now[0] += security.IDLE_SECONDS - 60
        current = store.load(cookie)
    assert current is not session and not current.data  # kept busy, still ends after the absolute limit
    assert security.IDLE_SECONDS <= 3 * 3600 and security.ABSOLUTE_SECONDS <= 25 * 3600


def test_a_tampered_cookie_is_a_new_session() -> None:
    store = security.SessionStore("k")
    session = store.load(None)
    store.save(session)
    forged = session.id + "." + "0" * 32
    assert store.load(forged) is not session


# --- headers and templates -------------------------------------------------------------------------

def test_security_headers_on_pages_errors_and_static_files(stack: Stack) -> None:
    client = TestClient(stack.app)
    for response in (client.get("/"), client.get("/없는-페이지"), client.get("/static/style.css"),
                     client.post("/login", data={})):
        csp = response.headers["content-security-policy"]
        directives = dict(part.strip().partition(" ")[::2] for part in csp.split(";"))
        assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "script-src" not in csp
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"


def test_strict_transport_security_only_over_https() -> None:
    assert "strict-transport-security" in TestClient(build_stack(secure=True).app,
                                                     base_url="https://testserver").get("/").headers
    assert "strict-transport-security" not in TestClient(build_stack().app).get("/").headers


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_have_no_inline_script_or_style(template: str) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", source, flags=re.I), "inline <script>"
    assert not re.search(r"<style\b", source, flags=re.I), "inline <style>"
    assert not re.search(r"\sstyle\s*=", source, flags=re.I), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", source, flags=re.I), "event handler attribute"
    assert "javascript:" not in source.lower()
