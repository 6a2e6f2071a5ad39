"""The web face (simulator/web) through Starlette's TestClient, over stub provider ports.

The stubs stand in for the outside providers the way their browser pages would: an SNS
authorize page that sends ``code``+``state`` back, PASS / card windows that send the transaction
id back, a 간편인증 app that confirms, and a certificate dialog that signs the challenge and
POSTs it cross-site (without our cookie) to the return URL.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from simulator import bootstrap
from simulator.adapters.clock import KST, FixedClock
from simulator.domain.errors import Refusal
from simulator.service_layer import (
    auth,
    certificates,
    company_registration,
    seed,
    signup,
)
from simulator.service_layer.context import Context
from simulator.service_layer.ports import (
    AuthorizationRequest,
    BusinessState,
    CertificateFacts,
    PresentedCertificate,
    SnsProfile,
    VerificationStart,
    VerifiedPerson,
)
from simulator.web import create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PROVIDERS = "https://providers.test"
CERT_KEY = b"stub-certificate-key"
SAMSUNG = "124-81-00998"


# --- stub providers --------------------------------------------------------------------------

def _ci(name: str, birth: date) -> str:
    return base64.b64encode(hashlib.sha512(f"{name}|{birth}".encode()).digest()[:66]).decode()


def person(name: str, birth: date = date(1990, 1, 1), phone: str = "010-1234-5678", method: str = "phone"
           ) -> VerifiedPerson:
    return VerifiedPerson(name=name, birth_date=birth, gender="M", foreigner=False, phone=phone,
                          ci=_ci(name, birth), di=f"DI-{name}", method=method, carrier="SKT")


@dataclass
class StubRealName:
    """PASS / card windows at ``auth_url`` and a 간편인증 app that the test approves."""

    person: VerifiedPerson = field(default_factory=lambda: person("최일반"))
    opened: dict[str, VerifiedPerson] = field(default_factory=dict)
    approved: set[str] = field(default_factory=set)
    counter: itertools.count = field(default_factory=itertools.count)

    def begin(self, method: str, return_url: str) -> VerificationStart:
        txn = f"{method}-{next(self.counter)}"
        self.opened[txn] = self.person
        return VerificationStart(method, txn, f"{PROVIDERS}/{method}/verify/{txn}?return={return_url}")

    def request_simple(self, app: str, name: str, birth_date: date, phone: str) -> VerificationStart:
        txn = f"simple-{next(self.counter)}"
        self.opened[txn] = person(name, birth_date, phone, "simple")
        return VerificationStart("simple", txn)

    def fetch_result(self, method: str, transaction_id: str) -> VerifiedPerson:
        if transaction_id not in self.opened:
            raise Refusal("verification_not_found", "본인인증 내역을 찾을 수 없습니다.")
        if method == "simple" and transaction_id not in self.approved:
            raise Refusal("verification_incomplete", "간편인증 앱에서 인증을 완료한 후 다시 시도해 주세요.")
        found = self.opened.pop(transaction_id)
        return VerifiedPerson(**{**found.__dict__, "method": method})


class StubSns:
    def __init__(self) -> None:
        self.counter = itertools.count()

    def authorization_request(self, channel: str) -> AuthorizationRequest:
        state = f"state-{channel}-{next(self.counter)}"
        return AuthorizationRequest(channel, f"ti24-{channel}-client", f"http://testserver/oauth/{channel}/callback",
                                    state, "nonce", "challenge", "verifier",
                                    url=f"{PROVIDERS}/{channel}/authorize?state={state}")

    def complete(self, request: AuthorizationRequest, code: str) -> SnsProfile:
        return SnsProfile(request.channel, f"subject-{code}", f"간편{code}", f"{code}@example.com", "010-2222-3333")


class StubBusinessStatus:
    def __init__(self) -> None:
        self.closed: set[str] = set()

    def status(self, bizno: str) -> BusinessState:
        if bizno in self.closed:
            return BusinessState(bizno, "03", "폐업자", "20260101")
        return BusinessState(bizno, "01", "계속사업자")


def signature(challenge: bytes) -> bytes:
    return hashlib.sha256(CERT_KEY + challenge).digest()


class StubCertificates:
    """Accepts a certificate ``CERT:<bizno>`` whose signature is the stub over the challenge."""

    def verify(self, presented: PresentedCertificate, challenge: bytes, bizno: str, now: datetime) -> CertificateFacts:
        if presented.signature != signature(challenge):
            raise Refusal("certificate_signature", "전자서명을 확인할 수 없습니다.")
        if presented.certificate_der != f"CERT:{bizno}".encode():
            raise Refusal("certificate_bizno", "인증서의 사업자등록번호가 입력한 사업자등록번호와 일치하지 않습니다.")
        return CertificateFacts(bizno, "강대표", "yessign", "1.2.410.200005.1.1.5", "금융결제원(법인)", 7,
                                now + timedelta(days=365))


@dataclass
class Stack:
    ctx: Context
    clock: FixedClock
    real_name: StubRealName
    business: StubBusinessStatus
    app: Starlette


def build_stack(*, secure: bool = False) -> Stack:
    clock = FixedClock(datetime(2026, 11, 30, 10, 0, tzinfo=KST))
    real_name, business = StubRealName(), StubBusinessStatus()
    ctx = bootstrap.build(real_name=real_name, sns=StubSns(), business_status=business,
                          certificates=StubCertificates(), hashing="cheap", clock=clock)
    seed.directory_company(ctx, SAMSUNG, "삼성전자 주식회사", "대표자", "경기도 수원시 영통구 삼성로 129")
    return Stack(ctx, clock, real_name, business, create_app(ctx, providers_base_url=PROVIDERS, secure_cookies=secure,
                                                   secret_key="test-secret"))


@pytest.fixture
def stack() -> Stack:
    return build_stack()


# --- a small browser -------------------------------------------------------------------------

class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.roles: dict[str, list[str]] = {"alert": [], "status": []}
        self.buttons: list[str] = []
        self.labels: dict[str, str] = {}
        self.inputs: list[dict[str, str]] = []
        self.texts: list[str] = []
        self.html_lang = ""
        self.headings = 0
        self._open: list[tuple[str, str | None]] = []  # (tag, role or "button"/"label:<for>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang", "")
        if tag in ("h1", "h2", "h3"):
            self.headings += 1
        if tag in ("input", "select", "textarea"):
            self.inputs.append({"tag": tag, **a})
        if tag in ("input", "meta", "link", "br", "hr", "img"):
            return
        marker: str | None = None
        if a.get("role") in self.roles:
            marker = a["role"]
            self.roles[marker].append("")
        elif tag == "button":
            marker = "button"
            self.buttons.append("")
        elif tag == "label":
            marker = f"label:{a.get('for', '')}"
            self.labels[a.get("for", "")] = ""
        self._open.append((tag, marker))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for _, marker in self._open:
            if marker in self.roles:
                self.roles[marker][-1] += data
            elif marker == "button":
                self.buttons[-1] += data
            elif marker and marker.startswith("label:"):
                self.labels[marker[6:]] += data


@dataclass
class Page:
    status: int
    url: str
    html: str
    alerts: list[str]
    statuses: list[str]
    buttons: list[str]
    labels: list[str]
    text: str
    csrf: str | None

    @property
    def alert(self) -> str:
        return " ".join(self.alerts)


def parse_page(status: int, url: str, html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    squash = " ".join
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return Page(status, url, html, [squash(a.split()) for a in parser.roles["alert"]],
                [squash(s.split()) for s in parser.roles["status"]], [squash(b.split()) for b in parser.buttons],
                [squash(v.replace("(필수)", "").split()) for v in parser.labels.values()],
                squash(" ".join(parser.texts).split()), csrf.group(1) if csrf else None)


class Browser:
    """Follows our own redirects, stops at a provider's page, fills in the CSRF token."""

    def __init__(self, app: Starlette, *, https: bool = False) -> None:
        self.client = TestClient(app, base_url="https://testserver" if https else "http://testserver",
                                 follow_redirects=False)
        self.csrf: str | None = None
        self.outside: str | None = None  # the provider URL we were sent to

    def _settle(self, response) -> Page:  # type: ignore[no-untyped-def]
        self.outside = None
        while response.status_code in (302, 303):
            location = response.headers["location"]
            if not location.startswith("/"):
                self.outside = location
                return Page(response.status_code, location, "", [], [], [], [], "", self.csrf)
            response = self.client.get(location)
        page = parse_page(response.status_code, str(response.url), response.text)
        if page.csrf:
            self.csrf = page.csrf
        return page

    def get(self, url: str) -> Page:
        return self._settle(self.client.get(url))

    def post(self, url: str, data: dict[str, str] | None = None, files: dict | None = None) -> Page:
        return self._settle(self.client.post(url, data={"csrf_token": self.csrf or "", **(data or {})}, files=files))

    def sign_in_dialog(self, app: Starlette, *, bizno: str | None = None, cancel: bool = False) -> Page:
        """Be the certificate dialog at ``self.outside``: sign the challenge and POST it
        cross-site (a fresh client without our cookie) to the return URL, then come back."""
        assert self.outside and self.outside.startswith(f"{PROVIDERS}/ca/dialog?"), self.outside
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.outside).query).items()}
        challenge = base64.urlsafe_b64decode(query["challenge"])
        form = {"error": "cancel"} if cancel else {
            "certificate": base64.b64encode(f"CERT:{bizno or query['bizno']}".encode()).decode(),
            "signature": base64.b64encode(signature(challenge)).decode(),
            "random_num": base64.b64encode(b"R").decode(),
        }
        cross_site = TestClient(app, follow_redirects=False)
        answer = cross_site.post(urlsplit(query["return"]).path, data=form)
        assert answer.status_code == 303 and "set-cookie" not in answer.headers
        return self._settle(answer)

    def logged_in_as(self) -> str:
        page = self.get("/")
        if "mykotra" not in page.text:
            return "로그인/회원가입"
        found = re.search(r'id="member-type">([^<]+)<', page.html)
        return found.group(1) if found else "?"


