"""The in-process driver: KOTRA's side as calls on the simulator's services, and the member's
side of every provider ceremony (SNS login page, PASS window and SMS, card window, 간편인증
app, certificate dialog) done in a small HTTP "browser" against the fake providers' pages.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from simulator.domain.errors import Refusal
from simulator.service_layer import (
    affiliation,
    auth,
    certificates,
    company_admin,
    company_registration,
    member_services,
    migration,
    recovery,
    signup,
)
from simulator.service_layer.company_registration import CompanyDetails, Scan
from simulator.service_layer.ports import PresentedCertificate
from ti24.embedded import Embedded

from .driver import Actor, CompanyForm, CompanyProof, MemberInfo, Refused
from .htmlform import Page, parse

T = TypeVar("T")

CHANNELS = {"카카오": "kakao", "네이버": "naver", "구글": "google", "페이스북": "facebook"}
REAL_NAME = {"간편인증": "simple", "휴대전화": "phone", "휴대폰": "phone", "신용카드": "card"}
RETURN_PARAMETER = {"phone": "identityVerificationId", "card": "imp_uid"}  # how each window hands back its id
SESSION_KEYS = ("token", "company_token")


@contextmanager
def refusals() -> Iterator[None]:
    """Whatever the simulator refuses reaches the steps as Refused."""
    try:
        yield
    except Refusal as refusal:
        raise Refused(refusal.message, refusal.code) from refusal


def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with refusals():
        return fn(*args, **kwargs)


def _token(actor: Actor, key: str = "token") -> str:
    return actor.state.get(key) or ""


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Browser:
    """The member's browser at the providers' pages: follows redirects inside the providers and
    stops at the first redirect back to the site, like a person returning to KOTRA."""

    def __init__(self, client: httpx.Client, site_url: str) -> None:
        self.client = client
        self.site_url = site_url

    def _follow(self, response: httpx.Response) -> Page | str:
        while response.is_redirect:
            target = str(response.url.join(response.headers["location"]))
            if target.startswith(self.site_url):
                return target
            response = self.client.get(target)
        return parse(str(response.url), response.status_code, response.text)

    def open(self, url: str) -> Page | str:
        return self._follow(self.client.get(url))

    def submit(self, page: Page, containing: str | None = None, **values: str) -> Page | str:
        form = page.form(containing)
        data = form.filled(**values)
        if form.method == "post":
            return self._follow(self.client.post(page.action(form), data=data))
        return self._follow(self.client.get(page.action(form), params=data))

    @staticmethod
    def expect_page(result: Page | str) -> Page:
        if isinstance(result, str):
            raise AssertionError(f"expected a page, was sent back to the site: {result}")
        return result

    @staticmethod
    def back_at_site(result: Page | str) -> str:
        """The URL the provider sent the member back to, or the provider's refusal as Refused."""
        if isinstance(result, str):
            return result
        raise Refused(result.alert or "외부 기관 화면에서 더 진행할 수 없습니다.", "provider_page")


