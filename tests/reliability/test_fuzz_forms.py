"""Issue 7 item 7: hypothesis over the web UI's form inputs — IDs, names, phone numbers,
사업자등록번호, passwords, e-mail and interests, in Korean, Latin and mixed scripts, very long
strings and control characters — posted through the real forms (with the session's CSRF token)
of a test-mode simulator, in-process. Never a server error (5xx), and every refusal (a 4xx page, or
any role="alert" message) is a clear Korean message: a role="alert" element containing Hangul.

``TI24_FUZZ_EXAMPLES`` (default 25 per form) runs a longer campaign.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.adapters.asgi_transport import SyncASGITransport
from steps.htmlform import Page
from steps.webflows import Member, unique_user_id
from ti24.testmode import SimulatorUnderTest

EXAMPLES = int(os.environ.get("TI24_FUZZ_EXAMPLES", "25"))
HANGUL = re.compile("[가-힣]")
ORIGIN = "http://sut.test"
PASSWORD = "Trade-Invest24!"

hangul = st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=20)
control = st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs"]), min_size=1, max_size=8)
digits = st.from_regex(r"[0-9][0-9\- ]{0,14}", fullmatch=True)
very_long = st.integers(500, 20_000).map(lambda n: ("가a1-_@" * (n // 6 + 1))[:n])
realistic = st.sampled_from(["kim_trade01", "Trade-Invest24!", "홍길동", "010-1234-5678", "01012345678",
                             "124-81-00998", "1248100998", "905172", "hong@example.com", "19900101", "카카오",
                             "베트남, 인도네시아", "' OR 1=1 --", "<script>alert(1)</script>", "%00", "../../etc"])
field = st.one_of(st.text(max_size=60), hangul, control, digits, very_long, realistic,
                  st.lists(st.one_of(hangul, st.text(max_size=10), control, digits, realistic), min_size=2,
                           max_size=4).map("".join))


@dataclass
class Site:
    sut: SimulatorUnderTest

    def member(self) -> Member:
        return Member(ORIGIN, transport=SyncASGITransport(self.sut, raise_app_exceptions=False))


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(SimulatorUnderTest(ORIGIN, token="fuzz"))


def assert_clear(page: Page) -> None:
    """No server error; a refusal carries a role=alert message in Korean."""
    assert page.status < 500, (page.url, page.text[:300])
    if page.status >= 400:
        assert page.alerts, f"refusal without role=alert: {page.status} {page.url}"
    for alert in page.alerts:
        assert HANGUL.search(alert), f"alert without Korean: {alert!r} on {page.url}"


def fuzz(**fields: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional=dict(fields))


def _settings(n: int = EXAMPLES):  # type: ignore[no-untyped-def]
    return settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))


# --- anonymous forms -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def visitor(site: Site) -> Iterator[Member]:
    with site.member() as member:
        member.get("/login")
        yield member


ANONYMOUS = {
    "/login": fuzz(user_id=field, password=field),
    "/login/company": fuzz(bizno=field, password=field),
    "/login/certificate": fuzz(bizno=field),
    "/login/simple": fuzz(channel=field),
    "/find-id/phone": fuzz(name=field, phone=field),
    "/find-id/email": fuzz(name=field, email=field),
    "/find-id/simple": fuzz(app=field, name=field, birth_date=field, phone=field),
    "/password-reset": fuzz(user_id=field, name=field),
    "/signup/simple": fuzz(channel=field),
    "/signup/general": fuzz(terms=field, privacy=field),
}


@_settings(EXAMPLES * 4)
@given(data=st.data(), form=st.sampled_from(sorted(ANONYMOUS)))
def test_anonymous_forms(visitor: Member, data: st.DataObject, form: str) -> None:
    values = data.draw(ANONYMOUS[form])
    visitor.get(form if form != "/signup/general" else "/signup")
    assert_clear(visitor.post(form, values))


# --- 일반회원 가입 STEP2 간편인증 and STEP3 회원정보 입력 ------------------------------------------------

class Signup:
    """A browser kept at STEP3 (a fresh sign-up when an example happens to complete one)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.member = site.member()
        self.member.general_signup_until_submit(self.member.new_person())

    def again_if_done(self, page: Page) -> None:
        if page.url.endswith("/signup/general/done"):
            self.member.close()
            self.__init__(self.site)  # type: ignore[misc]


@pytest.fixture(scope="module")
def signup(site: Site) -> Iterator[Signup]:
    state = Signup(site)
    yield state
    state.member.close()


STEP3 = fuzz(user_id=field, password=field, password_confirm=field, email=field, bizno=field,
             approval_password=field, interest_keyword=field, interest_industry=field, interest_item=field,
             interest_region=field)


@_settings(EXAMPLES * 2)
@given(values=STEP3)
def test_signup_information_form(signup: Signup, values: dict[str, str]) -> None:
    page = signup.member.post("/signup/general/info", values)
    assert_clear(page)
    signup.again_if_done(page)


@_settings()
@given(values=fuzz(bizno=field, user_id=field, email=field))
def test_signup_company_search(signup: Signup, values: dict[str, str]) -> None:
    assert_clear(signup.member.post("/signup/general/info/search", values))


@_settings()
@given(values=fuzz(app=field, name=field, birth_date=field, phone=field))
def test_signup_simple_auth_form(site: Site, values: dict[str, str]) -> None:
    with site.member() as member:
        member.get("/signup")
        member.post("/signup/general/start")
        member.post("/signup/general", {"terms": "on", "privacy": "on"})
        assert_clear(member.post("/signup/general/verify/simple", values))


# --- a logged-in 일반회원: 소속기업 검색, 기업정보 등록 [조회] ----------------------------------------------

@pytest.fixture(scope="module")
def member(site: Site) -> Iterator[Member]:
    with site.member() as member:
        user_id = unique_user_id("fz")
        member.general_signup(user_id, PASSWORD)
        member.login(user_id, PASSWORD)
        member.post("/company/register", {"terms": "on", "privacy": "on"})
        yield member


@_settings(EXAMPLES * 2)
@given(data=st.data(), form=st.sampled_from(["/mykotra/company/search", "/company/register/auth/lookup"]))
def test_member_company_forms(member: Member, data: st.DataObject, form: str) -> None:
    assert_clear(member.post(form, data.draw(fuzz(bizno=field))))
