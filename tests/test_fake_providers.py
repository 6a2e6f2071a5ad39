"""Protocol rules of the in-process fake providers and of the adapters over them."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from fake_providers.card import CARD_COMPANIES, CARD_METHODS, CardVerification
from fake_providers.nts import NtsBusinessRegistry
from fake_providers.people import CARRIERS, SIMPLE_AUTH_APPS, Person, PersonRegistry, ProviderError
from fake_providers.phone import PassVerification
from fake_providers.simple_auth import SimpleAuth
from fake_providers.sns import (
    FacebookProvider,
    GoogleProvider,
    KakaoProvider,
    NaverProvider,
    SnsProvider,
    pkce_challenge,
)

SITE = "TI24"
OTHER_SITE = "OTHER01"
SERVICE_KEY = "nts-service-key"


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2025, 3, 4, 1, 2, 3, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry() -> PersonRegistry:
    return PersonRegistry(seed=2024)


@pytest.fixture
def person(registry: PersonRegistry) -> Person:
    return registry.new_person(carrier="KT", gender="F", cards=("신한",))


# ==========================================================================================
# People, CI and DI
# ==========================================================================================


def test_ci_is_88_char_base64_and_di_is_64_char_base64_per_site(registry: PersonRegistry) -> None:
    someone = registry.new_person()
    other = registry.new_person()
    assert len(someone.ci) == 88
    assert len(base64.b64decode(someone.ci, validate=True)) == 64
    assert len(someone.di(SITE)) == 64
    assert len(base64.b64decode(someone.di(SITE), validate=True)) == 48
    assert someone.di(SITE) != someone.di(OTHER_SITE)
    assert someone.di(SITE) == someone.di(SITE)
    assert someone.ci != other.ci


def test_same_person_has_same_ci_at_every_provider_and_site_but_site_specific_di(
    registry: PersonRegistry, person: Person, clock: Clock
) -> None:
    pass_ = PassVerification(registry, clock.now)
    card = CardVerification(registry, clock.now)
    results = []
    for site in (SITE, OTHER_SITE):
        txn = pass_.start(site, person.carrier, person.name, person.birth_date, person.phone)
        pass_.confirm(txn, pass_.inbox.latest_code(person.phone) or "")
        results.append(pass_.result(txn, site)["verifiedCustomer"])
    card_txn = card.start(SITE, "신한", "앱카드", person.name, person.birth_date, person.phone)
    card.approve(card_txn)
    card_result = card.result(card_txn, SITE)
    assert results[0]["ci"] == results[1]["ci"] == card_result["unique_key"] == person.ci
    assert results[0]["di"] != results[1]["di"]
    assert results[0]["di"] == card_result["unique_in_site"] == person.di(SITE)


def test_registry_is_deterministic_with_a_seed_and_phone_numbers_are_unique() -> None:
    first = [PersonRegistry(seed=5).new_person() for _ in range(1)]
    again = [PersonRegistry(seed=5).new_person() for _ in range(1)]
    assert first == again
    registry = PersonRegistry(seed=5)
    people = [registry.new_person() for _ in range(200)]
    phones = [p.phone for p in people]
    assert len(set(phones)) == len(phones)
    for p in people:
        assert re.fullmatch(r"010-\d{4}-\d{4}", p.phone)
        assert p.carrier in CARRIERS
        assert 1 <= len(p.cards) <= 2 and set(p.cards) <= set(CARD_COMPANIES)
        assert p.apps == SIMPLE_AUTH_APPS
        assert date(1950, 1, 1) <= p.birth_date <= date(2005, 12, 31)
        assert re.fullmatch(r"[가-힣]{2,4}", p.name)
    with pytest.raises(ValueError):
        registry.new_person(phone=people[0].phone)


def test_generated_phone_numbers_skip_numbers_already_taken() -> None:
    expected = PersonRegistry(seed=9).new_person()
    registry = PersonRegistry(seed=9)
    registry.add(replace(expected, resident_secret="000000-0000000", name="선점자"))
    generated = registry.new_person()
    assert generated.phone != expected.phone
    assert registry.by_phone(expected.phone).name == "선점자"  # type: ignore[union-attr]


def test_people_can_change_phone_and_keep_their_ci(registry: PersonRegistry, person: Person) -> None:
    moved = registry.replace(replace(person, phone="010-9999-0001", carrier="SKT"))
    assert registry.by_phone(person.phone) is None
    assert registry.by_phone("01099990001") == moved
    assert registry.find(person.name, person.birth_date, person.phone) is None
    assert registry.find(person.name, person.birth_date, "010-9999-0001") == moved
    assert moved.ci == person.ci
    other = registry.new_person()
    with pytest.raises(ValueError):
        registry.replace(replace(other, phone="010-9999-0001"))


# ==========================================================================================
# PASS 휴대전화 본인확인
# ==========================================================================================


@pytest.fixture
def pass_(registry: PersonRegistry, clock: Clock) -> PassVerification:
    return PassVerification(registry, clock.now)


def _start(pass_: PassVerification, person: Person, site: str = SITE) -> str:
    return pass_.start(site, person.carrier, person.name, person.birth_date, person.phone)


def test_pass_code_flow_and_portone_shape(pass_: PassVerification, person: Person) -> None:
    txn = _start(pass_, person)
    text = pass_.inbox.messages(person.phone)[-1]
    assert re.fullmatch(r"\[PASS\] 본인확인 인증번호 \[\d{6}\]를 입력해주세요\.", text)
    assert pass_.result(txn, SITE)["status"] == "READY"
    assert "verifiedCustomer" not in pass_.result(txn, SITE)
    assert pass_.confirm(txn, pass_.inbox.latest_code(person.phone) or "") == "VERIFIED"
    body = pass_.result(txn, SITE)
    assert body["status"] == "VERIFIED" and body["id"] == txn and body["verifiedAt"].endswith("Z")
    assert body["verifiedCustomer"] == {
        "name": person.name,
        "operator": "KT",
        "phoneNumber": person.phone.replace("-", ""),
        "birthDate": person.birth_date.isoformat(),
        "gender": "FEMALE",
        "isForeigner": False,
        "ci": person.ci,
        "di": person.di(SITE),
    }


@pytest.mark.parametrize(
    ("label", "operator"),
    [("LG U+", "LGU"), ("알뜰폰(SKT)", "SKT_MVNO"), ("알뜰폰(KT)", "KT_MVNO"), ("알뜰폰(LG U+)", "LGU_MVNO")],
)
def test_pass_operator_codes(
    registry: PersonRegistry, pass_: PassVerification, label: str, operator: str
) -> None:
    someone = registry.new_person(carrier=label)
    txn = _start(pass_, someone)
    pass_.confirm(txn, pass_.inbox.latest_code(someone.phone) or "")
    assert pass_.result(txn, SITE)["verifiedCustomer"]["operator"] == operator


def test_pass_refuses_wrong_carrier_or_identity(pass_: PassVerification, person: Person) -> None:
    with pytest.raises(ProviderError) as wrong_carrier:
        pass_.start(SITE, "SKT", person.name, person.birth_date, person.phone)
    assert wrong_carrier.value.message == "입력하신 정보가 통신사 가입 정보와 일치하지 않습니다."
    with pytest.raises(ProviderError):
        pass_.start(SITE, person.carrier, person.name + "가", person.birth_date, person.phone)
    with pytest.raises(ProviderError):
        pass_.start(SITE, person.carrier, person.name, date(1901, 1, 1), person.phone)
    assert pass_.inbox.messages(person.phone) == []


def test_pass_four_wrong_codes_still_allow_the_right_one(pass_: PassVerification, person: Person) -> None:
    txn = _start(pass_, person)
    code = pass_.inbox.latest_code(person.phone) or ""
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 5):
        with pytest.raises(ProviderError) as error:
            pass_.confirm(txn, wrong)
        assert error.value.code == "wrong_code"
        assert f"({attempt}/5)" in error.value.message
    assert pass_.confirm(txn, code) == "VERIFIED"


def test_pass_five_wrong_codes_kill_the_transaction(pass_: PassVerification, person: Person) -> None:
    txn = _start(pass_, person)
    code = pass_.inbox.latest_code(person.phone) or ""
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(ProviderError):
            pass_.confirm(txn, wrong)
    with pytest.raises(ProviderError) as fifth:
        pass_.confirm(txn, wrong)
    assert fifth.value.code == "too_many_wrong_codes"
    with pytest.raises(ProviderError):
        pass_.confirm(txn, code)
    with pytest.raises(ProviderError):
        pass_.resend(txn)
    assert pass_.result(txn, SITE)["status"] == "FAILED"


def test_pass_code_is_valid_three_minutes(pass_: PassVerification, person: Person, clock: Clock) -> None:
    txn = _start(pass_, person)
    code = pass_.inbox.latest_code(person.phone) or ""
    clock.advance(minutes=3, seconds=1)
    with pytest.raises(ProviderError) as expired:
        pass_.confirm(txn, code)
    assert expired.value.code == "code_expired"
    pass_.resend(txn)
    fresh = pass_.inbox.latest_code(person.phone) or ""
    assert len(pass_.inbox.messages(person.phone)) == 2
    clock.advance(minutes=2, seconds=59)
    assert pass_.confirm(txn, fresh) == "VERIFIED"


def test_pass_resend_replaces_the_old_code(
    pass_: PassVerification, person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["111111", "222222"])
    monkeypatch.setattr("fake_providers.phone._new_code", lambda: next(codes))
    txn = _start(pass_, person)
    assert pass_.inbox.latest_code(person.phone) == "111111"
    pass_.resend(txn)
    assert pass_.inbox.latest_code(person.phone) == "222222"
    assert len(pass_.inbox.messages(person.phone)) == 2
    with pytest.raises(ProviderError) as old:
        pass_.confirm(txn, "111111")
    assert old.value.code == "wrong_code"
    assert pass_.confirm(txn, "222222") == "VERIFIED"


def test_pass_codes_are_six_random_digits(pass_: PassVerification, registry: PersonRegistry) -> None:
    codes = set()
    for _ in range(30):
        someone = registry.new_person()
        _start(pass_, someone)
        code = pass_.inbox.latest_code(someone.phone) or ""
        assert re.fullmatch(r"\d{6}", code)
        codes.add(code)
    assert len(codes) > 25


def test_pass_code_is_single_use(pass_: PassVerification, person: Person) -> None:
    txn = _start(pass_, person)
    code = pass_.inbox.latest_code(person.phone) or ""
    pass_.confirm(txn, code)
    with pytest.raises(ProviderError) as again:
        pass_.confirm(txn, code)
    assert again.value.code == "already_verified"


def test_pass_result_only_for_the_starting_site(pass_: PassVerification, person: Person) -> None:
    txn = _start(pass_, person)
    pass_.confirm(txn, pass_.inbox.latest_code(person.phone) or "")
    assert pass_.result(txn, SITE)["status"] == "VERIFIED"
    with pytest.raises(ProviderError) as foreign:
        pass_.result(txn, OTHER_SITE)
    assert foreign.value.code == "not_found"
    with pytest.raises(ProviderError):
        pass_.result("identity-verification-unknown", SITE)


# ==========================================================================================
# 신용카드 본인확인
# ==========================================================================================


@pytest.fixture
def card(registry: PersonRegistry, clock: Clock) -> CardVerification:
    return CardVerification(registry, clock.now)


@pytest.mark.parametrize("company", CARD_COMPANIES)
def test_card_flow_per_company(registry: PersonRegistry, card: CardVerification, company: str) -> None:
    holder = registry.new_person(cards=(company,), gender="M")
    method = CARD_METHODS[CARD_COMPANIES.index(company) % len(CARD_METHODS)]
    txn = card.start(SITE, company, method, holder.name, holder.birth_date, holder.phone)
    assert card.result(txn, SITE)["certified"] is False
    card.approve(txn)
    body = card.result(txn, SITE)
    assert body["certified"] is True
    assert body["card_company"] == company
    assert body["name"] == holder.name
    assert body["gender"] == "male"
    assert body["birthday"] == holder.birth_date.isoformat()
    assert body["foreigner"] is False
    assert body["phone"] == holder.phone.replace("-", "")
    assert body["unique_key"] == holder.ci
    assert body["unique_in_site"] == holder.di(SITE)
    with pytest.raises(ProviderError):
        card.result(txn, OTHER_SITE)


def test_card_requires_a_card_of_that_company(card: CardVerification, person: Person) -> None:
    missing = next(company for company in CARD_COMPANIES if company not in person.cards)
    with pytest.raises(ProviderError) as error:
        card.start(SITE, missing, "ARS", person.name, person.birth_date, person.phone)
    assert error.value.code == "card_not_found"
    with pytest.raises(ProviderError):
        card.start(SITE, "신한", "팩스", person.name, person.birth_date, person.phone)
    assert card.start(SITE, "신한", "ARS", person.name, person.birth_date, person.phone)


def test_card_deny_and_expiry(card: CardVerification, person: Person, clock: Clock) -> None:
    denied = card.start(SITE, "신한", "ARS", person.name, person.birth_date, person.phone)
    card.deny(denied)
    assert card.result(denied, SITE)["certified"] is False
    assert card.result(denied, SITE)["unique_key"] is None
    with pytest.raises(ProviderError):
        card.approve(denied)
    late = card.start(SITE, "신한", "앱카드", person.name, person.birth_date, person.phone)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(ProviderError) as expired:
        card.approve(late)
    assert expired.value.code == "expired"
    assert card.result(late, SITE)["fail_reason"] == "expired"


# ==========================================================================================
# 간편인증
# ==========================================================================================


@pytest.fixture
def simple(registry: PersonRegistry, clock: Clock) -> SimpleAuth:
    return SimpleAuth(registry, clock.now)


def test_simple_auth_approve_and_result_once(simple: SimpleAuth, person: Person) -> None:
    receipt = simple.request(SITE, "카카오", person.name, person.birth_date, person.phone)
    shown = simple.pending(person.phone)
    assert [item["receipt_id"] for item in shown] == [receipt]
    assert shown[0]["app"] == "카카오"
    assert simple.status(receipt) == "요청"
    with pytest.raises(ProviderError):
        simple.result(receipt, SITE)
    simple.approve(receipt)
    assert simple.status(receipt) == "완료"
    assert simple.pending(person.phone) == []
    with pytest.raises(ProviderError):
        simple.result(receipt, OTHER_SITE)
    body = simple.result(receipt, SITE)
    assert body["receiverName"] == person.name
    assert body["receiverYear"] == f"{person.birth_date.year}"
    assert body["receiverDay"] == person.birth_date.strftime("%m%d")
    assert body["receiverGender"] == "FEMALE"
    assert body["receiverForeign"] == "N"
    assert body["receiverHP"] == person.phone.replace("-", "")
    assert body["ci"] == person.ci and body["di"] == person.di(SITE)
    assert body["app"] == "카카오"
    with pytest.raises(ProviderError) as twice:
        simple.result(receipt, SITE)
    assert twice.value.code == "already_verified"


def test_simple_auth_deny(simple: SimpleAuth, person: Person) -> None:
    receipt = simple.request(SITE, "토스", person.name, person.birth_date, person.phone)
    simple.deny(receipt)
    assert simple.status(receipt) == "거절"
    with pytest.raises(ProviderError):
        simple.approve(receipt)
    with pytest.raises(ProviderError):
        simple.result(receipt, SITE)


def test_simple_auth_expires_after_five_minutes(simple: SimpleAuth, person: Person, clock: Clock) -> None:
    receipt = simple.request(SITE, "PASS", person.name, person.birth_date, person.phone)
    clock.advance(minutes=4, seconds=59)
    assert simple.status(receipt) == "요청"
    clock.advance(seconds=2)
    assert simple.status(receipt) == "만료"
    assert simple.pending(person.phone) == []
    with pytest.raises(ProviderError) as error:
        simple.approve(receipt)
    assert error.value.code == "expired"


def test_simple_auth_needs_the_person_and_the_app(
    registry: PersonRegistry, simple: SimpleAuth, person: Person
) -> None:
    no_naver = registry.new_person(apps=("카카오",))
    with pytest.raises(ProviderError) as not_issued:
        simple.request(SITE, "네이버", no_naver.name, no_naver.birth_date, no_naver.phone)
    assert not_issued.value.code == "certificate_not_issued"
    assert simple.request(SITE, "카카오", no_naver.name, no_naver.birth_date, no_naver.phone)
    with pytest.raises(ProviderError):
        simple.request(SITE, "카카오", "없는사람", person.birth_date, person.phone)
    with pytest.raises(ProviderError):
        simple.request(SITE, "싸이월드", person.name, person.birth_date, person.phone)


# ==========================================================================================
# SNS providers
# ==========================================================================================

CHANNELS = ("kakao", "naver", "google", "facebook")
SCOPES = {"kakao": "", "naver": "", "google": "openid email profile", "facebook": "email"}


def _make(channel: str, clock: Clock) -> SnsProvider:
    cls = {
        "kakao": KakaoProvider,
        "naver": NaverProvider,
        "google": GoogleProvider,
        "facebook": FacebookProvider,
    }
    provider: SnsProvider = cls[channel](clock.now, seed=11)
    provider.register_client(f"client-{channel}", f"secret-{channel}", [f"https://ti24.example/cb/{channel}"])
    return provider


@pytest.fixture(params=CHANNELS)
def channel(request: pytest.FixtureRequest) -> str:
    return str(request.param)


VERIFIER = "v" * 50


def _params(channel: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": f"client-{channel}",
        "redirect_uri": f"https://ti24.example/cb/{channel}",
        "state": "st-123",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        "nonce": "n-0S6",
    }
    if SCOPES[channel]:
        params["scope"] = SCOPES[channel]
    params.update(extra)
    return {key: value for key, value in params.items() if value != "<drop>"}


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _form(channel: str, code: str, **extra: str) -> dict[str, str]:
    form = {
        "grant_type": "authorization_code",
        "client_id": f"client-{channel}",
        "client_secret": f"secret-{channel}",
        "redirect_uri": f"https://ti24.example/cb/{channel}",
        "code": code,
        "code_verifier": VERIFIER,
    }
    form.update(extra)
    return {key: value for key, value in form.items() if value != "<drop>"}


def _is_grant_error(channel: str, status: int, body: dict) -> bool:
    """Each provider's way of saying 'this code is no good'."""
    if channel == "naver":
        return status == 200 and body.get("error") == "invalid_request" and "access_token" not in body
    if channel == "facebook":
        return status == 400 and body["error"]["type"] == "OAuthException" and body["error"]["code"] == 100
    if channel == "kakao":
        return status == 400 and body.get("error") == "invalid_grant" and body.get("error_code") == "KOE320"
    return status == 400 and body.get("error") == "invalid_grant"