# --- set-up through the services ----------------------------------------------------------------

PASSWORD = "Trade-Invest24"


def general_member(ctx: Context, user_id: str, name: str, birth: date = date(1980, 5, 5),
                   phone: str = "010-1111-2222") -> str:
    flow = signup.start_general(ctx)
    signup.agree(ctx, flow, terms=True, privacy=True)
    started = signup.request_simple_auth(ctx, flow, "카카오", name, birth, phone)
    ctx.real_name.approved.add(started.id)  # type: ignore[attr-defined]
    signup.verify_real_name(ctx, flow, "simple", started.id)
    signup.submit_info(ctx, flow, user_id=user_id, password=PASSWORD, password_confirm=PASSWORD,
                       email=f"{user_id}@example.com")
    return auth.login_general(ctx, user_id, PASSWORD).token or ""


def presented(ctx: Context, bizno: str) -> tuple[str, PresentedCertificate]:
    challenge_id, nonce = certificates.issue_challenge(ctx)
    return challenge_id, PresentedCertificate(f"CERT:{bizno}".encode(), signature(nonce), b"R")


def register_company(ctx: Context, token: str, bizno: str = SAMSUNG) -> None:
    flow = company_registration.start(ctx, token)
    company_registration.agree(ctx, flow, terms=True, privacy=True)
    found = company_registration.lookup(ctx, flow, bizno)
    company_registration.authenticate(ctx, flow, *presented(ctx, found.bizno))
    company_registration.submit(ctx, flow, admin_password="Company-Admin1", admin_password_confirm="Company-Admin1",
                                approval_password="739164", approval_password_confirm="739164")


# --- every page, its labels, and accessible markup --------------------------------------------

PAGES = {
    "/": ["KOTRA 무역투자24 통합회원", "로그인", "회원가입", "온라인 상담"],
    "/signup": ["간편회원 가입", "일반회원 가입"],
    "/signup/simple": ["선호하는 SNS채널 선택", "카카오", "네이버", "구글", "페이스북"],
    "/signup/general": ["STEP1. 약관동의", "STEP2. 실명인증", "STEP3. 회원정보 입력", "STEP4. 가입완료",
                        "홈페이지 이용약관 동의", "개인정보수집동의", "확인"],
    "/signup/general/verify": ["간편인증", "휴대전화 본인인증", "신용카드 인증"],
    "/signup/general/verify/simple": ["인증서 선택", "이름", "생년월일", "휴대폰번호", "인증 요청"],
    "/signup/general/verify/simple/confirm": ["휴대폰 앱에서 인증을 완료한 후 [인증 완료]를 눌러 주세요", "인증 완료"],
    "/signup/general/info": ["아이디", "비밀번호", "비밀번호 확인", "이메일", "관심 키워드", "관심 산업", "관심 품목",
                             "관심 지역", "소속기업 등록 (선택사항)", "사업자등록번호", "검색", "승인비밀번호",
                             "기업인증하기", "가입하기"],
    "/login": ["간편회원", "일반회원", "기업정보 관리 로그인", "공동인증서 로그인", "아이디", "비밀번호", "로그인",
               "아이디 찾기", "비밀번호 재설정"],
    "/login?tab=simple": ["카카오", "네이버", "구글", "페이스북"],
    "/login?tab=company": ["사업자등록번호", "비밀번호", "로그인"],
    "/login?tab=certificate": ["사업자등록번호", "로그인"],
    "/find-id": ["휴대폰", "간편인증", "이메일", "이름", "휴대폰번호", "조회"],
    "/find-id?tab=email": ["이름", "이메일", "조회"],
    "/find-id?tab=simple": ["선호하는 SNS 혹은 금융인증서", "금융인증서", "생년월일", "인증 요청"],
    "/password-reset": ["아이디", "회원명", "확인"],
    "/password-reset/verify": ["휴대폰", "신용카드", "간편인증"],
    "/password-reset/new": ["변경 비밀번호", "변경 비밀번호 확인", "저장하기"],
    "/mykotra/company": ["소속기업 등록", "사업자등록번호", "검색"],
    "/company/register": ["기업정보 등록", "STEP1. 약관동의", "STEP2. 기업 인증", "STEP3. 기업 정보 입력",
                          "STEP4. 기업정보 등록 완료", "확인"],
    "/company/register/auth": ["사업자등록번호", "조회"],
    "/company/register/info": ["기업 로그인 비밀번호", "승인 비밀번호", "기업명", "대표자명", "주소", "사업자등록증 첨부",
                               "다음"],
    "/services": ["온라인 상담", "설명회 신청", "기타 서비스 신청", "서비스 마일리지 사용", "기업정보 수정"],
    "/services/online-consultation": ["온라인 상담", "상담 내용", "신청하기"],
    "/services/briefing": ["설명회 신청", "신청하기"],
    "/services/other": ["기타 서비스 신청", "신청하기"],
    "/services/mileage": ["사용할 마일리지", "사용하기"],
    "/services/company-edit": ["기업명", "주소", "기업인증하기", "기업정보 수정"],
    "/services/colleagues": ["신규 가입한 소속기업직원 승인", "승인"],
}