class InProcessDriver:
    def __init__(self, embedded: Embedded) -> None:
        self.e = embedded
        self.ctx = embedded.ctx
        self.site = embedded.site_url
        self.providers = embedded.providers_url

    def _browser(self, actor: Actor) -> Browser:
        if "browser" not in actor.state:
            actor.state["browser"] = Browser(self.e.browser(), self.site)
        return actor.state["browser"]

    # --- the member's side of provider ceremonies ---------------------------------------

    def _sns_round_trip(self, actor: Actor, request: Any, *, consent: bool) -> dict[str, str]:
        browser = self._browser(actor)
        page = browser.open(request.url)
        if isinstance(page, str):
            return _query(page)
        if page.status >= 400:
            raise Refused(page.alert or "SNS 로그인 화면을 열 수 없습니다.", "provider_page")
        login_id, password = actor.sns.get(request.channel, ("", ""))
        if consent:
            result = browser.submit(page, "login_id", login_id=login_id, password=password, action="agree")
        else:
            result = browser.submit(page, "login_id", action="cancel")
        return _query(browser.back_at_site(result))

    def _pass(self, actor: Actor, start_url: str, carrier: str | None, wrong_code: bool) -> str:
        browser = self._browser(actor)
        page = browser.expect_page(browser.open(start_url))
        page = browser.expect_page(browser.submit(page, "carrier", carrier=carrier or actor.carrier))
        page = browser.expect_page(browser.submit(page, "name", name=actor.name, phone=actor.phone,
                                                  birth_date=actor.birth_date.strftime("%Y%m%d"), agree="on"))
        if page.alert:
            raise Refused(page.alert, "provider_page")
        code = self._latest_code(actor.phone)
        if wrong_code:
            code = f"{(int(code) + 1) % 1_000_000:06d}"
        return browser.back_at_site(browser.submit(page, "code", code=code))

    def _card(self, actor: Actor, start_url: str, company: str | None, method: str | None, deny: bool) -> str:
        browser = self._browser(actor)
        page = browser.expect_page(browser.open(start_url))
        page = browser.expect_page(browser.submit(page, "company",
                                                  company=company or (actor.cards[0] if actor.cards else "국민")))
        page = browser.expect_page(browser.submit(page, "method", method=method or "앱카드"))
        page = browser.expect_page(browser.submit(page, "name", name=actor.name, phone=actor.phone,
                                                  birth_date=actor.birth_date.strftime("%Y%m%d")))
        if page.alert:
            raise Refused(page.alert, "provider_page")
        return browser.back_at_site(browser.submit(page, "action", action="deny" if deny else "approve"))

    def _approve_in_app(self, actor: Actor, receipt: str, deny: bool) -> None:
        browser = self._browser(actor)
        page = browser.expect_page(browser.open(f"{self.providers}/simple-auth/app?{urlencode({'phone': actor.phone})}"))
        form = next((f for f in page.forms if f.action.endswith(receipt)), None)
        if form is None:
            raise Refused("휴대폰 앱에 간편인증 요청이 없습니다.", "provider_page")
        browser.client.post(page.action(form), data=form.filled(action="deny" if deny else "approve"))

    def _latest_code(self, phone: str) -> str:
        answer = self._control().get(f"/control/sms/{phone}").json()
        return answer["latest_code"] or ""

    def _verify(self, actor: Actor, method: str, option: str | None, *, card_method: str | None = None,
                deny: bool = False, wrong_code: bool = False,
                begin: Callable[..., Any], request_simple: Callable[..., Any], verify: Callable[..., Any],
                verifier: Actor | None = None) -> None:
        """One real-name verification, as the member (or ``verifier``, in their place) does it."""
        person = verifier or actor
        if method == "simple":
            started = _call(request_simple, option or "카카오", person.name, person.birth_date, person.phone)
            self._approve_in_app(person, started.id, deny)
            _call(verify, "simple", started.id)
            return
        started = _call(begin, method, f"{self.site}/verification/return")
        if method == "phone":
            back = self._pass(person, started.auth_url, option, wrong_code)
            _call(verify, "phone", _query(back).get(RETURN_PARAMETER["phone"], ""))
        else:
            back = self._card(person, started.auth_url, option, card_method, deny)
            _call(verify, "card", _query(back).get(RETURN_PARAMETER["card"], ""))

    def _present(self, actor: Actor, certificate_of: str, password: str | None = None) -> tuple[str, PresentedCertificate]:
        """The certificate dialog: choose the certificate, type its password, sign the challenge."""
        if certificate_of not in actor.certificates:
            raise Refused("선택할 수 있는 기업 인증서가 없습니다.", "no_certificate")
        serial, own_password = actor.certificates[certificate_of]
        challenge_id, nonce = _call(certificates.issue_challenge, self.ctx)
        browser = self._browser(actor)
        params = {"challenge": base64.urlsafe_b64encode(nonce).decode().rstrip("="), "bizno": certificate_of,
                  "return": f"{self.site}/certificate/return", "holder": actor.alias}
        page = browser.expect_page(browser.open(f"{self.providers}/ca/dialog?{urlencode(params)}"))
        result = browser.expect_page(browser.submit(page, "password", serial=serial, action="ok",
                                                    password=own_password if password is None else password))
        posted = result.form("certificate") if any("certificate" in f.fields for f in result.forms) else None
        if posted is None:
            raise Refused(result.alert or "인증서로 서명하지 못했습니다.", "certificate_dialog")
        fields = posted.fields
        return challenge_id, PresentedCertificate(base64.b64decode(fields["certificate"]),
                                                  base64.b64decode(fields["signature"]),
                                                  base64.b64decode(fields["random_num"]))

    def _control(self) -> httpx.Client:
        return self.e.browser()

    # --- 회원가입 - 간편회원 ---------------------------------------------------------------

    def choose_simple_signup(self, actor: Actor, channel: str) -> None:
        flow, request = _call(signup.start_simple, self.ctx, CHANNELS[channel])
        actor.state.update(simple_flow=flow, sns_request=request)

    def sns_login_at_provider(self, actor: Actor, *, consent: bool = True) -> None:
        params = self._sns_round_trip(actor, actor.state["sns_request"], consent=consent)
        _call(signup.sns_returned, self.ctx, actor.state["simple_flow"], code=params.get("code"),
              state=params.get("state", ""), error=params.get("error"))

    def receive_foreign_sns_response(self, actor: Actor) -> None:
        _, other_request = _call(signup.start_simple, self.ctx, actor.state["sns_request"].channel)
        params = self._sns_round_trip(actor, other_request, consent=True)
        _call(signup.sns_returned, self.ctx, actor.state["simple_flow"], code=params.get("code"),
              state=params.get("state", ""))

    def join_simple(self, actor: Actor, *, terms: bool, privacy: bool) -> None:
        _call(signup.finish_simple, self.ctx, actor.state["simple_flow"], terms=terms, privacy=privacy)

    # --- 회원가입 - 일반회원 ---------------------------------------------------------------

    def start_general_signup(self, actor: Actor) -> None:
        actor.state["signup_flow"] = _call(signup.start_general, self.ctx)

    def agree_terms(self, actor: Actor, *, terms: bool, privacy: bool) -> None:
        _call(signup.agree, self.ctx, actor.state["signup_flow"], terms=terms, privacy=privacy)

    def verify_real_name(self, actor: Actor, method: str, option: str | None = None, *,
                         card_method: str | None = None, deny: bool = False, wrong_code: bool = False) -> None:
        flow = actor.state["signup_flow"]
        self._verify(
            actor, REAL_NAME[method], option, card_method=card_method, deny=deny, wrong_code=wrong_code,
            begin=lambda m, url: signup.begin_real_name(self.ctx, flow, m, url),
            request_simple=lambda app, n, b, p: signup.request_simple_auth(self.ctx, flow, app, n, b, p),
            verify=lambda m, vid: signup.verify_real_name(self.ctx, flow, m, vid),
        )

    def abandon_real_name(self, actor: Actor, method: str) -> None:
        flow = _call(signup.start_general, self.ctx)
        _call(signup.agree, self.ctx, flow, terms=True, privacy=True)
        code = REAL_NAME[method]
        if code not in RETURN_PARAMETER:
            raise ValueError(f"'{method}' 본인인증은 사이트로 돌아오는 주소가 없습니다.")
        started = _call(signup.begin_real_name, self.ctx, flow, code, f"{self.site}/verification/return")
        back = (self._pass(actor, started.auth_url, None, False) if code == "phone"
                else self._card(actor, started.auth_url, None, None, False))
        actor.state["abandoned_verification"] = (code, _query(back).get(RETURN_PARAMETER[code], ""))

    def present_real_name_of(self, actor: Actor, other: Actor) -> None:
        method, verification_id = other.state["abandoned_verification"]
        _call(signup.verify_real_name, self.ctx, actor.state["signup_flow"], method, verification_id)

    def search_company(self, actor: Actor, bizno: str) -> dict:
        found = _call(affiliation.search, self.ctx, bizno)
        return {"outcome": found.outcome, "name": found.name, "guidance": found.guidance}

    def _choice(self, actor: Actor, proof: CompanyProof) -> signup.CompanyChoice:
        if proof.certificate_of is None:
            return signup.CompanyChoice(proof.bizno, approval_password=proof.approval_password)
        challenge_id, presented = self._present(actor, proof.certificate_of)
        return signup.CompanyChoice(proof.bizno, challenge_id=challenge_id, certificate=presented)

    def submit_member_info(self, actor: Actor, info: MemberInfo) -> dict:
        company = self._choice(actor, info.company) if info.company else None
        member = _call(signup.submit_info, self.ctx, actor.state.get("signup_flow", ""), user_id=info.user_id,
                       password=info.password, password_confirm=info.password_confirm, email=info.email,
                       interests=info.interests, company=company)
        actor.user_id, actor.password = info.user_id, info.password
        return {"회원유형": member.type_label, "아이디": member.user_id}

    # --- 로그인 ------------------------------------------------------------------------

    def login(self, actor: Actor, user_id: str, password: str) -> None:
        result = _call(auth.login_general, self.ctx, user_id, password)
        if result.conversion_flow:
            actor.state["conversion_flow"] = result.conversion_flow
        else:
            actor.state["token"] = result.token

    def login_simple(self, actor: Actor, channel: str) -> None:
        flow, request = _call(auth.start_simple_login, self.ctx, CHANNELS[channel])
        params = self._sns_round_trip(actor, request, consent=True)
        result = _call(auth.finish_simple_login, self.ctx, flow, code=params.get("code"),
                       state=params.get("state", ""), error=params.get("error"))
        actor.state["token"] = result.token

    def menu(self, actor: Actor) -> dict:
        token = actor.state.get("company_token") or actor.state.get("token")
        return auth.menu(self.ctx, token)

    def logout(self, actor: Actor) -> None:
        for key in SESSION_KEYS:
            if actor.state.get(key):
                _call(auth.logout, self.ctx, actor.state.pop(key))

    def copy_session(self, actor: Actor) -> None:
        actor.state["copied_session"] = {k: actor.state[k] for k in SESSION_KEYS if actor.state.get(k)}

    def restore_copied_session(self, actor: Actor) -> None:
        actor.state.update(actor.state["copied_session"])

    def profile(self, actor: Actor) -> dict:
        return _call(member_services.my_info, self.ctx, _token(actor))

    # --- mykotra ------------------------------------------------------------------------

    def join_company(self, actor: Actor, proof: CompanyProof) -> None:
        _call(affiliation.join, self.ctx, _token(actor), self._choice(actor, proof))

    def apply_service(self, actor: Actor, service: str) -> dict:
        return _call(member_services.apply, self.ctx, _token(actor), service)

    def use_mileage(self, actor: Actor, points: int) -> int:
        return _call(member_services.use_mileage, self.ctx, _token(actor), points, "서비스 마일리지 사용")

    def member_edit_company(self, actor: Actor, changes: dict, *, with_certificate: bool) -> None:
        token = _token(actor)
        challenge_id = presented = None
        bizno = self.profile(actor).get("소속기업 사업자등록번호", "")
        if with_certificate and bizno in actor.certificates:
            challenge_id, presented = self._present(actor, bizno)
        _call(member_services.edit_company, self.ctx, token, CompanyDetails(**changes), challenge_id, presented)

    def approve_colleague(self, actor: Actor, user_id: str) -> None:
        _call(member_services.approve_colleague, self.ctx, _token(actor), user_id)

    def transfer_master(self, actor: Actor, user_id: str) -> None:
        _call(member_services.transfer_master, self.ctx, _token(actor), user_id)

    def release_relation(self, actor: Actor, user_id: str) -> None:
        _call(member_services.release_relation, self.ctx, _token(actor), user_id)

    def my_participation(self, actor: Actor) -> dict:
        return _call(member_services.my_participation, self.ctx, _token(actor))

    # --- 기업정보 등록 -------------------------------------------------------------------

    def start_company_registration(self, actor: Actor, *, terms: bool, privacy: bool) -> None:
        actor.state["company_flow"] = _call(company_registration.start, self.ctx, _token(actor))
        _call(company_registration.agree, self.ctx, actor.state["company_flow"], terms=terms, privacy=privacy)

    def enter_bizno(self, actor: Actor, bizno: str) -> dict:
        found = _call(company_registration.lookup, self.ctx, actor.state.get("company_flow", ""), bizno)
        return {"outcome": found.outcome, "name": found.name, "guidance": found.guidance}

    def authenticate_with_certificate(self, actor: Actor, certificate_of: str, password: str) -> None:
        challenge_id, presented = self._present(actor, certificate_of, password)
        _call(company_registration.authenticate, self.ctx, actor.state["company_flow"], challenge_id, presented)

    def enter_company_info(self, actor: Actor, form: CompanyForm) -> dict:
        scan = Scan(form.scan_name, form.scan_data or b"") if form.scan_name else None
        details = CompanyDetails(name=form.name, representative=form.representative, address=form.address)
        return _call(company_registration.submit, self.ctx, actor.state["company_flow"],
                     admin_password=form.admin_password, admin_password_confirm=form.admin_password,
                     approval_password=form.approval_password, approval_password_confirm=form.approval_password,
                     details=details, scan=scan)

    def intercept_certificate_answer(self, actor: Actor, certificate_of: str) -> None:
        _, presented = self._present(actor, certificate_of)  # a challenge issued and signed, never delivered
        actor.state["intercepted_certificate"] = (certificate_of, presented)

    def authenticate_with_intercepted_answer(self, actor: Actor) -> None:
        certificate_of, intercepted = actor.state["intercepted_certificate"]
        challenge_id, _ = self._present(actor, certificate_of)  # the dialog signs this request's challenge …
        _call(company_registration.authenticate, self.ctx, actor.state["company_flow"], challenge_id,
              intercepted)  # … but the intercepted answer arrives instead

    # --- 기업정보 관리자 -----------------------------------------------------------------

    def company_login(self, actor: Actor, bizno: str, password: str) -> None:
        actor.state["company_token"] = _call(company_admin.login_password, self.ctx, bizno, password)

    def company_certificate_login(self, actor: Actor, bizno: str, certificate_of: str) -> None:
        challenge_id, presented = self._present(actor, certificate_of)
        actor.state["company_token"] = _call(company_admin.login_certificate, self.ctx, bizno, challenge_id,
                                             presented)

    def company_authenticate(self, actor: Actor) -> None:
        bizno = self.company_info(actor)["사업자등록번호"].replace("-", "")
        challenge_id, presented = self._present(actor, bizno)
        _call(company_admin.authenticate, self.ctx, _token(actor, "company_token"), challenge_id, presented)

    def edit_company(self, actor: Actor, changes: dict) -> None:
        _call(company_admin.edit, self.ctx, _token(actor, "company_token"), CompanyDetails(**changes))

    def company_info(self, actor: Actor) -> dict:
        return _call(company_admin.company_info, self.ctx, _token(actor, "company_token"))

    def change_approval_password(self, actor: Actor, new: str, confirm: str) -> str:
        return _call(company_admin.change_approval_password, self.ctx, _token(actor, "company_token"), new, confirm)

    def employees(self, actor: Actor) -> list[dict]:
        return _call(company_admin.employees, self.ctx, _token(actor, "company_token"))

    def release_employee(self, actor: Actor, user_id: str) -> None:
        _call(company_admin.release, self.ctx, _token(actor, "company_token"), user_id)

    def company_participation(self, actor: Actor) -> dict:
        return _call(company_admin.participation, self.ctx, _token(actor, "company_token"))

    # --- 아이디 찾기 / 비밀번호 재설정 -----------------------------------------------------

    def find_id(self, actor: Actor, method: str, *, name: str | None = None, phone: str | None = None,
                email: str | None = None, app: str | None = None) -> list[dict]:
        if method == "휴대폰":
            return _call(recovery.find_id_by_phone, self.ctx, name or actor.name, phone or actor.phone)
        if method == "이메일":
            return _call(recovery.find_id_by_email, self.ctx, name or actor.name, email or actor.email)
        flow = _call(recovery.start_find_id_by_simple_auth, self.ctx, app or "카카오", actor.name,
                     actor.birth_date, actor.phone)
        receipt = self.ctx.db["flows"].get(flow)  # the app shows the request the site just made
        self._approve_in_app(actor, _pending_receipt(receipt), deny=False)
        return _call(recovery.find_id_by_simple_auth, self.ctx, flow)

    def start_password_reset(self, actor: Actor, user_id: str, name: str) -> None:
        actor.state["reset_flow"] = _call(recovery.start_reset, self.ctx, user_id, name)

    def verify_for_reset(self, actor: Actor, method: str, *, verifier: Actor | None = None) -> None:
        flow = actor.state.get("reset_flow", "")
        self._verify(
            actor, REAL_NAME[method], None, verifier=verifier,
            begin=lambda m, url: recovery.begin_identity(self.ctx, flow, m, url),
            request_simple=lambda app, n, b, p: recovery.request_simple_identity(self.ctx, flow, app, n, b, p),
            verify=lambda m, vid: recovery.verify_identity(self.ctx, flow, m, vid),
        )

    def save_new_password(self, actor: Actor, new: str, confirm: str) -> None:
        _call(recovery.save_password, self.ctx, actor.state.get("reset_flow", ""), new, confirm)

    # --- 기존 회원 전환 ------------------------------------------------------------------

    def existing_member_info(self, actor: Actor) -> dict:
        return _call(migration.existing_info, self.ctx, actor.state.get("conversion_flow", ""))

    def confirm_existing(self, actor: Actor, *, is_me: bool) -> None:
        _call(migration.confirm, self.ctx, actor.state.get("conversion_flow", ""), is_me=is_me)

    def conversion_password(self, actor: Actor, new: str, confirm: str) -> None:
        _call(migration.reset_password, self.ctx, actor.state.get("conversion_flow", ""), new, confirm)

    def conversion_consent(self, actor: Actor, *, terms: bool, privacy: bool) -> dict:
        result = _call(migration.consent, self.ctx, actor.state.get("conversion_flow", ""), terms=terms,
                       privacy=privacy)
        actor.state["token"] = result["token"]
        return {"offer_company": result["offer_company"]}


def _pending_receipt(flow_row: dict) -> str:
    import json

    return json.loads(flow_row["data"])["verification"]["id"]