def _login(channel: str, clock: Clock, person: Person) -> tuple[SnsProvider, str, str]:
    provider = _make(channel, clock)
    account = provider.create_account(person)
    url = provider.authorize(_params(channel), account.subject, True)
    return provider, account.subject, _query(url)["code"]


def test_sns_happy_path_redirects_with_code_and_state(channel: str, clock: Clock, person: Person) -> None:
    provider = _make(channel, clock)
    account = provider.create_account(person)
    url = provider.authorize(_params(channel), account.subject, True)
    assert url.startswith(f"https://ti24.example/cb/{channel}?")
    query = _query(url)
    assert query["state"] == "st-123" and len(query["code"]) >= 20
    status, token = provider.token(_form(channel, query["code"]))
    assert status == 200 and token["access_token"]
    assert token["token_type"].lower() == "bearer"


def test_kakao_shapes(clock: Clock, person: Person) -> None:
    provider, subject, code = _login("kakao", clock, person)
    status, token = provider.token(_form("kakao", code))
    assert status == 200
    assert token["expires_in"] == 21599 and token["refresh_token_expires_in"] == 5183999
    status, me = provider.userinfo(token["access_token"])
    assert status == 200
    assert me["id"] == int(subject) and re.fullmatch(r"\d{10}", subject)
    account = me["kakao_account"]
    assert account["name"] == person.name and account["email"] == person.email
    assert account["phone_number"] == "+82 " + person.phone[1:]
    assert re.fullmatch(r"\+82 10-\d{4}-\d{4}", account["phone_number"])
    assert provider.userinfo("nope") == (401, {"msg": "this access token does not exist", "code": -401})