def assert_accessible(page: Page) -> None:
    parser = _PageParser()
    parser.feed(page.html)
    assert parser.html_lang == "ko"
    assert parser.headings >= 1
    for element in parser.inputs:
        if element.get("type") in ("hidden", "submit"):
            continue
        assert element.get("id") in parser.labels, f"no <label for> for {element} on {page.url}"
    assert "<input type=\"submit\"" not in page.html


@pytest.mark.parametrize("url", list(PAGES))
def test_every_page_renders_with_the_manuals_labels(stack: Stack, url: str) -> None:
    page = Browser(stack.app).get(url)
    assert page.status == 200, page.alert
    for label in PAGES[url]:
        assert label in page.text, f"{label!r} missing on {url}"
    assert_accessible(page)


def test_unknown_page_is_korean(stack: Stack) -> None:
    page = Browser(stack.app).get("/없는-페이지")
    assert page.status == 404
    assert page.alert == "요청하신 페이지를 찾을 수 없습니다."


def test_static_css_is_served_and_pages_need_nothing_outside(stack: Stack) -> None:
    browser = Browser(stack.app)
    assert browser.client.get("/static/style.css").status_code == 200
    html = browser.get("/signup/general/info").html
    assert not re.search(r'(src|href)="https?://', html)


# --- CSRF and the session cookie ---------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "forged-token"])
def test_post_without_the_sessions_csrf_token_is_refused_in_korean(stack: Stack, token: str | None) -> None:
    browser = Browser(stack.app)
    browser.get("/login")
    data = {"user_id": "someone", "password": "whatever1"}
    if token:
        data["csrf_token"] = token
    response = browser.client.post("/login", data=data)
    page = parse_page(response.status_code, "/login", response.text)
    assert response.status_code == 403
    assert "요청이 만료되었거나 올바르지 않습니다" in page.alert


def test_csrf_token_of_another_browser_is_refused(stack: Stack) -> None:
    other = Browser(stack.app)
    other.get("/login")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.csrf = other.csrf
    assert browser.post("/login", {"user_id": "x", "password": "y"}).status == 403


def _cookie_header(response) -> str:  # type: ignore[no-untyped-def]
    return response.headers["set-cookie"]


