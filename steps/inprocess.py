"""The in-process driver: the member's actions as calls on the simulator's services, and
the member's side of every provider ceremony (SNS login page, SMS code, card app,
간편인증 app, certificate plug-in) performed against the in-process fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from fake_providers import cert_plugin
from fake_providers.people import ProviderError
from simulator.adapters.clock import KST
from simulator.adapters.inprocess_providers import InProcessSnsLogin
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
    seed,
    signup,
)
from simulator.service_layer.company_registration import CompanyDetails, Scan
from simulator.service_layer.ports import PresentedCertificate
from ti24.embedded import Embedded

from .driver import Actor, CompanyForm, CompanyProof, MemberInfo, Refused

T = TypeVar("T")

CHANNELS = {"카카오": "kakao", "네이버": "naver", "구글": "google", "페이스북": "facebook"}
REAL_NAME = {"간편인증": "simple", "휴대전화": "phone", "휴대폰": "phone", "신용카드": "card"}
STATUS_CODES = {"계속사업자": "01", "휴업자": "02", "폐업자": "03"}


@contextmanager
def refusals() -> Iterator[None]:
    """Whatever the simulator or a provider refuses reaches the steps as Refused."""
    try:
        yield
    except Refusal as refusal:
        raise Refused(refusal.message, refusal.code) from refusal
    except ProviderError as error:
        raise Refused(error.message, error.code) from error
    except cert_plugin.CertificatePasswordError as error:
        raise Refused(error.message, "certificate_password") from error


def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with refusals():
        return fn(*args, **kwargs)


def _token(actor: Actor, key: str = "token") -> str:
    return actor.state.get(key) or ""


class InProcessDriver:
    def __init__(self, embedded: Embedded) -> None:
        self.e = embedded
        self.ctx = embedded.ctx
        self.world = embedded.world

    # --- the member's side of provider ceremonies ---------------------------------------

    def _sns_round_trip(self, actor: Actor, request: Any, *, consent: bool) -> dict[str, str]:
        provider = self.world.sns[request.channel]
        account = actor.sns.get(request.channel)
        url = _call(provider.authorize, InProcessSnsLogin.authorize_params(request), account, consent)
        return InProcessSnsLogin.callback_params(url)

    def _real_name_transaction(self, actor: Actor, method: str, option: str | None, *,
                               card_method: str | None = None, deny: bool = False,
                               wrong_code: bool = False) -> str:
        site, name, birth, phone = self.world.site_code, actor.name, actor.birth_date, actor.phone
        with refusals():
            if method == "phone":
                txn = self.world.phone.start(site, option or actor.carrier, name, birth, phone)
                code = self.world.inbox.latest_code(phone) or ""
                if wrong_code:
                    code = f"{(int(code) + 1) % 1_000_000:06d}"
                self.world.phone.confirm(txn, code)
                return txn
            if method == "card":
                company = option or (actor.cards[0] if actor.cards else "국민")
                txn = self.world.card.start(site, company, card_method or "앱카드", name, birth, phone)
                (self.world.card.deny if deny else self.world.card.approve)(txn)
                return txn
            receipt = self.world.simple.request(site, option or "카카오", name, birth, phone)
            (self.world.simple.deny if deny else self.world.simple.approve)(receipt)
            return receipt

    def _present(self, actor: Actor, certificate_of: str, password: str | None = None) -> tuple[str, PresentedCertificate]:
        if certificate_of not in actor.certificates:
            raise Refused("선택할 수 있는 기업 인증서가 없습니다.", "no_certificate")
        bundle, own_password = actor.certificates[certificate_of]
        challenge_id, nonce = _call(certificates.issue_challenge, self.ctx)
        signed = _call(cert_plugin.sign_challenge, bundle, own_password if password is None else password, nonce)
        return challenge_id, PresentedCertificate(signed.certificate_der, signed.signature, signed.random_num)

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
        code = REAL_NAME[method]
        txn = self._real_name_transaction(actor, code, option, card_method=card_method, deny=deny,
                                          wrong_code=wrong_code)
        _call(signup.verify_real_name, self.ctx, actor.state["signup_flow"], code, txn)
        actor.state["real_name_done"] = True

    def search_company(self, actor: Actor, bizno: str) -> dict:
        found = _call(affiliation.search, self.ctx, bizno)
        actor.state["searched_bizno"] = found.bizno
        return {"outcome": found.outcome, "name": found.name, "guidance": found.guidance}

    def _choice(self, actor: Actor, proof: CompanyProof) -> signup.CompanyChoice:
        if proof.certificate_of is None:
            return signup.CompanyChoice(proof.bizno, approval_password=proof.approval_password)
        challenge_id, presented = self._present(actor, proof.certificate_of)
        return signup.CompanyChoice(proof.bizno, challenge_id=challenge_id, certificate=presented)

    def submit_member_info(self, actor: Actor, info: MemberInfo) -> dict:
        company = self._choice(actor, info.company) if info.company else None
        member = _call(signup.submit_info, self.ctx, actor.state["signup_flow"], user_id=info.user_id,
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
        for key in ("token", "company_token"):
            if actor.state.get(key):
                _call(auth.logout, self.ctx, actor.state.pop(key))

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

    # --- 기업정보 관리자 -----------------------------------------------------------------

    def company_login(self, actor: Actor, bizno: str, password: str) -> None:
        actor.state["company_token"] = _call(company_admin.login_password, self.ctx, bizno, password)

    def company_certificate_login(self, actor: Actor, bizno: str, certificate_of: str) -> None:
        challenge_id, presented = self._present(actor, certificate_of)
        actor.state["company_token"] = _call(company_admin.login_certificate, self.ctx, bizno, challenge_id,
                                             presented)

    def _company_bizno(self, actor: Actor) -> str:
        return _call(company_admin.company_info, self.ctx, _token(actor, "company_token"))["사업자등록번호"]

    def company_authenticate(self, actor: Actor) -> None:
        bizno = self._company_bizno(actor).replace("-", "")
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
        receipt = self._real_name_transaction(actor, "simple", app)
        return _call(recovery.find_id_by_simple_auth, self.ctx, receipt)

    def start_password_reset(self, actor: Actor, user_id: str, name: str) -> None:
        actor.state["reset_flow"] = _call(recovery.start_reset, self.ctx, user_id, name)

    def verify_for_reset(self, actor: Actor, method: str, *, verifier: Actor | None = None) -> None:
        code = REAL_NAME[method]
        txn = self._real_name_transaction(verifier or actor, code, None)
        _call(recovery.verify_identity, self.ctx, actor.state.get("reset_flow", ""), code, txn)

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


class InProcessSeeder:
    """Sets up the world: people at the providers, 국세청, certificates, (구) accounts, the date."""

    def __init__(self, embedded: Embedded) -> None:
        self.e = embedded

    def person(self, alias: str, **attrs: Any) -> Actor:
        person = self.e.world.people.new_person(name=alias, **attrs)
        return Actor(alias=alias, name=person.name, birth_date=person.birth_date, phone=person.phone,
                     email=person.email, carrier=person.carrier, cards=person.cards)

    def _person_of(self, actor: Actor) -> Any:
        found = self.e.world.people.find(actor.name, actor.birth_date, actor.phone)
        assert found is not None, f"{actor.alias} is not known to the providers"
        return found

    def update_person(self, actor: Actor, **attrs: Any) -> None:
        person = self.e.world.people.change(self._person_of(actor), **attrs)
        actor.carrier, actor.cards = person.carrier, person.cards

    def sns_account(self, actor: Actor, channel: str) -> None:
        account = self.e.world.sns[CHANNELS[channel]].create_account(self._person_of(actor))
        actor.sns[CHANNELS[channel]] = account.subject

    def directory_company(self, bizno: str, name: str) -> None:
        number = seed.directory_company(self.e.ctx, bizno, name, representative=f"{name} 대표",
                                        address="서울특별시 중구 세종대로 110")
        self.business_status(number, "계속사업자", name=name)

    def business_status(self, bizno: str, status: str, name: str = "") -> None:
        number = bizno.replace("-", "")
        nts = self.e.world.nts
        if nts.get(number) is not None:
            nts.remove(number)
        nts.add(number, name or "상호 미상", "대표자", STATUS_CODES[status],
                end_dt="20260101" if status == "폐업자" else "")

    def certificate(self, actor: Actor, product: str, bizno: str, password: str, condition: str = "") -> None:
        now = self.e.clock.now()
        kwargs: dict[str, Any] = {}
        if condition == "만료된":
            kwargs = {"not_before": now - timedelta(days=400), "not_after": now - timedelta(days=1)}
        elif condition == "아직 유효하지 않은":
            kwargs = {"not_before": now + timedelta(days=3), "not_after": now + timedelta(days=368)}
        elif condition == "사설 CA가 발급한":
            kwargs = {"untrusted": True}
        bundle = self.e.world.cas.issue(product, bizno=bizno, holder_name=actor.name, password=password, **kwargs)
        if condition == "폐지된":
            self.e.world.cas.revoke(bundle.serial)
        actor.certificates[bizno.replace("-", "")] = (bundle, password)

    def legacy_member(self, actor: Actor, role: str, user_id: str, password: str, bizno: str | None) -> None:
        seed.legacy_member(self.e.ctx, user_id=user_id, password=password, name=actor.name, email=actor.email,
                           phone=actor.phone, role=role, bizno=bizno)
        actor.user_id, actor.password = user_id, password

    def today(self, day: date) -> None:
        self.e.clock.set(datetime.combine(day, time(10, 0), KST))

    def advance(self, delta: timedelta) -> None:
        self.e.clock.advance(delta)

    def audit_actions(self) -> list[str]:
        return seed.audit_actions(self.e.ctx)