def test_naver_shapes(clock: Clock, person: Person) -> None:
    provider, subject, code = _login("naver", clock, person)
    status, token = provider.token(_form("naver", code, redirect_uri="<drop>", state="st-123"))
    assert status == 200
    assert token["expires_in"] == "3600" and isinstance(token["expires_in"], str)
    status, me = provider.userinfo(token["access_token"])
    assert status == 200 and me["resultcode"] == "00" and me["message"] == "success"
    assert me["response"]["id"] == subject
    assert me["response"]["name"] == person.name
    assert me["response"]["mobile"] == person.phone
    assert me["response"]["mobile_e164"] == "+82" + person.phone.replace("-", "")[1:]
    assert me["response"]["gender"] == "F"
    status, bad = provider.userinfo("nope")
    assert status == 401 and bad["resultcode"] == "024"


def test_google_shapes_and_id_token(clock: Clock, person: Person) -> None:
    provider, subject, code = _login("google", clock, person)
    assert isinstance(provider, GoogleProvider)
    status, token = provider.token(_form("google", code))
    assert status == 200 and token["token_type"] == "Bearer"
    keys = KeySet.import_key_set(provider.jwks())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256" and decoded.header["kid"] == provider.jwks()["keys"][0]["kid"]
    claims = decoded.claims
    assert claims["iss"] == "https://accounts.google.com" == provider.discovery()["issuer"]
    assert claims["aud"] == "client-google" and claims["sub"] == subject and claims["nonce"] == "n-0S6"
    assert claims["exp"] - claims["iat"] == 3600 and claims["iat"] == int(clock.now().timestamp())
    assert claims["email"] == person.email and claims["name"] == person.name
    assert "d" not in provider.jwks()["keys"][0]  # the private part never leaves the provider
    status, info = provider.userinfo(token["access_token"])
    assert status == 200 and info["sub"] == subject and info["email_verified"] is True