def test_session_cookie_is_httponly_lax_and_secure_when_asked() -> None:
    secure = build_stack(secure=True)
    cookie = _cookie_header(TestClient(secure.app, base_url="https://testserver").get("/"))
    assert cookie.startswith("__Host-ti24_session=")
    for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/"):
        assert flag in cookie
    plain = build_stack(secure=False)
    cookie = _cookie_header(TestClient(plain.app).get("/"))
    assert cookie.startswith("ti24_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_session_works_end_to_end() -> None:
    stack = build_stack(secure=True)
    general_member(stack.ctx, "bae_member", "배일반")
    browser = Browser(stack.app, https=True)
    browser.get("/login")
    page = browser.post("/login", {"user_id": "bae_member", "password": PASSWORD})
    assert "mykotra" in page.text and "로그아웃" in page.buttons


def test_login_gives_a_new_browser_id_and_the_cookie_never_holds_the_token(stack: Stack) -> None:
    general_member(stack.ctx, "bae_member", "배일반")
    browser = Browser(stack.app)
    browser.get("/login")
    before = browser.client.cookies.get("ti24_session")
    response = browser.client.post("/login", data={"csrf_token": browser.csrf, "user_id": "bae_member",
                                                   "password": PASSWORD})
    after = browser.client.cookies.get("ti24_session")
    assert response.status_code == 303 and before and after and before != after
    tokens = [row["token"] for row in stack.ctx.db["sessions"].rows]
    assert tokens and all(token not in after for token in tokens)
    stale = TestClient(stack.app)
    stale.cookies.set("ti24_session", before)
    assert "mykotra" not in stale.get("/").text  # the fixated id is not the logged-in one


def test_login_hashes_the_password_outside_the_service_lock(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashing is a login's whole cost: under the one-service-call-at-a-time lock, logins would use one core."""
    general_member(stack.ctx, "bae_member", "배일반")
    lock = stack.app.state.web.lock
    held: list[bool] = []
    verify = stack.ctx.hasher.verify

    def watching(stored: str | None, secret: str) -> bool:
        held.append(lock.locked())
        return verify(stored, secret)

    monkeypatch.setattr(stack.ctx.hasher, "verify", watching)
    browser = Browser(stack.app)
    browser.get("/login")
    page = browser.post("/login", {"user_id": "bae_member", "password": PASSWORD})
    assert "로그아웃" in page.buttons
    assert held == [False]


def test_a_password_checked_against_an_older_hash_is_checked_again(stack: Stack) -> None:
    general_member(stack.ctx, "bae_member", "배일반")
    stale = auth.PasswordCheck(stored="an-older-hash", valid=True)
    with pytest.raises(Refusal) as refused:
        auth.login_general(stack.ctx, "bae_member", "Wrong-Password25", checked=stale)
    assert refused.value.code == "bad_credentials"
    current = auth.stored_password_hash(stack.ctx, "bae_member")
    assert auth.login_general(stack.ctx, "bae_member", PASSWORD,
                              checked=auth.PasswordCheck(current, True)).token
    assert auth.stored_password_hash(stack.ctx, "nobody_here") is None


def test_security_headers(stack: Stack) -> None:
    response = TestClient(stack.app).get("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


# --- 일반회원 가입 STEP1 → STEP4 ------------------------------------------------------------------

def test_general_signup_step1_to_step4_with_phone_verification(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/signup")
    page = browser.post("/signup/general/start")
    assert 'aria-current="step" class="current">STEP1. 약관동의' in page.html

    page = browser.post("/signup/general", {"terms": "on"})
    assert page.alert == "개인정보 수집·이용에 동의해 주세요."
    page = browser.post("/signup/general", {"terms": "on", "privacy": "on"})
    assert 'aria-current="step" class="current">STEP2. 실명인증' in page.html

    browser.post("/signup/general/verify/phone")
    assert browser.outside and browser.outside.startswith(f"{PROVIDERS}/phone/verify/")
    return_url = parse_qs(urlsplit(browser.outside).query)["return"][0]
    txn = urlsplit(browser.outside).path.rsplit("/", 1)[-1]
    page = browser.get(f"{urlsplit(return_url).path}?identityVerificationId={txn}")
    assert 'aria-current="step" class="current">STEP3. 회원정보 입력' in page.html
    assert "실명인증이 완료되었습니다" in " ".join(page.statuses)
    assert "최일반" in page.text

    info = {"user_id": "choi_general", "password": "Trade-Invest24", "password_confirm": "Trade-Invest25",
            "email": "choi@example.com", "interest_region": "베트남, 인도네시아"}
    page = browser.post("/signup/general/info", info)
    assert page.alert == "비밀번호와 비밀번호 확인이 일치하지 않습니다."
    assert 'value="choi_general"' in page.html and 'value="베트남, 인도네시아"' in page.html
    assert "Trade-Invest2" not in page.html  # passwords are never echoed back

    page = browser.post("/signup/general/info", {**info, "password_confirm": "Trade-Invest24"})
    assert 'aria-current="step" class="current">STEP4. 가입완료' in page.html
    assert "일반회원 가입이 완료되었습니다" in " ".join(page.statuses)
    member = next(stack.ctx.db["members"].rows_where("user_id = ?", ["choi_general"]))
    assert '"관심 지역": ["베트남", "인도네시아"]' in member["interests"]


def test_general_signup_with_simple_auth_and_approval_password(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    browser = Browser(stack.app)
    browser.get("/signup")
    browser.post("/signup/general/start")
    browser.post("/signup/general", {"terms": "on", "privacy": "on"})
    form = {"app": "PASS", "name": "윤직원", "birth_date": "1992-03-04", "phone": "010-5555-6666"}
    page = browser.post("/signup/general/verify/simple", {**form, "birth_date": "1992"})
    assert page.alert == "생년월일을 8자리 숫자(예: 19900101)로 입력해 주세요." and 'value="윤직원"' in page.html
    page = browser.post("/signup/general/verify/simple", form)
    assert "휴대폰 앱에서 인증을 완료한 후 [인증 완료]를 눌러 주세요" in page.text
    page = browser.post("/signup/general/verify/simple/confirm")
    assert page.alert == "간편인증 앱에서 인증을 완료한 후 다시 시도해 주세요."
    stack.real_name.approved.update(stack.real_name.opened)
    page = browser.post("/signup/general/verify/simple/confirm")
    assert "STEP3. 회원정보 입력" in page.html and "윤직원" in page.text

    page = browser.post("/signup/general/info/search", {"bizno": "1248100998", "user_id": "yun_staff"})
    assert "삼성전자 주식회사" in page.text and 'value="yun_staff"' in page.html
    info = {"user_id": "yun_staff", "password": PASSWORD, "password_confirm": PASSWORD, "email": "yun@example.com",
            "bizno": SAMSUNG}
    page = browser.post("/signup/general/info", {**info, "approval_password": "111112"})
    assert page.alert == "승인 비밀번호가 일치하지 않습니다."
    assert not list(stack.ctx.db["members"].rows_where("user_id = ?", ["yun_staff"]))  # nothing half-written
    page = browser.post("/signup/general/info", {**info, "approval_password": "739164"})
    assert "STEP4. 가입완료" in page.html and "기업소속 일반회원" in page.text


def test_general_signup_with_certificate_in_step3(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    stack.real_name.person = person("윤직원", date(1992, 3, 4))
    browser = Browser(stack.app)
    browser.get("/signup")
    browser.post("/signup/general/start")
    browser.post("/signup/general", {"terms": "on", "privacy": "on"})
    browser.post("/signup/general/verify/card")
    txn = urlsplit(browser.outside or "").path.rsplit("/", 1)[-1]
    browser.get(f"/signup/general/verify/return?imp_uid={txn}")
    browser.post("/signup/general/info/certificate", {"user_id": "yun_staff", "email": "yun@example.com",
                                                      "bizno": SAMSUNG})
    page = browser.sign_in_dialog(stack.app)
    assert "기업 범용인증서가 선택되었습니다" in " ".join(page.statuses)
    assert 'value="yun_staff"' in page.html and 'value="124-81-00998"' in page.html
    page = browser.post("/signup/general/info", {"user_id": "yun_staff", "email": "yun@example.com",
                                                 "bizno": SAMSUNG, "password": PASSWORD,
                                                 "password_confirm": PASSWORD})
    assert "STEP4. 가입완료" in page.html, page.alert
    row = next(stack.ctx.db["affiliations"].rows)
    assert row["via"] == "인증서"


def test_step3_needs_real_name_and_a_certificate_dialog_cancel_is_explained(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/signup")
    browser.post("/signup/general/start")
    page = browser.post("/signup/general/verify/phone")
    assert page.alert == "약관에 먼저 동의해 주세요."
    browser.post("/signup/general", {"terms": "on", "privacy": "on"})
    page = browser.post("/signup/general/info", {"user_id": "choi_general", "password": PASSWORD,
                                                 "password_confirm": PASSWORD, "email": "c@example.com"})
    assert page.alert == "실명인증을 먼저 진행해 주세요."
    browser.post("/signup/general/info/certificate", {"bizno": SAMSUNG})
    page = browser.sign_in_dialog(stack.app, cancel=True)
    assert "인증서 선택이 취소되었습니다" in page.alert


def test_an_expired_signup_says_so_and_step1_starts_again(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/signup")
    browser.post("/signup/general/start")
    browser.post("/signup/general", {"terms": "on", "privacy": "on"})
    stack.clock.advance(timedelta(minutes=31))
    page = browser.post("/signup/general/verify/phone")
    assert page.alert.startswith("진행 중인 절차가 없거나 만료되었습니다.")
    assert 'href="/signup"' in page.html
    page = browser.post("/signup/general", {"terms": "on", "privacy": "on"})
    assert 'aria-current="step" class="current">STEP2. 실명인증' in page.html, page.alert


# --- 간편회원 가입 and 로그인 ----------------------------------------------------------------------

def _sns_state(browser: Browser) -> str:
    return parse_qs(urlsplit(browser.outside or "").query)["state"][0]


def test_simple_signup_then_login_and_a_foreign_response(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/signup/simple")
    browser.post("/signup/simple", {"channel": "naver"})
    assert browser.outside and browser.outside.startswith(f"{PROVIDERS}/naver/authorize")
    state = _sns_state(browser)
    page = browser.get("/oauth/naver/callback?code=u1&state=someone-elses")
    assert page.alert == "요청 정보가 일치하지 않습니다. 처음부터 다시 진행해 주세요."
    page = browser.get(f"/oauth/naver/callback?code=u1&state={state}")
    assert "간편u1" in page.text and "가입하기" in page.buttons
    page = browser.post("/signup/simple/terms", {"privacy": "on"})
    assert page.alert == "홈페이지 이용약관에 동의해 주세요."
    page = browser.post("/signup/simple/terms", {"terms": "on", "privacy": "on"})
    assert "간편회원 가입이 완료되었습니다" in page.text

    browser.get("/login?tab=simple")
    browser.post("/login/simple", {"channel": "naver"})
    page = browser.get(f"/oauth/naver/callback?code=u1&state={_sns_state(browser)}")
    assert "mykotra" in page.text
    assert re.search(r'id="member-type">간편회원<', page.html)
    assert re.search(r'id="member-channel">네이버<', page.html)


def test_simple_login_of_someone_not_signed_up(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/login?tab=simple")
    browser.post("/login/simple", {"channel": "google"})
    page = browser.get(f"/oauth/google/callback?code=nobody&state={_sns_state(browser)}")
    assert page.alert == "구글(으)로 가입한 간편회원이 아닙니다. [회원가입]을 진행해 주세요."
    assert browser.logged_in_as() == "로그인/회원가입"


# --- 로그인 / 로그아웃 menu -------------------------------------------------------------------------

def test_login_switches_the_menu_and_logout_switches_it_back(stack: Stack) -> None:
    general_member(stack.ctx, "bae_member", "배일반")
    browser = Browser(stack.app)
    page = browser.get("/")
    assert {"로그인", "회원가입"} <= set(page.text.split()) and "로그아웃" not in page.buttons
    browser.get("/login")
    page = browser.post("/login", {"user_id": "bae_member", "password": "Bae-Password25"})
    assert page.alert == "아이디 또는 비밀번호가 일치하지 않습니다." and 'value="bae_member"' in page.html
    page = browser.post("/login", {"user_id": "bae_member", "password": PASSWORD})
    assert "로그아웃" in page.buttons and 'href="/mykotra"' in page.html
    assert re.search(r'id="member-type">일반회원<', page.html)
    assert re.search(r'id="member-channel">KOTRA 무역투자24<', page.html)
    page = browser.get("/mykotra")
    assert "회원정보" in page.text and "소속기업 등록" in page.text and "서비스 참여이력 및 마일리지" in page.text
    page = browser.post("/logout")
    assert "로그아웃되었습니다." in page.statuses
    assert "로그아웃" not in page.buttons and 'href="/login"' in page.html
    browser.get("/services/online-consultation")
    page = browser.post("/services/online-consultation", {"detail": "문의"})
    assert page.alert == "로그인이 필요합니다."


def test_idle_login_ends_and_the_menu_follows(stack: Stack) -> None:
    general_member(stack.ctx, "bae_member", "배일반")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "bae_member", "password": PASSWORD})
    stack.clock.advance(timedelta(minutes=61))
    assert browser.logged_in_as() == "로그인/회원가입"


# --- services and the entitlement matrix -------------------------------------------------------

def test_refused_service_shows_the_matrix_message_and_an_allowed_one_succeeds(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/signup/simple")
    browser.post("/signup/simple", {"channel": "kakao"})
    browser.get(f"/oauth/kakao/callback?code=k1&state={_sns_state(browser)}")
    browser.post("/signup/simple/terms", {"terms": "on", "privacy": "on"})
    browser.get("/login?tab=simple")
    browser.post("/login/simple", {"channel": "kakao"})
    browser.get(f"/oauth/kakao/callback?code=k1&state={_sns_state(browser)}")

    page = browser.post("/services/other", {"detail": "수출 상담"})
    assert page.alert == "간편회원은(는) '기타 서비스 신청' 서비스를 이용할 수 없습니다."
    assert "수출 상담" in page.html  # the form is kept
    page = browser.post("/services/online-consultation", {"detail": "수출 상담"})
    assert not page.alerts and any("신청이 완료되었습니다" in s for s in page.statuses)
    page = browser.post("/services/mileage", {"points": "100"})
    assert page.alert == "간편회원은(는) '서비스 마일리지 사용' 서비스를 이용할 수 없습니다."
    page = browser.post("/services/company-edit", {"address": "서울"})
    assert page.alert == "간편회원은(는) '기업정보 수정' 서비스를 이용할 수 없습니다."
    page = browser.post("/company/register", {"terms": "on", "privacy": "on"})
    assert page.alert.startswith("간편회원은 소속기업 정보를 등록할 수 없습니다.")


def test_member_with_company_earns_and_spends_mileage(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "kang_ceo", "password": PASSWORD})
    browser.post("/services/briefing", {"detail": "설명회"})
    page = browser.post("/services/mileage", {"points": "500"})
    assert page.alert == "사용 가능한 마일리지(200점)가 부족합니다."
    page = browser.post("/services/mileage", {"points": "열 점"})
    assert page.alert == "사용할 마일리지를 숫자로 입력해 주세요."
    page = browser.post("/services/mileage", {"points": "150"})
    assert "남은 마일리지: 50점" in " ".join(page.statuses)
    page = browser.post("/services/company-edit", {"address": "서울특별시 서초구"})
    assert page.alert == "기업 범용인증서로 기업인증을 거친 후 기업정보를 수정할 수 있습니다."
    browser.post("/services/company-edit/certificate", {"address": "서울특별시 서초구 서초대로74길 11"})
    page = browser.sign_in_dialog(stack.app)
    assert "기업정보가 수정되었습니다" in " ".join(page.statuses), page.alert
    assert stack.ctx.db["companies"].get("1248100998")["address"] == "서울특별시 서초구 서초대로74길 11"


# --- 소속기업 등록 (mykotra) and 기업정보 등록 -------------------------------------------------------

def test_mykotra_affiliation_with_approval_password(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    general_member(stack.ctx, "yun_staff", "윤직원", date(1992, 3, 4), "010-5555-6666")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "yun_staff", "password": PASSWORD})
    page = browser.post("/mykotra/company/search", {"bizno": "124-81-00999"})
    assert page.alert == "유효하지 않은 사업자등록번호입니다. 번호를 다시 확인해 주세요."
    page = browser.post("/mykotra/company/search", {"bizno": SAMSUNG})
    assert "삼성전자 주식회사" in page.text and "소속기업 등록" in page.buttons and "기업인증하기" in page.buttons
    page = browser.post("/mykotra/company/join", {"bizno": SAMSUNG, "approval_password": "73916"})
    assert page.alert == "승인 비밀번호는 숫자 6자리로 입력해 주세요."
    page = browser.post("/mykotra/company/join", {"bizno": SAMSUNG, "approval_password": "739164"})
    assert "소속기업 등록이 완료되었습니다" in " ".join(page.statuses)
    assert re.search(r'id="my-company">삼성전자 주식회사<', page.html)


def test_company_registration_of_a_new_company_with_upload(stack: Stack) -> None:
    general_member(stack.ctx, "han_staff", "한담당")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "han_staff", "password": PASSWORD})
    page = browser.post("/company/register", {"terms": "on"})
    assert page.alert == "개인정보 수집·이용에 동의해 주세요."
    page = browser.post("/company/register", {"terms": "on", "privacy": "on"})
    assert 'aria-current="step" class="current">STEP2. 기업 인증' in page.html
    page = browser.post("/company/register/auth/lookup", {"bizno": "107-86-14075"})
    assert "신규기업 등록" in page.text and "기업인증하기" in page.buttons
    page = browser.post("/company/register/info", {"admin_password": "Lg-Admin2024", "admin_password_confirm":
                                                   "Lg-Admin2024", "approval_password": "905172",
                                                   "approval_password_confirm": "905172"})
    assert page.alert == "[기업인증하기]로 기업 범용인증서 인증을 먼저 완료해 주세요."
    browser.post("/company/register/auth/certificate")
    page = browser.sign_in_dialog(stack.app)
    assert 'aria-current="step" class="current">STEP3. 기업 정보 입력' in page.html, page.alert
    form = {"admin_password": "Lg-Admin2024", "admin_password_confirm": "Lg-Admin2024",
            "approval_password": "905172", "approval_password_confirm": "905172", "name": "엘지전자 주식회사",
            "representative": "조대표", "address": "서울특별시 영등포구 여의대로 128"}
    page = browser.post("/company/register/info", form)
    assert page.alert == "소속기업 사업자등록증 스캔본 파일을 첨부해 주세요." and 'value="엘지전자 주식회사"' in page.html
    page = browser.post("/company/register/info", form, files={"scan": ("사업자등록증.png", b"%PDF-1.7", "image/png")})
    assert page.alert == "첨부한 파일의 내용이 확장자와 맞지 않습니다. 사업자등록증 스캔본을 다시 첨부해 주세요."
    page = browser.post("/company/register/info", form,
                        files={"scan": ("사업자등록증.pdf", b"%PDF-1.7 scan", "application/pdf")})
    assert "기업정보 등록이 완료되었습니다" in page.text, page.alert
    assert "엘지전자 주식회사" in page.text


def test_oversized_upload_is_refused_in_korean(stack: Stack) -> None:
    browser = Browser(stack.app)
    browser.get("/company/register/info")
    big = b"%PDF-" + b"0" * (13 * 1024 * 1024)
    response = browser.client.post("/company/register/info", data={"csrf_token": browser.csrf or ""},
                                   files={"scan": ("사업자등록증.pdf", big, "application/pdf")})
    assert response.status_code == 413
    assert "10MB 이하의 파일을 첨부해 주세요" in parse_page(413, "", response.text).alert


def test_already_registered_company_points_to_company_login(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    general_member(stack.ctx, "han_staff", "한담당", date(1985, 1, 1), "010-7777-8888")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "han_staff", "password": PASSWORD})
    browser.post("/company/register", {"terms": "on", "privacy": "on"})
    page = browser.post("/company/register/auth/lookup", {"bizno": SAMSUNG})
    assert "[기업정보 관리 로그인]" in page.alert
    assert 'href="/login?tab=company"' in page.html


def test_closed_company_cannot_be_registered(stack: Stack) -> None:
    general_member(stack.ctx, "han_staff", "한담당")
    stack.business.closed.add("1208147521")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "han_staff", "password": PASSWORD})
    browser.post("/company/register", {"terms": "on", "privacy": "on"})
    page = browser.post("/company/register/auth/lookup", {"bizno": "120-81-47521"})
    assert page.alert == "폐업으로 조회된 기업입니다. 폐업한 기업은 기업정보를 등록할 수 없습니다."
    assert 'value="120-81-47521"' in page.html and "기업인증하기" not in page.buttons


# --- 기업정보 관리자 ------------------------------------------------------------------------------

def test_company_admin_login_and_edit_refused_before_certificate(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    general_member(stack.ctx, "yun_staff", "윤직원", date(1992, 3, 4), "010-5555-6666")
    from simulator.service_layer import affiliation

    affiliation.join(stack.ctx, auth.login_general(stack.ctx, "yun_staff", PASSWORD).token or "",
                     signup.CompanyChoice(SAMSUNG, approval_password="739164"))
    browser = Browser(stack.app)
    browser.get("/login?tab=company")
    page = browser.post("/login/company", {"bizno": SAMSUNG, "password": "Company-Admin2"})
    assert page.alert == "사업자등록번호 또는 비밀번호가 일치하지 않습니다." and 'value="124-81-00998"' in page.html
    page = browser.post("/login/company", {"bizno": "1248100998", "password": "Company-Admin1"})
    assert re.search(r'id="member-type">기업정보 관리자<', page.html)

    page = browser.get("/mykotra")
    assert "기업정보" in page.text and "기업인증" in page.buttons and "윤직원" in page.text
    assert 'id="company-auth-state">미완료' in page.html  # 승인비밀번호 변경 only after 기업인증 (the service refuses)
    page = browser.get("/company-admin/edit")
    page = browser.post("/company-admin/edit", {"name": "삼성전자 주식회사", "address": "경기도 수원시 영통구 삼성로 130"})
    assert page.alert == "반드시 기업인증 절차를 거친 후 수정할 수 있습니다. [기업인증]을 먼저 진행해 주세요."
    page = browser.post("/company-admin/approval-password", {"approval_password": "582047",
                                                             "approval_password_confirm": "582047"})
    assert page.alert.startswith("반드시 기업인증 절차를 거친 후 수정할 수 있습니다.")

    browser.post("/company-admin/authenticate", {"back": "edit"})
    page = browser.sign_in_dialog(stack.app)
    assert "기업인증이 완료되었습니다" in " ".join(page.statuses), page.alert
    page = browser.post("/company-admin/edit", {"address": "경기도 수원시 영통구 삼성로 130"})
    assert "기업정보가 변경되었습니다." in page.statuses
    assert "경기도 수원시 영통구 삼성로 130" in page.text
    page = browser.post("/company-admin/approval-password", {"approval_password": "582047",
                                                             "approval_password_confirm": "582047"})
    assert any("변경된 승인비밀번호를 기존 기업소속 일반회원들에게도 반드시 공유해 주세요" in s for s in page.statuses)
    page = browser.post("/company-admin/employees/release", {"user_id": "yun_staff"})
    assert "관계 해지가 완료되었습니다" in " ".join(page.statuses) and "yun_staff" not in page.html.split("소속직원 관리")[1]


def test_certificate_login_and_the_return_is_single_use_and_bound_to_the_browser(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    browser = Browser(stack.app)
    browser.get("/login?tab=certificate")
    browser.post("/login/certificate", {"bizno": SAMSUNG})
    query = {k: v[0] for k, v in parse_qs(urlsplit(browser.outside or "").query).items()}
    assert query["bizno"] == "1248100998"
    return_path = urlsplit(query["return"]).path

    page = browser.sign_in_dialog(stack.app)
    assert re.search(r'id="member-type">기업정보 관리자<', page.html)
    replay = TestClient(stack.app, follow_redirects=False).post(return_path, data={"certificate": "", "error": ""})
    assert replay.status_code == 400 and "이미 처리되었습니다" in replay.text

    thief = Browser(stack.app)
    browser.post("/company-admin/authenticate")
    query = {k: v[0] for k, v in parse_qs(urlsplit(browser.outside or "").query).items()}
    challenge = base64.urlsafe_b64decode(query["challenge"])
    answer = TestClient(stack.app, follow_redirects=False).post(urlsplit(query["return"]).path, data={
        "certificate": base64.b64encode(b"CERT:1248100998").decode(),
        "signature": base64.b64encode(signature(challenge)).decode(), "random_num": ""})
    page = thief.get(answer.headers["location"])
    assert page.status == 400 and "인증 요청이 유효하지 않거나" in page.alert


def test_certificate_of_another_company_is_refused_at_login(stack: Stack) -> None:
    register_company(stack.ctx, general_member(stack.ctx, "kang_ceo", "강대표"))
    browser = Browser(stack.app)
    browser.get("/login?tab=certificate")
    browser.post("/login/certificate", {"bizno": SAMSUNG})
    page = browser.sign_in_dialog(stack.app, bizno="2208162517")
    assert "사업자등록번호" in page.alert and "공동인증서 로그인" in page.text
    assert browser.logged_in_as() == "로그인/회원가입"


# --- 기존 회원 전환 --------------------------------------------------------------------------------

def test_legacy_member_converts_and_is_offered_company_registration(stack: Stack) -> None:
    seed.legacy_member(stack.ctx, user_id="old_staff", password="Legacy-Pass1", name="구직원",
                       email="old@example.com", phone="010-9999-0000", role="준회원", bizno=SAMSUNG)
    browser = Browser(stack.app)
    browser.get("/login")
    page = browser.post("/login", {"user_id": "old_staff", "password": "Legacy-Pass1"})
    assert "기존 회원정보 확인" in page.text and "old_staff" in page.text
    assert {"본인 맞음", "본인 아님"} <= set(page.buttons)
    page = browser.post("/conversion/confirm", {"answer": "yes"})
    page = browser.post("/conversion/password", {"password": "Legacy-Pass1", "password_confirm": "Legacy-Pass1"})
    assert page.alert == "기존 비밀번호와 다른 비밀번호를 입력해 주세요."
    page = browser.post("/conversion/password", {"password": "Fresh-Start24", "password_confirm": "Fresh-Start24"})
    assert "이용약관 및 개인정보 수집이용동의" in page.text
    page = browser.post("/conversion/terms", {"privacy": "on"})
    assert page.alert == "홈페이지 이용약관에 동의해 주세요."
    assert browser.logged_in_as() == "로그인/회원가입"
    browser.get("/conversion/terms")
    page = browser.post("/conversion/terms", {"terms": "on", "privacy": "on"})
    assert "통합회원 전환이 완료되었습니다." in page.statuses
    assert 'href="/mykotra/company"' in page.html and "소속기업 등록" in page.text
    assert browser.logged_in_as() == "일반회원"


def test_legacy_member_who_is_not_the_owner_is_not_converted(stack: Stack) -> None:
    seed.legacy_member(stack.ctx, user_id="old_member", password="Legacy-Pass1", name="구회원",
                       email="old@example.com", phone="010-9999-0000", role="개인회원")
    browser = Browser(stack.app)
    browser.get("/login")
    browser.post("/login", {"user_id": "old_member", "password": "Legacy-Pass1"})
    page = browser.post("/conversion/confirm", {"answer": "no"})
    assert page.alert.startswith("본인의 회원정보가 아닌 경우 전환할 수 없습니다.")
    assert browser.logged_in_as() == "로그인/회원가입"


# --- 아이디 찾기 / 비밀번호 재설정 -------------------------------------------------------------------

def test_find_id_by_phone_email_and_simple_auth(stack: Stack) -> None:
    general_member(stack.ctx, "noh_finder", "노찾기", date(1988, 8, 8), "010-3333-4444")
    browser = Browser(stack.app)
    browser.get("/find-id")
    page = browser.post("/find-id/phone", {"name": "노찾기", "phone": "010-0000-0000"})
    assert page.alert == "입력하신 정보와 일치하는 회원이 없습니다." and 'value="노찾기"' in page.html
    page = browser.post("/find-id/phone", {"name": "노찾기", "phone": "01033334444"})
    assert "noh_f*****" in page.text and "2026-11-30" in page.text and 'href="/login?tab=general"' in page.html
    assert "noh_finder" not in page.text
    page = browser.post("/find-id/email", {"name": "노찾기", "email": "NOH_FINDER@example.com"})
    assert "noh_f*****" in page.text
    page = browser.post("/find-id/simple", {"app": "금융인증서", "name": "노찾기", "birth_date": "19880808",
                                            "phone": "010-3333-4444"})
    assert "인증 완료" in page.buttons
    stack.real_name.approved.update(stack.real_name.opened)
    page = browser.post("/find-id/simple/confirm")
    assert "noh_f*****" in page.text, page.alert


RETURN_KEYS = {"phone": "identityVerificationId", "card": "imp_uid"}  # the providers' return parameters


def verify_password_reset(stack: Stack, browser: Browser, who: VerifiedPerson, method: str = "phone") -> Page:
    """[휴대폰] or [신용카드] on the 비밀번호 재설정 page, the provider's window answering for ``who``,
    and the return to the site: the page the member lands on."""
    stack.real_name.person = who
    browser.post(f"/password-reset/verify/{method}")
    txn = urlsplit(browser.outside or "").path.rsplit("/", 1)[-1]
    return browser.get(f"/password-reset/verify/return?{RETURN_KEYS[method]}={txn}")


def test_password_reset_with_card(stack: Stack) -> None:
    general_member(stack.ctx, "hwang_reset", "황재설", date(1979, 7, 7), "010-1212-3434")
    browser = Browser(stack.app)
    browser.get("/password-reset")
    page = browser.post("/password-reset", {"user_id": "hwang_reset", "name": "황재설"})
    assert {"휴대폰", "신용카드", "간편인증"} <= set(page.buttons)
    page = browser.post("/password-reset/new", {"password": "New-Password24", "password_confirm": "New-Password24"})
    assert page.alert == "본인인증을 먼저 진행해 주세요."
    browser.get("/password-reset/verify")
    page = verify_password_reset(stack, browser, person("황재설", date(1979, 7, 7), "010-1212-3434"), "card")
    assert "저장하기" in page.buttons, page.alert
    page = browser.post("/password-reset/new", {"password": "short", "password_confirm": "short"})
    assert page.alert == "비밀번호는 8자 이상이어야 합니다."
    page = browser.post("/password-reset/new", {"password": "New-Password24", "password_confirm": "New-Password24"})
    assert "비밀번호가 변경되었습니다" in page.text
    browser.get("/login")
    page = browser.post("/login", {"user_id": "hwang_reset", "password": "New-Password24"})
    assert "로그아웃" in page.buttons


def test_password_reset_refuses_someone_elses_verification(stack: Stack) -> None:
    general_member(stack.ctx, "hwang_reset", "황재설", date(1979, 7, 7), "010-1212-3434")
    browser = Browser(stack.app)
    browser.get("/password-reset")
    browser.post("/password-reset", {"user_id": "hwang_reset", "name": "황재설"})
    page = verify_password_reset(stack, browser, person("타인", date(1999, 9, 9)))
    assert page.alert == "입력하신 아이디·회원명과 본인인증 정보가 일치하는 회원이 없습니다."


# --- the full stack: HTTP adapters against the fake providers' own pages ----------------------------

PB = "http://providers.test"


def _hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


@dataclass
class FullStack:
    app: Starlette
    providers: TestClient  # the member's browser at the providers' origin
    ctx: Context


@pytest.fixture
def full_stack() -> FullStack:
    httpx = pytest.importorskip("httpx")
    providers_http = pytest.importorskip("fake_providers.http")
    adapters = pytest.importorskip("simulator.adapters.http_providers")
    transport = pytest.importorskip("simulator.adapters.asgi_transport")
    from fake_providers.world import ProviderWorld
    from simulator.adapters.certificate_verifier import X509CertificateVerifier

    clock = FixedClock(datetime(2026, 11, 30, 10, 0, tzinfo=KST))
    world = ProviderWorld(clock.now, 7)
    providers = providers_http.create_app(world)
    http = httpx.Client(transport=transport.SyncASGITransport(providers), base_url=PB)
    endpoints = adapters.ProviderEndpoints(base_url=PB)
    store = adapters.HttpTrustStore(endpoints, http, clock.now)
    ctx = bootstrap.build(real_name=adapters.HttpRealName(endpoints, http),
                          sns=adapters.HttpSnsLogin(endpoints, http, now=clock.now),
                          business_status=adapters.HttpBusinessStatus(endpoints, http),
                          certificates=X509CertificateVerifier(store.trust_roots, store.intermediates, store.crls),
                          hashing="cheap", clock=clock)
    app = create_app(ctx, providers_base_url=PB, secure_cookies=False)
    return FullStack(app, TestClient(providers, base_url=PB, follow_redirects=False), ctx)


def _provider_post(fs: FullStack, url: str, data: dict[str, str]) -> str:
    """POST at the providers' origin; the Location it answers with."""
    response = fs.providers.post(urlsplit(url).path, data=data)
    assert response.status_code in (302, 303), response.text[:500]
    return response.headers["location"]


def _back_to_site(browser: Browser, location: str) -> Page:
    parts = urlsplit(location)
    assert parts.netloc == "testserver", location
    return browser.get(f"{parts.path}?{parts.query}")


def _pass_verification(fs: FullStack, browser: Browser, who: dict[str, str], start_url: str) -> Page:
    browser.post(start_url)
    auth_url = browser.outside or ""
    assert auth_url.startswith(f"{PB}/pass/verify/"), auth_url
    assert fs.providers.get(urlsplit(auth_url).path).status_code == 200
    identity = _provider_post(fs, auth_url, {"carrier": who["carrier"]})
    code_url = _provider_post(fs, identity, {"name": who["name"], "birth_date": who["birth_date"].replace("-", ""),
                                             "phone": who["phone"], "agree": "on"})
    code = fs.providers.get(f"/control/sms/{who['phone'].replace('-', '')}").json()["latest_code"]
    return _back_to_site(browser, _provider_post(fs, code_url, {"code": code}))


def _certificate_dialog(fs: FullStack, browser: Browser, holder: str, password: str) -> Page:
    dialog = browser.outside or ""
    assert dialog.startswith(f"{PB}/ca/dialog?"), dialog
    page = fs.providers.get(f"{urlsplit(dialog).path}?{urlsplit(dialog).query}&holder={holder}")
    assert page.status_code == 200 and "인증서 암호" in page.text
    fields = _hidden_fields(page.text)
    serial = re.search(r'name="serial" value="(\d+)"', page.text)
    assert serial, page.text
    autopost = fs.providers.post("/ca/dialog", data={**fields, "serial": serial.group(1), "password": password,
                                                     "action": "ok"})
    target = re.search(r'<form id="autopost" method="post" action="([^"]+)"', autopost.text)
    assert target, autopost.text
    cross_site = TestClient(fs.app, follow_redirects=False)
    answer = cross_site.post(urlsplit(target.group(1)).path, data=_hidden_fields(autopost.text))
    assert answer.status_code == 303
    return browser._settle(answer)


def _full_signup(fs: FullStack, user_id: str, who: dict[str, str]) -> Browser:
    browser = Browser(fs.app)
    browser.get("/signup")
    browser.post("/signup/general/start")
    browser.post("/signup/general", {"terms": "on", "privacy": "on"})
    page = _pass_verification(fs, browser, who, "/signup/general/verify/phone")
    assert "STEP3. 회원정보 입력" in page.html and who["name"] in page.text, page.alert
    page = browser.post("/signup/general/info", {"user_id": user_id, "password": PASSWORD,
                                                 "password_confirm": PASSWORD, "email": f"{user_id}@example.com"})
    assert "STEP4. 가입완료" in page.html, page.alert
    browser.get("/login")
    browser.post("/login", {"user_id": user_id, "password": PASSWORD})
    return browser


def test_full_stack_signup_company_registration_and_company_admin(full_stack: FullStack) -> None:
    fs = full_stack
    who = fs.providers.post("/control/persons", json={"name": "강대표", "birth_date": "1975-04-05",
                                                      "carrier": "KT", "phone": "010-4321-8765"}).json()
    seed.directory_company(fs.ctx, SAMSUNG, "삼성전자 주식회사", "대표자", "경기도 수원시 영통구 삼성로 129")
    fs.providers.post("/control/businesses", json={"b_no": "1248100998", "name": "삼성전자 주식회사", "status": "01"})
    issued = fs.providers.post("/control/certificates", json={
        "product": "한국정보인증(법인)", "bizno": "1248100998", "holder_name": "강대표", "password": "cert-pass-1",
        "holder": "kang"})
    assert issued.status_code == 201, issued.text

    browser = _full_signup(fs, "kang_ceo", who)
    assert browser.logged_in_as() == "일반회원"
    browser.get("/company/register")
    browser.post("/company/register", {"terms": "on", "privacy": "on"})
    page = browser.post("/company/register/auth/lookup", {"bizno": SAMSUNG})
    assert "삼성전자 주식회사" in page.text, page.alert
    browser.post("/company/register/auth/certificate")
    page = _certificate_dialog(fs, browser, "kang", "cert-pass-1")
    assert "STEP3. 기업 정보 입력" in page.html and "기업인증이 완료되었습니다" in " ".join(page.statuses), page.alert
    page = browser.post("/company/register/info", {"admin_password": "Company-Admin1",
                                                   "admin_password_confirm": "Company-Admin1",
                                                   "approval_password": "739164",
                                                   "approval_password_confirm": "739164"})
    assert "기업정보 등록이 완료되었습니다" in page.text, page.alert

    admin = Browser(fs.app)
    admin.get("/login?tab=company")
    admin.post("/login/company", {"bizno": SAMSUNG, "password": "Company-Admin1"})
    admin.get("/company-admin/edit")
    page = admin.post("/company-admin/edit", {"address": "경기도 수원시 영통구 삼성로 130"})
    assert page.alert.startswith("반드시 기업인증 절차를 거친 후 수정할 수 있습니다.")
    admin.post("/company-admin/authenticate", {"back": "edit"})
    page = _certificate_dialog(fs, admin, "kang", "cert-pass-1")
    assert "기업인증이 완료되었습니다" in " ".join(page.statuses), page.alert
    page = admin.post("/company-admin/edit", {"address": "경기도 수원시 영통구 삼성로 130"})
    assert "기업정보가 변경되었습니다." in page.statuses


def test_full_stack_simple_signup_through_the_sns_login_page(full_stack: FullStack) -> None:
    fs = full_stack
    fs.providers.post("/control/persons", json={"name": "박간편", "phone": "010-2468-1357"})
    account = fs.providers.post("/control/sns-accounts", json={"channel": "naver", "phone": "010-2468-1357"}).json()
    browser = Browser(fs.app)
    browser.get("/signup/simple")
    browser.post("/signup/simple", {"channel": "naver"})
    authorize = browser.outside or ""
    assert authorize.startswith(f"{PB}/naver/oauth2.0/authorize"), authorize
    login_page = fs.providers.get(f"{urlsplit(authorize).path}?{urlsplit(authorize).query}")
    assert login_page.status_code == 200, login_page.text[:300]
    callback = _provider_post(fs, authorize, {**_hidden_fields(login_page.text), "login_id": account["login_id"],
                                              "password": account["password"], "action": "agree"})
    parts = urlsplit(callback)
    page = browser.get(f"{parts.path}?{parts.query}")
    assert "가입하기" in page.buttons and "박간편" in page.text, page.alert
    page = browser.post("/signup/simple/terms", {"terms": "on", "privacy": "on"})
    assert "간편회원 가입이 완료되었습니다" in page.text
