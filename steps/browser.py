"""The Playwright driver: the same member actions as the in-process driver, done in a real
browser (system Chromium) on the target's screens and on the fake providers' pages.

Elements are found by ARIA role and the manual's Korean labels (overridable per element by a
site profile). Native form validation is switched off before each submission so that the
target's own Korean messages — not the browser's bubbles — are what the scenarios read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .driver import Actor, CompanyForm, CompanyProof, MemberInfo, Refused
from .profile import SiteProfile

CHANNEL_CODES = {"카카오": "kakao", "네이버": "naver", "구글": "google", "페이스북": "facebook"}
CHANNEL_LABELS = {code: label for label, code in CHANNEL_CODES.items()}
SERVICE_PATHS = {"온라인 상담": "/services/online-consultation", "설명회 신청": "/services/briefing",
                 "기타 서비스 신청": "/services/other"}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 6_000
SIGNUP_VERIFICATION_BUTTONS = {"간편인증": "간편인증", "휴대전화": "휴대전화 본인인증", "휴대폰": "휴대전화 본인인증",
                               "신용카드": "신용카드 인증"}
RETURN_PARAMETERS = ("identityVerificationId=", "imp_uid=")  # how the verification windows hand back their id
CERTIFICATE_RETURN = "**/certificate/return/**"  # where the certificate dialog posts its signed answer
HELD_PAGE = "<!doctype html><title>-</title>"  # what a browser shows when its answer was caught on the way
GUIDANCE = {"이미 기업정보가 등록된": "registered", "[기업인증하기]로 기업정보를 등록": "directory",
            "조회되지 않는 사업자등록번호": "not_found"}


def _exact(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(name)}\s*$")


class PlaywrightDriver:
    def __init__(self, browser: Browser, base_url: str, control: httpx.Client, profile: SiteProfile,
                 artifacts: Any = None) -> None:
        self.browser = browser
        self.base = base_url.rstrip("/")
        self.control = control
        self.site_profile = profile
        self.contexts: dict[str, BrowserContext] = {}
        self.pages: dict[str, Page] = {}
        self.last_page: Page | None = None
        self.artifacts = artifacts
        # Called just before every click with (page, the element about to be pressed, a label for the
        # provider's screen or None on the site's own pages); the training guide's screenshots hang
        # off this. None (the default) costs nothing.
        self.observer: Callable[[Page, Any, str | None], None] | None = None
        self.tracing = True

    # --- plumbing ---------------------------------------------------------------------

    def page(self, actor: Actor) -> Page:
        if actor.alias not in self.pages:
            context = self.browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", base_url=self.base,
                                               viewport={"width": 1000, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            if self.tracing:
                context.tracing.start(screenshots=False, snapshots=True, title=actor.alias)
            self.contexts[actor.alias] = context
            self.pages[actor.alias] = context.new_page()
        self.last_page = self.pages[actor.alias]
        return self.last_page

    def close(self, trace_dir: Any = None) -> list[str]:
        traces = []
        for alias, context in self.contexts.items():
            path = None
            if trace_dir is not None and self.tracing:
                path = str(trace_dir / f"trace-{len(traces) + 1}.zip")
                traces.append(path)
            try:
                if self.tracing:
                    context.tracing.stop(path=path)
            finally:
                context.close()
            del alias
        self.contexts.clear()
        self.pages.clear()
        return traces

    def _press(self, page: Page, target: Any, screen: str | None = None) -> None:
        """Click ``target``, letting the observer see the page and the element first."""
        if self.observer is not None:
            self.observer(page, target, screen)
        target.click()

    def _go(self, page: Page, name: str, query: str = "") -> None:
        page.goto(self.base + self.site_profile.path(name) + query)

    def _main(self, page: Page) -> Any:
        return page.locator("main")

    def _button(self, page: Page, name: str, key: str | None = None) -> Any:
        return self.site_profile.find(self._main(page), key or f"button:{name}",
                                 lambda s: s.get_by_role("button", name=_exact(name)))

    def _link(self, page: Page, name: str, key: str | None = None) -> Any:
        return self.site_profile.find(self._main(page), key or f"link:{name}",
                                 lambda s: s.get_by_role("link", name=_exact(name)))

    def _field(self, page: Page, label: str, key: str | None = None) -> Any:
        pattern = re.compile(rf"^\s*{re.escape(label)}\s*(\(필수\))?\s*$")
        return self.site_profile.find(self._main(page), key or f"field:{label}", lambda s: s.get_by_label(pattern))

    def _fill(self, page: Page, label: str, value: str) -> None:
        self._field(page, label).fill(value)

    def _check(self, page: Page, label: str, on: bool) -> None:
        self._field(page, label).set_checked(on)

    def _submit(self, page: Page, button: Any) -> None:
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        self._press(page, button.first)
        page.wait_for_load_state()

    def _click(self, page: Page, name: str) -> None:
        self._submit(page, self._button(page, name))

    def _alerts(self, page: Page) -> str:
        texts = [t.strip() for t in page.get_by_role("alert").all_inner_texts() if t.strip()]
        return " ".join(texts)

    def _refused_if_alert(self, page: Page) -> None:
        text = self._alerts(page)
        if text:
            raise Refused(text, "alert")

    def _on_site(self, page: Page) -> bool:
        path = urlsplit(page.url).path
        return page.url.startswith(self.base) and path.split("/")[1:2] not in (
            ["kakao"], ["naver"], ["google"], ["facebook"], ["pass"], ["card"], ["simple-auth"], ["ca"])

    def _status(self, page: Page) -> str:
        return " ".join(t.strip() for t in page.get_by_role("status").all_inner_texts() if t.strip())

    def _table(self, scope: Any) -> list[dict[str, str]]:
        heads = [h.strip() for h in scope.locator("thead th").all_inner_texts()]
        rows = []
        for row in scope.locator("tbody tr").all():
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            rows.append(dict(zip(heads, cells, strict=False)))
        return rows

    def _kv(self, scope: Any) -> dict[str, str]:
        result = {}
        for row in scope.locator("tr").all():
            key = row.locator("th").all_inner_texts()
            value = row.locator("td").all_inner_texts()
            if key and value:
                result[key[0].strip()] = value[0].strip()
        return result

    # --- provider pages (the fakes') ----------------------------------------------------

    def _sns(self, page: Page, actor: Actor, channel: str, consent: bool) -> None:
        login_id, password = actor.sns.get(channel, ("", ""))
        screen = f"{CHANNEL_LABELS.get(channel, channel)} 로그인 화면"
        if consent:
            page.locator('input[name="login_id"]').fill(login_id)
            page.locator('input[name="password"]').fill(password)
            self._press(page, page.get_by_role("button", name="동의하고 계속하기"), screen)
        else:
            self._press(page, page.get_by_role("button", name="취소"), screen)
        page.wait_for_load_state()
        if not self._on_site(page):
            raise Refused(self._alerts(page) or "SNS 로그인 화면에서 더 진행할 수 없습니다.", "provider_page")
        self._refused_if_alert(page)

    def _latest_code(self, phone: str) -> str:
        return self.control.get(f"/control/sms/{phone}").json()["latest_code"] or ""

    def _pass(self, page: Page, person: Actor, carrier: str | None, wrong_code: bool) -> None:
        page.get_by_label(carrier or person.carrier, exact=True).check()
        self._press(page, page.get_by_role("button", name="다음"), "휴대전화 본인인증 — 통신사 선택")
        page.get_by_label("이름", exact=True).fill(person.name)
        page.get_by_label("생년월일 8자리").fill(person.birth_date.strftime("%Y%m%d"))
        page.get_by_label("휴대폰번호").fill(person.phone)
        page.locator('input[name="agree"]').check()
        self._press(page, page.get_by_role("button", name="인증번호 받기"), "휴대전화 본인인증 — 본인 정보 입력")
        page.wait_for_load_state()
        if page.get_by_label("인증번호").count() == 0:
            raise Refused(self._alerts(page) or "휴대전화 본인인증을 진행할 수 없습니다.", "provider_page")
        code = self._latest_code(person.phone)
        if wrong_code:
            code = f"{(int(code) + 1) % 1_000_000:06d}"
        page.get_by_label("인증번호").fill(code)
        self._press(page, page.get_by_role("button", name=_exact("확인")), "휴대전화 본인인증 — 인증번호 입력")
        page.wait_for_load_state()
        if not self._on_site(page):
            raise Refused(self._alerts(page) or "휴대전화 본인인증에 실패했습니다.", "provider_page")

    def _card(self, page: Page, person: Actor, company: str | None, method: str | None, deny: bool) -> None:
        company = company or (person.cards[0] if person.cards else "국민")
        page.get_by_label(f"{company}카드", exact=True).check()
        self._press(page, page.get_by_role("button", name="다음"), "신용카드 본인인증 — 카드사 선택")
        page.get_by_label(method or "앱카드", exact=True).check()
        self._press(page, page.get_by_role("button", name="다음"), "신용카드 본인인증 — 인증 방법 선택")
        page.get_by_label("이름", exact=True).fill(person.name)
        page.get_by_label("생년월일 8자리").fill(person.birth_date.strftime("%Y%m%d"))
        page.get_by_label("휴대폰번호").fill(person.phone)
        self._press(page, page.get_by_role("button", name="인증 요청"), "신용카드 본인인증 — 본인 정보 입력")
        page.wait_for_load_state()
        if page.get_by_role("button", name="승인").count() == 0:
            raise Refused(self._alerts(page) or "신용카드 인증을 진행할 수 없습니다.", "provider_page")
        self._press(page, page.get_by_role("button", name="거절" if deny else "승인"), "신용카드 본인인증 — 승인")
        page.wait_for_load_state()
        if not self._on_site(page):
            raise Refused(self._alerts(page) or "신용카드 인증에 실패했습니다.", "provider_page")

    def _phone_app(self, actor: Actor, person: Actor, deny: bool) -> None:
        """The 간편인증 app on the person's phone (a second page in the same hands)."""
        app = self.contexts[actor.alias].new_page()
        try:
            app.goto(f"{self.base}/simple-auth/app?{urlencode({'phone': person.phone})}")
            button = app.get_by_role("button", name="거절" if deny else "승인")
            if button.count() == 0:
                raise Refused("휴대폰 앱에 간편인증 요청이 없습니다.", "provider_page")
            self._press(app, button.first, "간편인증 앱 (휴대폰)")
            app.wait_for_load_state()
        finally:
            app.close()

    def _simple(self, page: Page, actor: Actor, person: Actor, app: str | None, deny: bool, group: str) -> None:
        self._main(page).get_by_role("group", name=group).get_by_label(app or "카카오", exact=True).check()
        self._fill(page, "이름", person.name)
        self._fill(page, "생년월일", person.birth_date.strftime("%Y%m%d"))
        self._fill(page, "휴대폰번호", person.phone)
        self._click(page, "인증 요청")
        self._refused_if_alert(page)
        self._phone_app(actor, person, deny)
        self._click(page, "인증 완료")

    def _verification(self, page: Page, actor: Actor, method: str, option: str | None, *, buttons: dict[str, str],
                      card_method: str | None = None, deny: bool = False, wrong_code: bool = False,
                      person: Actor | None = None) -> None:
        person = person or actor
        self._click(page, buttons[method])
        self._refused_if_alert(page)
        if method == "간편인증":
            self._simple(page, actor, person, option, deny, "인증서 선택")
        elif method in ("휴대전화", "휴대폰"):
            self._pass(page, person, option, wrong_code)
        else:
            self._card(page, person, option, card_method, deny)
        self._refused_if_alert(page)

    def _certificate_dialog(self, page: Page, actor: Actor, certificate_of: str, password: str | None) -> None:
        """The certificate plug-in: the wallet on this PC, the certificate, its password."""
        page.wait_for_load_state()
        if "/ca/dialog" not in page.url:  # the site decided without a certificate (or refused)
            self._refused_if_alert(page)
            return
        if "holder=" not in page.url:
            page.goto(page.url + "&" + urlencode({"holder": actor.alias}))
        if certificate_of not in actor.certificates:
            raise Refused("선택할 수 있는 기업 인증서가 없습니다.", "no_certificate")
        serial, own = actor.certificates[certificate_of]
        page.locator(f'input[name="serial"][value="{serial}"]').check()
        page.get_by_label("인증서 암호").fill(own if password is None else password)
        self._press(page, page.get_by_role("button", name="확인"), "인증서 선택 창")
        page.wait_for_load_state()
        if not self._on_site(page):
            page.wait_for_timeout(300)
        if not self._on_site(page):
            raise Refused(self._alerts(page) or "인증서로 서명하지 못했습니다.", "certificate_dialog")
        page.wait_for_load_state()
        self._refused_if_alert(page)

    # --- 회원가입 - 간편회원 ---------------------------------------------------------------

    def choose_simple_signup(self, actor: Actor, channel: str) -> None:
        page = self.page(actor)
        self._go(page, "signup")
        self._press(page, self._link(page, "간편회원 가입"))
        self._click(page, channel)
        actor.state["sns_channel"] = CHANNEL_CODES[channel]
        if self._on_site(page):
            self._refused_if_alert(page)

    def sns_login_at_provider(self, actor: Actor, *, consent: bool = True) -> None:
        self._sns(self.page(actor), actor, actor.state["sns_channel"], consent)

    def receive_foreign_sns_response(self, actor: Actor) -> None:
        other = self.browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul")
        try:
            stray = other.new_page()
            captured: list[str] = []
            stray.on("request", lambda r: captured.append(r.url) if urlsplit(r.url).path.endswith("/callback")
                     else None)
            stray.goto(self.base + self.site_profile.path("signup"))
            stray.get_by_role("link", name=_exact("간편회원 가입")).click()
            stray.get_by_role("button", name=_exact(CHANNEL_LABELS[actor.state["sns_channel"]])).click()
            login_id, password = actor.sns[actor.state["sns_channel"]]
            stray.locator('input[name="login_id"]').fill(login_id)
            stray.locator('input[name="password"]').fill(password)
            stray.get_by_role("button", name="동의하고 계속하기").click()
            stray.wait_for_load_state()
        finally:
            other.close()
        page = self.page(actor)
        page.goto(captured[0])
        self._refused_if_alert(page)

    def join_simple(self, actor: Actor, *, terms: bool, privacy: bool) -> None:
        page = self.page(actor)
        self._check(page, "홈페이지 이용약관 동의", terms)
        self._check(page, "개인정보수집동의", privacy)
        self._click(page, "가입하기")
        self._refused_if_alert(page)

    # --- 회원가입 - 일반회원 ---------------------------------------------------------------

    def start_general_signup(self, actor: Actor) -> None:
        page = self.page(actor)
        self._go(page, "signup")
        self._click(page, "일반회원 가입")
        self._refused_if_alert(page)

    def agree_terms(self, actor: Actor, *, terms: bool, privacy: bool) -> None:
        page = self.page(actor)
        self._check(page, "홈페이지 이용약관 동의", terms)
        self._check(page, "개인정보수집동의", privacy)
        self._click(page, "확인")
        self._refused_if_alert(page)

    def verify_real_name(self, actor: Actor, method: str, option: str | None = None, *,
                         card_method: str | None = None, deny: bool = False, wrong_code: bool = False) -> None:
        page = self.page(actor)
        if self._button(page, "휴대전화 본인인증").count() == 0:
            page.goto(self.base + "/signup/general/verify")
            self._refused_if_alert(page)
        self._verification(page, actor, method, option, card_method=card_method, deny=deny, wrong_code=wrong_code,
                           buttons=SIGNUP_VERIFICATION_BUTTONS)

    def abandon_real_name(self, actor: Actor, method: str) -> None:
        page = self.page(actor)
        held: list[str] = []

        def hold(route: Route) -> None:
            """The provider's last answer sends the browser back to the site: keep that address,
            show a blank page instead (the way back never arrives)."""
            if route.request.method != "POST" or not route.request.is_navigation_request():
                route.fallback()
                return
            answer = route.fetch(max_redirects=0)
            back = urljoin(route.request.url, answer.headers.get("location", ""))
            if answer.status in (302, 303) and back.startswith(self.base) and any(p in back for p in RETURN_PARAMETERS):
                held.append(back)
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=HELD_PAGE)
            else:
                route.fulfill(response=answer)

        page.route("**/*", hold)
        try:
            self.start_general_signup(actor)
            self.agree_terms(actor, terms=True, privacy=True)
            try:
                self._verification(page, actor, method, None, buttons=SIGNUP_VERIFICATION_BUTTONS)
            except Refused:
                if not held:  # refused at the provider, not held on the way back
                    raise
        finally:
            page.unroute("**/*", hold)
        if not held:
            raise Refused("본인인증 창이 사이트로 돌아가는 주소를 찾지 못했습니다.", "no_return")
        actor.state["abandoned_verification"] = held[0]

    def present_real_name_of(self, actor: Actor, other: Actor) -> None:
        page = self.page(actor)
        page.goto(other.state["abandoned_verification"])
        page.wait_for_load_state()
        self._refused_if_alert(page)

    def search_company(self, actor: Actor, bizno: str) -> dict:
        page = self.page(actor)
        if self._button(page, "검색").count() == 0:
            self._go(page, "affiliation")
            if self._button(page, "검색").count() == 0:
                raise Refused(self._alerts(page) or "로그인이 필요합니다.", "login_required")
        self._fill(page, "사업자등록번호", bizno)
        self._click(page, "검색")
        self._refused_if_alert(page)
        found = self._kv(self._main(page).get_by_role("table", name="검색된 기업"))
        guidance = self._status(page)
        outcome = next((code for phrase, code in GUIDANCE.items() if phrase in guidance), "")
        return {"outcome": outcome, "name": found.get("기업명", ""), "guidance": guidance}

    def submit_member_info(self, actor: Actor, info: MemberInfo) -> dict:
        page = self.page(actor)
        if self._field(page, "아이디").count() == 0:
            page.goto(self.base + "/signup/general/info")
            self._refused_if_alert(page)
        if info.company is not None:
            if self._field(page, "사업자등록번호").input_value() != info.company.bizno:
                self._fill(page, "사업자등록번호", info.company.bizno)
            if info.company.certificate_of is not None:
                self._click(page, "기업인증하기")
                self._certificate_dialog(page, actor, info.company.certificate_of, None)
            else:
                self._fill(page, "승인비밀번호", info.company.approval_password or "")
        self._fill(page, "아이디", info.user_id)
        self._fill(page, "비밀번호", info.password)
        self._fill(page, "비밀번호 확인", info.password_confirm)
        self._fill(page, "이메일", info.email)
        for label, values in info.interests.items():
            self._fill(page, label, ", ".join(values))
        self._click(page, "가입하기")
        self._refused_if_alert(page)
        actor.user_id, actor.password = info.user_id, info.password
        return {"아이디": info.user_id}

    # --- 로그인 ------------------------------------------------------------------------

    def login(self, actor: Actor, user_id: str, password: str) -> None:
        page = self.page(actor)
        self._go(page, "login", "?tab=general")
        self._fill(page, "아이디", user_id)
        self._fill(page, "비밀번호", password)
        self._click(page, "로그인")
        self._refused_if_alert(page)

    def login_simple(self, actor: Actor, channel: str) -> None:
        page = self.page(actor)
        self._go(page, "login", "?tab=simple")
        self._click(page, CHANNEL_LABELS.get(channel, channel))
        self._sns(page, actor, CHANNEL_CODES.get(channel, channel), True)

    def menu(self, actor: Actor) -> dict:
        page = self.page(actor)
        if not self._on_site(page) or page.url == "about:blank":
            self._go(page, "home")
        else:
            page.reload()
        nav = page.get_by_role("navigation", name="회원 메뉴")
        items = [t.strip() for t in nav.locator("li").all_inner_texts() if t.strip()]
        result: dict[str, Any] = {"menu": [i for i in items if i in ("mykotra", "로그아웃", "로그인", "회원가입")]}
        for key, selector in (("회원유형", "#member-type"), ("가입채널", "#member-channel"), ("이름", "#member-name")):
            if page.locator(selector).count():
                result[key] = page.locator(selector).inner_text().strip()
        return result

    def logout(self, actor: Actor) -> None:
        page = self.page(actor)
        if not self._on_site(page) or page.url == "about:blank":
            self._go(page, "home")
        button = page.get_by_role("navigation", name="회원 메뉴").get_by_role("button", name="로그아웃")
        if button.count():
            self._press(page, button)
            page.wait_for_load_state()

    def copy_session(self, actor: Actor) -> None:
        self.page(actor)
        actor.state["copied_cookies"] = self.contexts[actor.alias].cookies()

    def restore_copied_session(self, actor: Actor) -> None:
        context = self.page(actor).context
        context.clear_cookies()
        context.add_cookies(actor.state["copied_cookies"])

    def profile(self, actor: Actor) -> dict:
        page = self.page(actor)
        self._go(page, "mykotra")
        info = self._kv(self._main(page).get_by_role("table", name="회원정보"))
        company = page.locator("#my-company")
        if company.count():
            info["소속기업"] = company.inner_text().strip()
            match = re.search(r"\((\d{10})\)", company.locator("xpath=..").inner_text())
            if match:
                info["소속기업 사업자등록번호"] = match.group(1)
        return info

    # --- mykotra ------------------------------------------------------------------------

    def join_company(self, actor: Actor, proof: CompanyProof) -> None:
        page = self.page(actor)
        self._go(page, "affiliation")
        self._refused_if_alert(page)
        self._fill(page, "사업자등록번호", proof.bizno)
        self._click(page, "검색")
        self._refused_if_alert(page)
        if proof.certificate_of is not None:
            self._click(page, "기업인증하기")
            self._certificate_dialog(page, actor, proof.certificate_of, None)
        else:
            self._fill(page, "승인비밀번호", proof.approval_password or "")
            self._click(page, "소속기업 등록")
        self._refused_if_alert(page)

    def apply_service(self, actor: Actor, service: str) -> dict:
        page = self.page(actor)
        page.goto(self.base + SERVICE_PATHS[service])
        self._refused_if_alert(page)
        self._main(page).locator("textarea").first.fill(f"{service} 신청합니다.")
        self._click(page, "신청하기")
        self._refused_if_alert(page)
        return {"서비스": service, "안내": self._status(page)}

    def use_mileage(self, actor: Actor, points: int) -> int:
        page = self.page(actor)
        self._go(page, "mileage")
        self._refused_if_alert(page)
        self._fill(page, "사용할 마일리지", str(points))
        self._fill(page, "사용 목적", "서비스 마일리지 사용")
        self._click(page, "사용하기")
        self._refused_if_alert(page)
        return int(page.locator("#mileage-balance").inner_text())

    def member_edit_company(self, actor: Actor, changes: dict, *, with_certificate: bool) -> None:
        bizno = self.profile(actor).get("소속기업 사업자등록번호", "") if with_certificate else ""
        page = self.page(actor)
        self._go(page, "company_edit_member")
        self._refused_if_alert(page)
        self._fill(page, "주소", changes["address"])
        if with_certificate:
            self._click(page, "기업인증하기")
            self._certificate_dialog(page, actor, bizno, None)
        else:
            self._click(page, "기업정보 수정")
        self._refused_if_alert(page)

    def _colleagues(self, actor: Actor, field_id: str, button: str, user_id: str) -> None:
        page = self.page(actor)
        self._go(page, "colleagues")
        self._refused_if_alert(page)
        if page.locator(f"#{field_id}").count() == 0:
            raise Refused("이 서비스를 이용할 수 없습니다.", "no_form")
        page.locator(f"#{field_id}").first.fill(user_id)
        self._click(page, button)
        self._refused_if_alert(page)

    def approve_colleague(self, actor: Actor, user_id: str) -> None:
        page = self.page(actor)
        self._go(page, "colleagues")
        label = "정회원 승인" if self._button(page, "정회원 승인").count() else "승인"
        self._colleagues(actor, "approve-user", label, user_id)

    def transfer_master(self, actor: Actor, user_id: str) -> None:
        self._colleagues(actor, "master-user", "MASTER 권한 넘기기", user_id)

    def release_relation(self, actor: Actor, user_id: str) -> None:
        self._colleagues(actor, "release-user", "관계 해지", user_id)

    def my_participation(self, actor: Actor) -> dict:
        page = self.page(actor)
        self._go(page, "mykotra")
        history = self._main(page).get_by_role("table", name="서비스 참여이력")
        rows = self._table(history) if history.count() else []
        return {"참여이력": rows, "마일리지": int(page.locator("#mileage-balance").inner_text())}

    # --- 기업정보 등록 -------------------------------------------------------------------

    def start_company_registration(self, actor: Actor, *, terms: bool, privacy: bool) -> None:
        page = self.page(actor)
        self._go(page, "mykotra")
        self._refused_if_alert(page)
        link = self._link(page, "기업정보 등록")
        if link.count() == 0:
            page.goto(self.base + "/company/register")
        else:
            self._press(page, link)
        self._refused_if_alert(page)
        self._check(page, "홈페이지 이용약관 동의", terms)
        self._check(page, "개인정보수집동의", privacy)
        self._click(page, "확인")
        self._refused_if_alert(page)

    def enter_bizno(self, actor: Actor, bizno: str) -> dict:
        page = self.page(actor)
        self._fill(page, "사업자등록번호", bizno)
        self._click(page, "조회")
        self._refused_if_alert(page)
        title = self._main(page).locator("#found-title").inner_text().strip()
        found = self._kv(self._main(page).get_by_role("table", name="조회된 기업정보")) \
            if title != "신규기업 등록" else {}
        outcome = "not_found" if title == "신규기업 등록" else "directory"
        guidance = self._main(page).locator("#found-title").locator("xpath=..").inner_text()
        return {"outcome": outcome, "name": found.get("기업명", ""), "guidance": guidance}

    def authenticate_with_certificate(self, actor: Actor, certificate_of: str, password: str) -> None:
        page = self.page(actor)
        self._click(page, "기업인증하기")
        self._refused_if_alert(page)
        self._certificate_dialog(page, actor, certificate_of, password)

    def intercept_certificate_answer(self, actor: Actor, certificate_of: str) -> None:
        page = self.page(actor)
        held: list[str] = []

        def hold(route: Route) -> None:  # the signed answer is caught on its way to the site
            held.append(route.request.post_data or "")
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=HELD_PAGE)

        page.route(CERTIFICATE_RETURN, hold)
        try:
            self._click(page, "기업인증하기")
            self._refused_if_alert(page)
            try:
                self._certificate_dialog(page, actor, certificate_of, None)
            except Refused:
                if not held:
                    raise
        finally:
            page.unroute(CERTIFICATE_RETURN, hold)
        if not held:
            raise Refused("인증서 대화상자의 응답을 가로채지 못했습니다.", "no_answer")
        actor.state["intercepted_certificate"] = (certificate_of, held[0])
        page.goto(self.base + "/company/register/auth")  # the member comes back to STEP2 and tries again

    def authenticate_with_intercepted_answer(self, actor: Actor) -> None:
        certificate_of, intercepted = actor.state["intercepted_certificate"]
        page = self.page(actor)

        def substitute(route: Route) -> None:
            route.continue_(post_data=intercepted)

        page.route(CERTIFICATE_RETURN, substitute)
        try:
            self._click(page, "기업인증하기")
            self._refused_if_alert(page)
            self._certificate_dialog(page, actor, certificate_of, None)
        finally:
            page.unroute(CERTIFICATE_RETURN, substitute)

    def enter_company_info(self, actor: Actor, form: CompanyForm) -> dict:
        page = self.page(actor)
        if self._field(page, "기업 로그인 비밀번호").count() == 0:
            page.goto(self.base + "/company/register/info")
            self._refused_if_alert(page)
        self._fill(page, "기업 로그인 비밀번호", form.admin_password)
        self._fill(page, "기업 로그인 비밀번호 확인", form.admin_password)
        self._fill(page, "승인 비밀번호", form.approval_password)
        self._fill(page, "승인 비밀번호 확인", form.approval_password)
        if self._field(page, "기업명").count():
            self._fill(page, "기업명", form.name)
            self._fill(page, "대표자명", form.representative)
            self._fill(page, "주소", form.address)
            if form.scan_name:
                self._field(page, "사업자등록증 첨부").set_input_files(
                    {"name": form.scan_name, "mimeType": "application/octet-stream", "buffer": form.scan_data or b""})
        self._click(page, "다음")
        self._refused_if_alert(page)
        return {"name": form.name}

    # --- 기업정보 관리자 -----------------------------------------------------------------

    def company_login(self, actor: Actor, bizno: str, password: str) -> None:
        page = self.page(actor)
        self._go(page, "login", "?tab=company")
        self._fill(page, "사업자등록번호", bizno)
        self._fill(page, "비밀번호", password)
        self._click(page, "로그인")
        self._refused_if_alert(page)
        actor.state["company_admin"] = True

    def company_certificate_login(self, actor: Actor, bizno: str, certificate_of: str) -> None:
        page = self.page(actor)
        self._go(page, "login", "?tab=certificate")
        self._fill(page, "사업자등록번호", bizno)
        self._click(page, "로그인")
        self._refused_if_alert(page)
        self._certificate_dialog(page, actor, certificate_of, None)
        actor.state["company_admin"] = True

    def company_authenticate(self, actor: Actor) -> None:
        page = self.page(actor)
        self._go(page, "mykotra")
        bizno = self.company_info(actor)["사업자등록번호"].replace("-", "")
        self._click(page, "기업인증")
        self._refused_if_alert(page)
        self._certificate_dialog(page, actor, bizno, None)

    def edit_company(self, actor: Actor, changes: dict) -> None:
        page = self.page(actor)
        self._go(page, "company_admin_edit")
        self._refused_if_alert(page)
        self._fill(page, "주소", changes["address"])
        self._click(page, "기업정보 변경")
        self._refused_if_alert(page)

    def company_info(self, actor: Actor) -> dict:
        page = self.page(actor)
        self._go(page, "mykotra")
        self._refused_if_alert(page)
        return self._kv(self._main(page).locator("table").first)

    def change_approval_password(self, actor: Actor, new: str, confirm: str) -> str:
        page = self.page(actor)
        self._go(page, "mykotra")
        self._fill(page, "새 승인 비밀번호", new)
        self._fill(page, "새 승인 비밀번호 확인", confirm)
        self._click(page, "승인비밀번호 변경")
        self._refused_if_alert(page)
        return self._status(page)

    def employees(self, actor: Actor) -> list[dict]:
        page = self.page(actor)
        self._go(page, "mykotra")
        table = page.locator("#employees")
        return self._table(table) if table.count() else []

    def release_employee(self, actor: Actor, user_id: str) -> None:
        page = self.page(actor)
        self._go(page, "mykotra")
        button = self._main(page).get_by_role("button", name=re.compile(rf"^관계 해지: .*\({re.escape(user_id)}\)$"))
        if button.count() == 0:
            raise Refused("해당 아이디의 소속직원이 없습니다.", "employee_unknown")
        self._submit(page, button)
        self._refused_if_alert(page)

    def company_participation(self, actor: Actor) -> dict:
        page = self.page(actor)
        self._go(page, "mykotra")
        history = self._main(page).get_by_role("table", name="서비스 참여이력")
        rows = self._table(history) if history.count() else []
        return {"참여이력": rows, "마일리지": int(page.locator("#mileage-balance").inner_text())}

    # --- 아이디 찾기 / 비밀번호 재설정 -----------------------------------------------------

    def find_id(self, actor: Actor, method: str, *, name: str | None = None, phone: str | None = None,
                email: str | None = None, app: str | None = None) -> list[dict]:
        page = self.page(actor)
        tab = {"휴대폰": "phone", "이메일": "email", "간편인증": "simple"}[method]
        self._go(page, "find_id", f"?tab={tab}")
        if method == "간편인증":
            self._simple(page, actor, actor, app, False, "선호하는 SNS 혹은 금융인증서")
        else:
            self._fill(page, "이름", name or actor.name)
            if method == "휴대폰":
                self._fill(page, "휴대폰번호", phone or actor.phone)
            else:
                self._fill(page, "이메일", email or actor.email)
            self._click(page, "조회")
        self._refused_if_alert(page)
        return self._table(page.locator("#found-ids"))

    def start_password_reset(self, actor: Actor, user_id: str, name: str) -> None:
        page = self.page(actor)
        self._go(page, "password_reset")
        self._fill(page, "아이디", user_id)
        self._fill(page, "회원명", name)
        self._click(page, "확인")
        self._refused_if_alert(page)

    def verify_for_reset(self, actor: Actor, method: str, *, verifier: Actor | None = None) -> None:
        page = self.page(actor)
        self._verification(page, actor, method, None, person=verifier,
                           buttons={"간편인증": "간편인증", "휴대폰": "휴대폰", "휴대전화": "휴대폰", "신용카드": "신용카드"})

    def save_new_password(self, actor: Actor, new: str, confirm: str) -> None:
        page = self.page(actor)
        if self._field(page, "변경 비밀번호").count() == 0:
            self._go(page, "password_reset_new")
            self._refused_if_alert(page)
        self._fill(page, "변경 비밀번호", new)
        self._fill(page, "변경 비밀번호 확인", confirm)
        self._click(page, "저장하기")
        self._refused_if_alert(page)

    # --- 기존 회원 전환 ------------------------------------------------------------------

    def existing_member_info(self, actor: Actor) -> dict:
        return self._kv(self._main(self.page(actor)).locator("table").first)

    def confirm_existing(self, actor: Actor, *, is_me: bool) -> None:
        page = self.page(actor)
        self._click(page, "본인 맞음" if is_me else "본인 아님")
        self._refused_if_alert(page)

    def conversion_password(self, actor: Actor, new: str, confirm: str) -> None:
        page = self.page(actor)
        self._fill(page, "비밀번호", new)
        self._fill(page, "비밀번호 확인", confirm)
        self._click(page, "확인")
        self._refused_if_alert(page)

    def conversion_consent(self, actor: Actor, *, terms: bool, privacy: bool) -> dict:
        page = self.page(actor)
        self._check(page, "홈페이지 이용약관 동의", terms)
        self._check(page, "개인정보수집동의", privacy)
        self._click(page, "확인")
        self._refused_if_alert(page)
        return {"offer_company": page.locator("#offer-company").count() > 0}


__all__ = ["LAUNCH_ARGS", "PlaywrightDriver", "PlaywrightTimeout"]