def test_google_issuer_is_configurable(clock: Clock) -> None:
    provider = GoogleProvider(clock.now, issuer="http://127.0.0.1:8001/google")
    doc = provider.discovery()
    assert doc["issuer"] == "http://127.0.0.1:8001/google"
    assert doc["jwks_uri"].startswith("http://127.0.0.1:8001/google/")
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


def test_facebook_shapes(clock: Clock, person: Person) -> None:
    provider, subject, code = _login("facebook", clock, person)
    assert isinstance(provider, FacebookProvider)
    status, token = provider.token(_form("facebook", code, grant_type="<drop>"))
    assert status == 200 and set(token) == {"access_token", "token_type", "expires_in"}
    assert provider.userinfo(token["access_token"]) == (200, {"id": subject, "name": person.name})
    status, me = provider.userinfo(token["access_token"], fields="id,name,email")
    assert me == {"id": subject, "name": person.name, "email": person.email}
    status, bad = provider.userinfo("nope")
    assert status == 400 and bad["error"]["code"] == 190


def test_sns_redirect_uri_must_match_exactly(channel: str, clock: Clock, person: Person) -> None:
    provider = _make(channel, clock)
    account = provider.create_account(person)
    for uri in (
        f"https://ti24.example/cb/{channel}/evil",
        f"https://ti24.example/cb/{channel}?x=1",
        f"http://ti24.example/cb/{channel}",
        "https://attacker.example/cb",
    ):
        with pytest.raises(ProviderError) as error:
            provider.authorize(_params(channel, redirect_uri=uri), account.subject, True)
        assert error.value.code == "redirect_uri_mismatch"
        with pytest.raises(ProviderError):  # not even a refusal is redirected there
            provider.authorize(_params(channel, redirect_uri=uri), account.subject, False)


def test_sns_unknown_client_and_response_type(channel: str, clock: Clock, person: Person) -> None:
    provider = _make(channel, clock)
    account = provider.create_account(person)
    with pytest.raises(ProviderError) as unknown:
        provider.authorize(_params(channel, client_id="someone-else"), account.subject, True)
    assert unknown.value.code == "unknown_client"
    with pytest.raises(ProviderError) as implicit:
        provider.authorize(_params(channel, response_type="token"), account.subject, True)
    assert implicit.value.code == "unsupported_response_type"


def test_sns_consent_refused_redirects_with_access_denied(channel: str, clock: Clock, person: Person) -> None:
    provider = _make(channel, clock)
    account = provider.create_account(person)
    query = _query(provider.authorize(_params(channel), account.subject, False))
    assert query["error"] == "access_denied" and query["state"] == "st-123"
    assert "code" not in query


def test_sns_code_reuse_is_refused_and_revokes_tokens(channel: str, clock: Clock, person: Person) -> None:
    provider, _subject, code = _login(channel, clock, person)
    status, token = provider.token(_form(channel, code))
    assert status == 200
    assert provider.userinfo(token["access_token"])[0] == 200
    status, body = provider.token(_form(channel, code))
    assert _is_grant_error(channel, status, body)
    if channel == "kakao":
        assert body["error_description"].startswith("authorization code not found")
    if channel == "naver":
        assert body["error_description"] == "no valid data in session"
    if channel == "facebook":
        assert body["error"]["error_subcode"] == 36009
    assert provider.userinfo(token["access_token"])[0] != 200


def test_sns_code_expires_after_ten_minutes(channel: str, clock: Clock, person: Person) -> None:
    provider, _subject, code = _login(channel, clock, person)
    clock.advance(minutes=10, seconds=1)
    status, body = provider.token(_form(channel, code))
    assert _is_grant_error(channel, status, body)
    provider, _subject, code = _login(channel, clock, person)
    clock.advance(minutes=9, seconds=59)
    assert provider.token(_form(channel, code))[0] == 200


def test_sns_pkce_verifier_must_match(channel: str, clock: Clock, person: Person) -> None:
    provider, _subject, code = _login(channel, clock, person)
    status, body = provider.token(_form(channel, code, code_verifier="w" * 50))
    assert _is_grant_error(channel, status, body)
    status, body = provider.token(_form(channel, code, code_verifier="<drop>"))
    assert _is_grant_error(channel, status, body)
    assert provider.token(_form(channel, code))[0] == 200


def test_sns_verifier_without_challenge_is_refused(channel: str, clock: Clock, person: Person) -> None:
    provider = _make(channel, clock)
    account = provider.create_account(person)
    params = _params(channel, code_challenge="<drop>", code_challenge_method="<drop>")
    code = _query(provider.authorize(params, account.subject, True))["code"]
    status, body = provider.token(_form(channel, code))
    assert _is_grant_error(channel, status, body)
    assert provider.token(_form(channel, code, code_verifier="<drop>"))[0] == 200


def test_sns_pkce_plain_is_refused(channel: str, clock: Clock, person: Person) -> None:
    provider = _make(channel, clock)
    account = provider.create_account(person)
    query = _query(provider.authorize(_params(channel, code_challenge_method="plain"), account.subject, True))
    assert query["error"] == "invalid_request" and "code" not in query
    query = _query(
        provider.authorize(_params(channel, code_challenge_method="<drop>"), account.subject, True)
    )
    assert query["error"] == "invalid_request" and "code" not in query


def test_sns_code_is_bound_to_client_and_secret(channel: str, clock: Clock, person: Person) -> None:
    provider, _subject, code = _login(channel, clock, person)
    provider.register_client("client-two", "secret-two", [f"https://ti24.example/cb/{channel}"])
    status, body = provider.token(_form(channel, code, client_id="client-two", client_secret="secret-two"))
    assert _is_grant_error(channel, status, body)
    status, body = provider.token(_form(channel, code, client_secret="wrong"))
    assert status != 200 or "error" in body
    assert "access_token" not in body
    assert provider.token(_form(channel, code))[0] == 200


@pytest.mark.parametrize("channel", ["kakao", "google", "facebook"])
def test_sns_token_redirect_uri_must_match_the_authorize_one(
    channel: str, clock: Clock, person: Person
) -> None:
    provider = _make(channel, clock)
    provider.register_client(
        f"client-{channel}",
        f"secret-{channel}",
        [f"https://ti24.example/cb/{channel}", f"https://ti24.example/other/{channel}"],
    )
    account = provider.create_account(person)
    code = _query(provider.authorize(_params(channel), account.subject, True))["code"]
    status, body = provider.token(_form(channel, code, redirect_uri=f"https://ti24.example/other/{channel}"))
    assert status == 400 and "access_token" not in body
    assert provider.token(_form(channel, code))[0] == 200


# ==========================================================================================
# SNS adapter
# ==========================================================================================






















# ==========================================================================================
# 국세청 상태조회
# ==========================================================================================


@pytest.fixture
def nts() -> NtsBusinessRegistry:
    registry = NtsBusinessRegistry(SERVICE_KEY)
    registry.add("124-81-00998", "삼성전자 주식회사", "대표자", "01")
    registry.add("2208162518", "휴업 주식회사", "대표자", "02", tax_type_cd="02")
    registry.add("1208147521", "폐업 주식회사", "대표자", "03", end_dt="20240131")
    return registry


def test_nts_status_success_shape(nts: NtsBusinessRegistry) -> None:
    body = json.dumps({"b_no": ["1248100998", "2208162518", "1208147521", "1234567890"]}).encode()
    status, answer = nts.status(body, SERVICE_KEY)
    assert status == 200
    assert answer["status_code"] == "OK" and answer["request_cnt"] == 4 and answer["match_cnt"] == 3
    first, suspended, closed, unknown = answer["data"]
    assert first == {
        "b_no": "1248100998",
        "b_stt": "계속사업자",
        "b_stt_cd": "01",
        "tax_type": "부가가치세 일반과세자",
        "tax_type_cd": "01",
        "end_dt": "",
        "utcc_yn": "N",
        "tax_type_change_dt": "",
        "invoice_apply_dt": "",
        "rbf_tax_type": "해당없음",
        "rbf_tax_type_cd": "99",
    }
    assert (suspended["b_stt"], suspended["b_stt_cd"], suspended["tax_type_cd"]) == ("휴업자", "02", "02")
    assert (closed["b_stt"], closed["b_stt_cd"], closed["end_dt"]) == ("폐업자", "03", "20240131")
    assert unknown["b_no"] == "1234567890" and unknown["b_stt"] == "" and unknown["b_stt_cd"] == ""
    assert unknown["tax_type"] == "국세청에 등록되지 않은 사업자등록번호입니다."
    assert set(unknown) == set(first)


def test_nts_errors(nts: NtsBusinessRegistry) -> None:
    assert nts.status({"b_no": ["1248100998"]}, "wrong") == (
        401,
        {"code": -4, "msg": "등록되지 않은 인증키 입니다."},
    )
    assert nts.status(b"{not json", SERVICE_KEY) == (400, {"status_code": "BAD_JSON_REQUEST"})
    assert nts.status(b"{}", SERVICE_KEY) == (411, {"status_code": "REQUEST_DATA_MALFORMED"})
    assert nts.status({"b_no": []}, SERVICE_KEY) == (411, {"status_code": "REQUEST_DATA_MALFORMED"})
    hundred = {"b_no": [f"{n:010d}" for n in range(100)]}
    assert nts.status(hundred, SERVICE_KEY)[0] == 200
    too_many = {"b_no": [f"{n:010d}" for n in range(101)]}
    assert nts.status(too_many, SERVICE_KEY) == (413, {"status_code": "TOO_LARGE_REQUEST"})




# ==========================================================================================
# Real-name adapter
# ==========================================================================================












def test_google_signing_key_is_made_once_per_process_unless_given() -> None:
    """A 2048-bit RSA key per provider world was a fifth of the in-process suite's time (bench/harness_bench.py)."""
    from joserfc.jwk import RSAKey

    now = lambda: datetime(2026, 11, 30, tzinfo=UTC)  # noqa: E731
    first, second = GoogleProvider(now), GoogleProvider(now)
    assert first._key is second._key and first._kid == second._kid
    own = RSAKey.generate_key(2048, private=True)
    assert GoogleProvider(now, signing_key=own)._key is own
