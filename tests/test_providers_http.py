"""The fake providers over HTTP (docs/providers-http.md), driven like a browser and a site would."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from joserfc import jwt
from joserfc.jwk import KeySet
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests_oauthlib import OAuth2Session
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from fake_providers.ca import decrypt_private_key
from fake_providers.http import create_app
from fake_providers.world import NTS_SERVICE_KEY, ProviderWorld
from simulator.adapters.certificate_verifier import X509CertificateVerifier
from simulator.domain.errors import Refusal
from simulator.service_layer.ports import PresentedCertificate

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx is what this project has
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

B = "http://providers.test"
SITE_HEADERS = {"Authorization": "Bearer ti24-site-secret"}
RETURN_URL = "https://site.test/identity/return?step=1"
CHANNELS = ("kakao", "naver", "google", "facebook")
VERIFIER = "verifier-" + "x" * 50
BIZNO = "1208147521"
CERT_PASSWORD = "qwer1234!"


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
def world(clock: Clock) -> ProviderWorld:
    return ProviderWorld(clock.now, seed=7)


@pytest.fixture
def client(world: ProviderWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world), base_url=B, follow_redirects=False) as test_client:
        yield test_client


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def _assert_accessible(html: str) -> None:
    """Every visible input has a <label for=…>; the page is Korean."""
    assert '<html lang="ko">' in html
    for input_id in re.findall(r'<input(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html):
        assert f'for="{input_id}"' in html, f"input {input_id} has no label"


def _person(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/control/persons", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


# ==========================================================================================
# SNS
# ==========================================================================================

AUTHORIZE = {
    "kakao": "/kakao/oauth/authorize",
    "naver": "/naver/oauth2.0/authorize",
    "google": "/google/o/oauth2/v2/auth",
    "facebook": "/facebook/v19.0/dialog/oauth",
}
SCOPES = {"kakao": "profile_nickname account_email", "naver": "", "google": "openid email profile",
          "facebook": "email"}
TITLES = {"kakao": "카카오계정으로 로그인", "naver": "네이버 아이디로 로그인", "google": "Google 계정으로 로그인",
          "facebook": "Facebook으로 로그인"}


def _callback(channel: str) -> str:
    return f"https://site.test/oauth/{channel}/callback"


@pytest.fixture(params=CHANNELS)
def channel(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _sns_account(client: TestClient, channel: str) -> tuple[dict[str, Any], dict[str, Any]]:
    assert client.post("/control/redirect-uris", json={"channel": channel, "redirect_uri": _callback(channel)}
                       ).status_code == 201
    person = _person(client, carrier="KT")
    account = client.post("/control/sns-accounts", json={"channel": channel, "phone": person["phone"]})
    assert account.status_code == 201
    return person, account.json()


def _authorize_params(channel: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": f"ti24-{channel}-client",
        "redirect_uri": _callback(channel),
        "state": "st-" + channel,
        "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    if SCOPES[channel]:
        params["scope"] = SCOPES[channel]
    if channel == "google":
        params["nonce"] = "n-0S6"
    params.update(extra)
    return params


def _login(
    client: TestClient, channel: str, account: dict[str, Any], action: str = "agree", password: str | None = None,
    **extra: str,
) -> Any:
    page = client.get(AUTHORIZE[channel], params=_authorize_params(channel, **extra))
    assert page.status_code == 200, page.text
    form = {
        "request": _hidden(page.text, "request"),
        "login_id": account["login_id"],
        "password": account["password"] if password is None else password,
        "action": action,
    }
    return client.post(AUTHORIZE[channel], data=form)


def _code(client: TestClient, channel: str, account: dict[str, Any]) -> str:
    response = _login(client, channel, account)
    assert response.status_code == 302
    return _query(response.headers["location"])["code"]


def _token(client: TestClient, channel: str, code: str, **override: str) -> tuple[int, dict[str, Any]]:
    form = {
        "grant_type": "authorization_code",
        "client_id": f"ti24-{channel}-client",
        "client_secret": f"ti24-{channel}-secret",
        "redirect_uri": _callback(channel),
        "code": code,
        "code_verifier": VERIFIER,
    }
    form.update(override)
    if channel == "kakao":
        response = client.post("/kakao/oauth/token", data=form)
    elif channel == "naver":
        form["state"] = "st-naver"
        response = client.get("/naver/oauth2.0/token", params=form)
    elif channel == "google":  # client_secret_basic
        secret = form.pop("client_secret")
        basic = base64.b64encode(f"{form.pop('client_id')}:{secret}".encode()).decode()
        response = client.post("/google/token", data=form, headers={"Authorization": f"Basic {basic}"})
    else:
        form.pop("grant_type")
        response = client.get("/facebook/v19.0/oauth/access_token", params=form)
    return response.status_code, response.json()


def _userinfo(client: TestClient, channel: str, token: str) -> tuple[int, dict[str, Any]]:
    bearer = {"Authorization": f"Bearer {token}"}
    if channel == "kakao":
        response = client.get("/kakao/v2/user/me", headers=bearer)
    elif channel == "naver":
        response = client.get("/naver/v1/nid/me", headers=bearer)
    elif channel == "google":
        response = client.get("/google/v1/userinfo", headers=bearer)
    else:
        response = client.get("/facebook/v19.0/me", params={"fields": "id,name,email", "access_token": token})
    return response.status_code, response.json()


def _is_grant_error(channel: str, status: int, body: dict[str, Any]) -> bool:
    if channel == "naver":
        return status == 200 and "error" in body and "access_token" not in body
    if channel == "facebook":
        return status == 400 and body["error"]["type"] == "OAuthException"
    return status in (400, 401) and "error" in body and "access_token" not in body


def test_sns_full_browser_flow(client: TestClient, channel: str) -> None:
    person, account = _sns_account(client, channel)
    assert account["login_id"] == person["email"] and account["password"]
    page = client.get(AUTHORIZE[channel], params=_authorize_params(channel))
    assert page.status_code == 200
    _assert_accessible(page.text)
    assert TITLES[channel] in page.text
    assert "동의하고 계속하기" in page.text and "취소" in page.text
    assert "이름" in page.text and "이메일" in page.text
    assert ("휴대폰번호" in page.text) == (channel in ("kakao", "naver"))

    answer = client.post(AUTHORIZE[channel], data={
        "request": _hidden(page.text, "request"), "login_id": account["login_id"],
        "password": account["password"], "action": "agree",
    })
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(_callback(channel) + "?")
    query = _query(location)
    assert query["state"] == "st-" + channel and len(query["code"]) >= 20

    status, token = _token(client, channel, query["code"])
    assert status == 200, token
    assert token["token_type"].lower() == "bearer"
    status, me = _userinfo(client, channel, token["access_token"])
    assert status == 200, me
    if channel == "kakao":
        assert me["id"] == int(account["subject"])
        assert me["kakao_account"]["email"] == person["email"]
        assert me["kakao_account"]["phone_number"] == "+82 " + person["phone"][1:]
        assert token["expires_in"] == 21599
    elif channel == "naver":
        assert me["resultcode"] == "00" and me["response"]["id"] == account["subject"]
        assert me["response"]["mobile"] == person["phone"]
        assert token["expires_in"] == "3600"
    elif channel == "google":
        assert me["sub"] == account["subject"] and me["email"] == person["email"] and me["name"] == person["name"]
        discovery = client.get("/google/.well-known/openid-configuration").json()
        assert discovery["issuer"] == f"{B}/google"
        assert discovery["token_endpoint"] == f"{B}/google/token"
        assert discovery["userinfo_endpoint"] == f"{B}/google/v1/userinfo"
        assert discovery["authorization_endpoint"] == f"{B}/google/o/oauth2/v2/auth"
        keys = KeySet.import_key_set(client.get(discovery["jwks_uri"].removeprefix(B)).json())
        claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
        assert claims["iss"] == f"{B}/google" and claims["aud"] == "ti24-google-client"
        assert claims["sub"] == account["subject"] and claims["nonce"] == "n-0S6"
    else:
        assert me == {"id": account["subject"], "name": person["name"], "email": person["email"]}
        bearer = client.get("/facebook/v19.0/me", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert bearer.json() == {"id": account["subject"], "name": person["name"]}


def test_sns_userinfo_refuses_unknown_token(client: TestClient, channel: str) -> None:
    status, body = _userinfo(client, channel, "not-a-token")
    assert status in (400, 401) and body


def test_sns_wrong_redirect_uri_is_an_error_page_not_a_redirect(client: TestClient, channel: str) -> None:
    _sns_account(client, channel)
    page = client.get(AUTHORIZE[channel], params=_authorize_params(channel, redirect_uri="https://evil.test/cb"))
    assert page.status_code == 400 and "location" not in page.headers
    assert 'role="alert"' in page.text and '<html lang="ko">' in page.text
    unknown = client.get(AUTHORIZE[channel], params=_authorize_params(channel, client_id="nobody"))
    assert unknown.status_code == 400 and "location" not in unknown.headers


def test_sns_unregistered_callback_is_refused_until_registered(client: TestClient) -> None:
    params = _authorize_params("kakao")
    assert client.get(AUTHORIZE["kakao"], params=params).status_code == 400
    client.post("/control/redirect-uris", json={"channel": "kakao", "redirect_uri": _callback("kakao")})
    assert client.get(AUTHORIZE["kakao"], params=params).status_code == 200


def test_sns_reused_code_is_refused(client: TestClient, channel: str) -> None:
    _, account = _sns_account(client, channel)
    code = _code(client, channel, account)
    status, token = _token(client, channel, code)
    assert status == 200
    assert _is_grant_error(channel, *_token(client, channel, code))
    status, _ = _userinfo(client, channel, token["access_token"])
    assert status != 200  # a replayed code revokes what it issued


def test_sns_code_expires_after_ten_minutes(client: TestClient, clock: Clock, channel: str) -> None:
    _, account = _sns_account(client, channel)
    code = _code(client, channel, account)
    clock.advance(minutes=11)
    assert _is_grant_error(channel, *_token(client, channel, code))


def test_sns_wrong_pkce_verifier_is_refused(client: TestClient, channel: str) -> None:
    _, account = _sns_account(client, channel)
    code = _code(client, channel, account)
    assert _is_grant_error(channel, *_token(client, channel, code, code_verifier="w" * 50))


def test_sns_wrong_client_secret_is_refused(client: TestClient, channel: str) -> None:
    _, account = _sns_account(client, channel)
    code = _code(client, channel, account)
    status, body = _token(client, channel, code, client_secret="wrong-secret")
    assert _is_grant_error(channel, status, body)
    if channel in ("kakao", "google"):
        assert status == 401 and body["error"] == "invalid_client"


def test_google_accepts_client_secret_post_too(client: TestClient) -> None:
    _, account = _sns_account(client, "google")
    code = _code(client, "google", account)
    response = client.post("/google/token", data={
        "grant_type": "authorization_code", "client_id": "ti24-google-client",
        "client_secret": "ti24-google-secret", "redirect_uri": _callback("google"), "code": code,
        "code_verifier": VERIFIER,
    })
    assert response.status_code == 200 and response.json()["id_token"]
    revoked = client.post("/google/revoke", data={"token": response.json()["access_token"]})
    assert revoked.status_code == 200
    assert _userinfo(client, "google", response.json()["access_token"])[0] == 401


def test_sns_consent_refused_redirects_with_access_denied(client: TestClient, channel: str) -> None:
    _, account = _sns_account(client, channel)
    answer = _login(client, channel, account, action="cancel", password="")
    assert answer.status_code == 302
    query = _query(answer.headers["location"])
    assert query["error"] == "access_denied" and query["state"] == "st-" + channel and "code" not in query


def test_sns_wrong_password_reshows_the_form(client: TestClient, channel: str) -> None:
    _, account = _sns_account(client, channel)
    answer = _login(client, channel, account, password="wrong-password")
    assert answer.status_code == 200 and "location" not in answer.headers
    assert 'role="alert"' in answer.text and "아이디 또는 비밀번호가 올바르지 않습니다." in answer.text
    assert account["login_id"] in answer.text
    again = client.post(AUTHORIZE[channel], data={
        "request": _hidden(answer.text, "request"), "login_id": account["login_id"],
        "password": account["password"], "action": "agree",
    })
    assert again.status_code == 302 and "code" in _query(again.headers["location"])


def test_sns_next_outcome_deny_and_timeout(client: TestClient) -> None:
    _, account = _sns_account(client, "kakao")
    client.post("/control/next-outcome", json={"provider": "kakao", "outcome": "deny"})
    denied = _login(client, "kakao", account)
    assert _query(denied.headers["location"])["error"] == "access_denied"
    client.post("/control/next-outcome", json={"provider": "kakao", "outcome": "timeout"})
    code = _code(client, "kakao", account)
    status, body = _token(client, "kakao", code)
    assert status == 400 and body["error"] == "invalid_grant"
    assert _token(client, "kakao", _code(client, "kakao", account))[0] == 200  # honoured once


def test_app_works_mounted_under_a_path() -> None:
    world = ProviderWorld(Clock().now)
    outer = Starlette(routes=[Mount("/providers", app=create_app(world))])
    with TestClient(outer, base_url="https://sim.test") as mounted:
        discovery = mounted.get("/providers/google/.well-known/openid-configuration").json()
        assert discovery["issuer"] == "https://sim.test/providers/google"
        created = mounted.post("/providers/pass/identity-verifications", json={"returnUrl": RETURN_URL},
                               headers=SITE_HEADERS).json()
        assert created["authUrl"] == f"https://sim.test/providers/pass/verify/{created['id']}"
        assert mounted.get(created["authUrl"]).status_code == 200


# ==========================================================================================
# PASS
# ==========================================================================================


def _pass_start(client: TestClient, person: dict[str, Any]) -> tuple[str, str]:
    created = client.post("/pass/identity-verifications", json={"returnUrl": RETURN_URL}, headers=SITE_HEADERS)
    assert created.status_code == 201
    body = created.json()
    assert body["authUrl"] == f"{B}/pass/verify/{body['id']}"
    page = client.get(body["authUrl"])
    assert page.status_code == 200 and "LG U+" in page.text and "다음" in page.text
    _assert_accessible(page.text)
    chosen = client.post(body["authUrl"], data={"carrier": person["carrier"], "action": "next"})
    assert chosen.status_code == 303 and chosen.headers["location"] == body["authUrl"] + "/identity"
    identity = client.get(chosen.headers["location"])
    assert identity.status_code == 200
    _assert_accessible(identity.text)
    sent = client.post(body["authUrl"] + "/identity", data={
        "name": person["name"], "birth_date": person["birth_date"].replace("-", ""),
        "phone": person["phone"].replace("-", ""), "agree": "on",
    })
    assert sent.status_code == 303 and sent.headers["location"] == body["authUrl"] + "/code"
    return body["id"], body["authUrl"]


def _latest_code(client: TestClient, phone: str) -> str:
    sms = client.get(f"/control/sms/{phone}").json()
    return str(sms["latest_code"])


def _pass_result(client: TestClient, verification_id: str) -> dict[str, Any]:
    response = client.get(f"/pass/identity-verifications/{verification_id}", headers=SITE_HEADERS)
    assert response.status_code == 200
    return response.json()


def test_pass_happy_path(client: TestClient) -> None:
    person = _person(client, carrier="LG U+", gender="F")
    verification_id, auth_url = _pass_start(client, person)
    code_page = client.get(auth_url + "/code")
    assert code_page.status_code == 200 and "인증번호" in code_page.text
    _assert_accessible(code_page.text)
    assert _pass_result(client, verification_id)["status"] == "READY"
    sms = client.get(f"/control/sms/{person['phone']}").json()
    assert re.fullmatch(r"\d{6}", sms["latest_code"]) and sms["messages"][-1]["sender"] == "PASS"
    assert sms["latest_code"] in client.get("/pass/sms", params={"phone": person["phone"]}).text
    done = client.post(auth_url + "/code", data={"code": sms["latest_code"]})
    assert done.status_code == 303
    assert done.headers["location"] == f"{RETURN_URL}&identityVerificationId={verification_id}"
    result = _pass_result(client, verification_id)
    assert result["status"] == "VERIFIED" and result["id"] == verification_id
    customer = result["verifiedCustomer"]
    assert customer["ci"] == person["ci"] and customer["di"] == person["di"]
    assert customer["operator"] == "LGU" and customer["gender"] == "FEMALE"
    assert customer["phoneNumber"] == person["phone"].replace("-", "")


def test_pass_wrong_code_reshows_the_code_page(client: TestClient) -> None:
    person = _person(client)
    verification_id, auth_url = _pass_start(client, person)
    right = _latest_code(client, person["phone"])
    wrong = client.post(auth_url + "/code", data={"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.text and "(1/5)" in wrong.text
    assert client.post(auth_url + "/code", data={"code": right}).status_code == 303
    assert _pass_result(client, verification_id)["status"] == "VERIFIED"


def test_pass_five_wrong_codes_fail_the_verification(client: TestClient) -> None:
    person = _person(client)
    verification_id, auth_url = _pass_start(client, person)
    right = _latest_code(client, person["phone"])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(auth_url + "/code", data={"code": wrong}).status_code == 200
    failed = client.post(auth_url + "/code", data={"code": wrong})
    assert failed.status_code == 200 and 'role="alert"' in failed.text and "5회" in failed.text
    assert f'href="{RETURN_URL}&amp;identityVerificationId={verification_id}"' in failed.text
    result = _pass_result(client, verification_id)
    assert result["status"] == "FAILED" and "verifiedCustomer" not in result
    assert client.post(auth_url + "/code", data={"code": right}).status_code == 303  # back to the site, not verified
    assert _pass_result(client, verification_id)["status"] == "FAILED"


def test_pass_code_expires_after_three_minutes(client: TestClient, clock: Clock) -> None:
    person = _person(client)
    verification_id, auth_url = _pass_start(client, person)
    clock.advance(minutes=3, seconds=1)
    failed = client.post(auth_url + "/code", data={"code": _latest_code(client, person["phone"])})
    assert failed.status_code == 200 and 'role="alert"' in failed.text and "3분" in failed.text
    assert "identityVerificationId=" in failed.text
    result = _pass_result(client, verification_id)
    assert result["status"] == "FAILED" and result["failure"]["pgCode"] == "EXPIRED"


def test_pass_result_only_with_the_site_secret(client: TestClient) -> None:
    assert client.post("/pass/identity-verifications", json={"returnUrl": RETURN_URL}).status_code == 401
    person = _person(client)
    verification_id, _ = _pass_start(client, person)
    url = f"/pass/identity-verifications/{verification_id}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(url, headers=SITE_HEADERS).status_code == 200
    assert client.get("/pass/identity-verifications/unknown", headers=SITE_HEADERS).status_code == 404
    bad = client.post("/pass/identity-verifications", json={"returnUrl": "javascript:alert(1)"}, headers=SITE_HEADERS)
    assert bad.status_code == 400


def test_pass_identity_mismatch_and_missing_consent(client: TestClient) -> None:
    person = _person(client, carrier="SKT")
    created = client.post("/pass/identity-verifications", json={"returnUrl": RETURN_URL}, headers=SITE_HEADERS).json()
    client.post(created["authUrl"], data={"carrier": "KT"})
    fields = {"name": person["name"], "birth_date": person["birth_date"], "phone": person["phone"]}
    no_consent = client.post(created["authUrl"] + "/identity", data=fields)
    assert no_consent.status_code == 200 and 'role="alert"' in no_consent.text and "동의" in no_consent.text
    mismatch = client.post(created["authUrl"] + "/identity", data={**fields, "agree": "on"})
    assert mismatch.status_code == 200 and "일치하지 않습니다" in mismatch.text


def test_pass_next_outcomes(client: TestClient) -> None:
    person = _person(client)
    client.post("/control/next-outcome", json={"provider": "pass", "outcome": "wrong_code"})
    verification_id, auth_url = _pass_start(client, person)
    sms = client.get(f"/control/sms/{person['phone']}").json()
    assert len(sms["messages"]) == 1
    wrong = client.post(auth_url + "/code", data={"code": sms["latest_code"]})
    assert wrong.status_code == 200 and "일치하지 않습니다" in wrong.text

    client.post("/control/next-outcome", json={"provider": "pass", "outcome": "cancel"})
    created = client.post("/pass/identity-verifications", json={"returnUrl": RETURN_URL}, headers=SITE_HEADERS).json()
    client.post(created["authUrl"], data={"carrier": person["carrier"]})
    cancelled = client.post(created["authUrl"] + "/identity", data={
        "name": person["name"], "birth_date": person["birth_date"], "phone": person["phone"], "agree": "on"})
    assert cancelled.status_code == 303 and "identityVerificationId=" in cancelled.headers["location"]
    result = _pass_result(client, created["id"])
    assert result["status"] == "FAILED" and result["failure"]["pgCode"] == "CANCELED"

    client.post("/control/next-outcome", json={"provider": "pass", "outcome": "timeout"})
    verification_id, auth_url = _pass_start(client, person)
    expired = client.post(auth_url + "/code", data={"code": _latest_code(client, person["phone"])})
    assert "3분" in expired.text and _pass_result(client, verification_id)["status"] == "FAILED"


# ==========================================================================================
# 신용카드 본인인증
# ==========================================================================================


def _card_flow(client: TestClient, person: dict[str, Any], action: str) -> tuple[str, Any]:
    created = client.post("/card/certifications", json={"returnUrl": RETURN_URL}, headers=SITE_HEADERS)
    assert created.status_code == 201
    body = created.json()
    assert body["id"].startswith("imp_") and body["authUrl"] == f"{B}/card/certify/{body['id']}"
    auth_url = body["authUrl"]
    page = client.get(auth_url)
    assert page.status_code == 200 and "신한카드" in page.text
    _assert_accessible(page.text)
    assert client.post(auth_url, data={"company": person["cards"][0]}).headers["location"] == auth_url + "/method"
    method_page = client.get(auth_url + "/method")
    assert "앱카드" in method_page.text and "ARS" in method_page.text
    assert client.post(auth_url + "/method", data={"method": "앱카드"}).headers["location"] == auth_url + "/identity"
    _assert_accessible(client.get(auth_url + "/identity").text)
    sent = client.post(auth_url + "/identity", data={
        "name": person["name"], "birth_date": person["birth_date"], "phone": person["phone"]})
    assert sent.status_code == 303 and sent.headers["location"] == auth_url + "/confirm"
    confirm = client.get(auth_url + "/confirm")
    assert "승인" in confirm.text and "거절" in confirm.text
    return body["id"], client.post(auth_url + "/confirm", data={"action": action})


def test_card_happy_path(client: TestClient) -> None:
    person = _person(client, cards=["신한"])
    imp_uid, done = _card_flow(client, person, "approve")
    assert done.status_code == 303 and done.headers["location"] == f"{RETURN_URL}&imp_uid={imp_uid}"
    assert client.get(f"/card/certifications/{imp_uid}").status_code == 401
    result = client.get(f"/card/certifications/{imp_uid}", headers=SITE_HEADERS).json()
    assert result["code"] == 0 and result["message"] is None
    response = result["response"]
    assert response["imp_uid"] == imp_uid and response["certified"] is True
    assert response["unique_key"] == person["ci"] and response["unique_in_site"] == person["di"]
    assert response["card_company"] == "신한" and response["method"] == "앱카드"


def test_card_deny(client: TestClient) -> None:
    person = _person(client, cards=["현대"])
    imp_uid, done = _card_flow(client, person, "deny")
    assert done.status_code == 303 and done.headers["location"].endswith(f"imp_uid={imp_uid}")
    result = client.get(f"/card/certifications/{imp_uid}", headers=SITE_HEADERS).json()
    assert result["code"] == -1 and "거절" in result["message"]
    assert result["response"]["certified"] is False and result["response"]["unique_key"] is None


def test_card_unknown_card_reshows_identity_form(client: TestClient) -> None:
    person = _person(client, cards=["신한"])
    created = client.post("/card/certifications", json={"returnUrl": RETURN_URL}, headers=SITE_HEADERS).json()
    client.post(created["authUrl"], data={"company": "삼성"})
    client.post(created["authUrl"] + "/method", data={"method": "ARS"})
    refused = client.post(created["authUrl"] + "/identity", data={
        "name": person["name"], "birth_date": person["birth_date"], "phone": person["phone"]})
    assert refused.status_code == 200 and 'role="alert"' in refused.text and "삼성카드" in refused.text


# ==========================================================================================
# 간편인증
# ==========================================================================================


def _simple_request(client: TestClient, person: dict[str, Any]) -> str:
    created = client.post("/simple-auth/requests", headers=SITE_HEADERS, json={
        "app": "토스", "name": person["name"], "birth_date": person["birth_date"].replace("-", ""),
        "phone": person["phone"]})
    assert created.status_code == 201, created.text
    return str(created.json()["receiptID"])


def _simple_state(client: TestClient, receipt_id: str) -> str:
    return str(client.get(f"/simple-auth/requests/{receipt_id}", headers=SITE_HEADERS).json()["state"])


def test_simple_auth_happy_path(client: TestClient) -> None:
    person = _person(client)
    receipt_id = _simple_request(client, person)
    assert _simple_state(client, receipt_id) == "요청"
    app_page = client.get("/simple-auth/app", params={"phone": person["phone"]})
    assert receipt_id in app_page.text and "토스" in app_page.text
    _assert_accessible(app_page.text)
    approved = client.post(f"/simple-auth/app/{receipt_id}", data={"action": "approve", "phone": person["phone"]})
    assert approved.status_code == 303
    assert _simple_state(client, receipt_id) == "완료"
    assert client.get(f"/simple-auth/requests/{receipt_id}/result").status_code == 401
    result = client.get(f"/simple-auth/requests/{receipt_id}/result", headers=SITE_HEADERS)
    assert result.status_code == 200 and result.json()["ci"] == person["ci"]
    again = client.get(f"/simple-auth/requests/{receipt_id}/result", headers=SITE_HEADERS)
    assert again.status_code == 400 and again.json()["message"]


def test_simple_auth_deny_and_refusals(client: TestClient) -> None:
    person = _person(client)
    receipt_id = _simple_request(client, person)
    client.post(f"/simple-auth/app/{receipt_id}", data={"action": "deny", "phone": person["phone"]})
    assert _simple_state(client, receipt_id) == "거절"
    refused = client.get(f"/simple-auth/requests/{receipt_id}/result", headers=SITE_HEADERS)
    assert refused.status_code == 400 and "완료되지" in refused.json()["message"]
    unknown = client.post("/simple-auth/requests", headers=SITE_HEADERS, json={
        "app": "토스", "name": "없는사람", "birth_date": "19900101", "phone": "01000000000"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "receiver_not_found"
    client.post("/control/next-outcome", json={"provider": "simple-auth", "outcome": "timeout"})
    assert _simple_state(client, _simple_request(client, person)) == "만료"


# ==========================================================================================
# 국세청
# ==========================================================================================


def test_nts_status_shapes_and_errors(client: TestClient) -> None:
    url = f"/nts/api/nts-businessman/v1/status?serviceKey={NTS_SERVICE_KEY}"
    created = client.post("/control/businesses", json={"b_no": "220-81-62517", "name": "코트라상사", "status": "03"})
    assert created.status_code == 201 and created.json()["end_dt"]
    answer = client.post(url, json={"b_no": ["2208162517", "1111111111"]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["request_cnt"] == 2 and body["match_cnt"] == 1 and body["status_code"] == "OK"
    assert body["data"][0]["b_stt"] == "폐업자" and body["data"][0]["b_stt_cd"] == "03"
    assert body["data"][1]["tax_type"] == "국세청에 등록되지 않은 사업자등록번호입니다."
    assert client.post(url, content=b"{not json").status_code == 400
    assert client.post(url, json={"b_no": []}).json() == {"status_code": "REQUEST_DATA_MALFORMED"}
    assert client.post(url, json={"b_no": []}).status_code == 411
    assert client.post(url, json={"b_no": ["1234567890"] * 101}).status_code == 413
    wrong_key = client.post("/nts/api/nts-businessman/v1/status?serviceKey=nope", json={"b_no": ["1"]})
    assert wrong_key.status_code == 401 and wrong_key.json()["code"] == -4


# ==========================================================================================
# 인증기관
# ==========================================================================================


def _issue(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"product": "금융결제원(법인)", "bizno": BIZNO, "holder_name": "주식회사 코트라상사",
            "password": CERT_PASSWORD, "holder": "wallet-1"}
    body.update(fields)
    response = client.post("/control/certificates", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _http_verifier(client: TestClient) -> X509CertificateVerifier:
    """A relying party whose trust material and CRLs all come over HTTP from the app."""

    def certificates(path: str) -> list[bytes]:
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-pem-file")
        return [c.public_bytes(serialization.Encoding.DER) for c in x509.load_pem_x509_certificates(response.content)]

    def crls() -> list[bytes]:
        blobs = []
        for org in ("yessign", "KICA", "SignKorea", "CrossCert", "TradeSign", "NCASign", "private-ca"):
            response = client.get(f"/ca/{org}/crl")
            assert response.status_code == 200 and response.headers["content-type"] == "application/pkix-crl"
            blobs.append(response.content)
        return blobs

    return X509CertificateVerifier(lambda: certificates("/ca/roots"), lambda: certificates("/ca/intermediates"), crls)


def _dialog(client: TestClient, challenge: bytes, serial: str, password: str, action: str = "ok") -> Any:
    params = {"challenge": base64.urlsafe_b64encode(challenge).rstrip(b"=").decode(), "bizno": BIZNO,
              "return": "https://site.test/login/certificate", "holder": "wallet-1"}
    page = client.get("/ca/dialog", params=params)
    assert page.status_code == 200 and "키보드보안" in page.text and serial in page.text
    _assert_accessible(page.text)
    assert "확인" in page.text and "취소" in page.text
    return client.post("/ca/dialog", data={**params, "serial": serial, "password": password, "action": action})


def _posted_fields(html: str) -> dict[str, str]:
    assert 'action="https://site.test/login/certificate"' in html and "submit()" in html
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_ca_dialog_signs_a_challenge_the_verifier_accepts(client: TestClient, clock: Clock) -> None:
    issued = _issue(client)
    challenge = secrets.token_bytes(32)
    answer = _dialog(client, challenge, issued["serial"], CERT_PASSWORD)
    assert answer.status_code == 200
    fields = _posted_fields(answer.text)
    presented = PresentedCertificate(
        base64.b64decode(fields["certificate"]), base64.b64decode(fields["signature"]),
        base64.b64decode(fields["random_num"]),
    )
    verifier = _http_verifier(client)
    facts = verifier.verify(presented, challenge, BIZNO, clock.now())
    assert facts.bizno == BIZNO and str(facts.serial) == issued["serial"] and facts.issuer == "yessign"

    # the CRL distribution point in the certificate resolves: http://ca.test/<org>/crl → B/ca/<org>/crl
    certificate = x509.load_der_x509_certificate(presented.certificate_der)
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    uri = points[0].full_name[0].value
    assert uri == "http://ca.test/yessign/crl"
    assert client.get(uri.replace("http://ca.test/", f"{B}/ca/")).status_code == 200

    assert client.post(f"/control/certificates/{issued['serial']}/revoke").status_code == 200
    with pytest.raises(Refusal) as revoked:
        verifier.verify(presented, challenge, BIZNO, clock.now())
    assert revoked.value.code == "cert_revoked"


def test_ca_dialog_wrong_password_and_cancel(client: TestClient) -> None:
    issued = _issue(client)
    wrong = _dialog(client, b"challenge", issued["serial"], "not-the-password")
    assert wrong.status_code == 200 and 'role="alert"' in wrong.text
    assert "인증서 암호가 올바르지 않습니다." in wrong.text and "submit()" not in wrong.text
    cancelled = _dialog(client, b"challenge", issued["serial"], "", action="cancel")
    assert _posted_fields(cancelled.text) == {"error": "cancel"}
    client.post("/control/next-outcome", json={"provider": "ca", "outcome": "cancel"})
    assert _posted_fields(_dialog(client, b"challenge", issued["serial"], CERT_PASSWORD).text) == {"error": "cancel"}
    bad_return = client.get("/ca/dialog", params={"challenge": "YQ", "return": "javascript:x", "holder": "wallet-1"})
    assert bad_return.status_code == 400


def test_ca_untrusted_and_expired_certificates_are_refused(client: TestClient, clock: Clock) -> None:
    verifier = _http_verifier(client)
    for condition, code in (("untrusted", "cert_untrusted"), ("expired", "cert_expired")):
        issued = _issue(client, condition=condition)
        fields = _posted_fields(_dialog(client, b"c", issued["serial"], CERT_PASSWORD).text)
        presented = PresentedCertificate(*(base64.b64decode(fields[k]) for k in ("certificate", "signature",
                                                                               "random_num")))
        with pytest.raises(Refusal) as refused:
            verifier.verify(presented, b"c", BIZNO, clock.now())
        assert refused.value.code == code


def test_ca_exports(client: TestClient) -> None:
    issued = _issue(client)
    base = f"/ca/certificates/{issued['serial']}"
    cert_der = client.get(f"{base}/signCert.der")
    assert cert_der.status_code == 200 and cert_der.headers["content-type"] == "application/pkix-cert"
    certificate = x509.load_der_x509_certificate(cert_der.content)
    assert str(certificate.serial_number) == issued["serial"]
    key_file = client.get(f"{base}/signPri.key").content
    private_key, random_num = decrypt_private_key(key_file, CERT_PASSWORD)
    assert random_num and private_key.public_key().public_numbers() == certificate.public_key().public_numbers()
    p12 = client.get(f"{base}/cert.p12")
    assert p12.status_code == 200 and p12.headers["content-type"] == "application/x-pkcs12"
    loaded = pkcs12.load_pkcs12(p12.content, CERT_PASSWORD.encode())
    assert loaded.cert is not None and loaded.cert.certificate == certificate and loaded.key is not None
    assert [c.certificate.subject for c in loaded.additional_certs] == [certificate.issuer]
    with pytest.raises(ValueError):
        pkcs12.load_pkcs12(p12.content, b"wrong")
    assert client.get("/ca/certificates/123/cert.p12").status_code == 404


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command-line tool is not installed")
def test_openssl_verifies_an_issued_certificate(client: TestClient, clock: Clock, tmp_path: Path) -> None:
    issued = _issue(client, product="한국무역정보통신(법인)")
    (tmp_path / "root.pem").write_bytes(client.get("/ca/roots").content)
    (tmp_path / "intermediates.pem").write_bytes(client.get("/ca/intermediates").content)
    der = client.get(f"/ca/certificates/{issued['serial']}/signCert.der").content
    pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(pem)
    verify = subprocess.run(
        ["openssl", "verify", "-attime", str(int(clock.now().timestamp())), "-CAfile", "root.pem",
         "-untrusted", "intermediates.pem", "cert.pem"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert verify.returncode == 0 and "cert.pem: OK" in verify.stdout, verify.stdout + verify.stderr
    text = subprocess.run(["openssl", "x509", "-in", "cert.pem", "-noout", "-text"], cwd=tmp_path,
                          capture_output=True, text=True, check=True).stdout
    assert "Policy: 1.2.410.200012.1.1.3" in text and "URI:http://ca.test/TradeSign/crl" in text


# ==========================================================================================
# Control API
# ==========================================================================================


def test_openapi_lists_every_control_path(client: TestClient) -> None:
    document = json.loads(client.get("/control/openapi.json").text)
    assert document["openapi"].startswith("3.1") and document["servers"] == [{"url": B}]
    app = client.app
    assert isinstance(app, Starlette)
    control = next(route for route in app.routes if isinstance(route, Mount) and route.path == "/control")
    served = {
        "/control" + route.path: set(route.methods or ()) - {"HEAD"}
        for route in control.routes
        if isinstance(route, Route)
    }
    documented = {path: {method.upper() for method in item} for path, item in document["paths"].items()}
    assert documented == served


def test_control_refuses_bad_input(client: TestClient) -> None:
    assert client.post("/control/persons", json={"carrier": "SKY"}).status_code == 400
    assert client.post("/control/persons", json={"nickname": "x"}).status_code == 400
    assert client.post("/control/sns-accounts", json={"channel": "twitter"}).status_code == 400
    assert client.post("/control/sns-accounts", json={"channel": "kakao", "phone": "01000000000"}).status_code == 404
    assert client.post("/control/next-outcome", json={"provider": "card", "outcome": "wrong_code"}).status_code == 400
    assert client.post("/control/next-outcome", json={"provider": "x", "outcome": "deny"}).status_code == 400
    assert client.post("/control/certificates", json={"product": "?"}).json()["message"]
    assert client.post("/control/certificates/99/revoke").status_code == 404
    assert client.post("/control/persons", content=b"[").status_code == 400


# ==========================================================================================
# Acceptance: an independent OAuth client library completes every SNS flow
# ==========================================================================================


class _TestClientAdapter(BaseAdapter):
    """A requests transport that hands each request to the Starlette TestClient."""

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.client.request(str(request.method), str(request.url), headers=dict(request.headers),
                                     content=body)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.url = str(request.url)
        response.request = request
        response.encoding = answer.encoding
        return response

    def close(self) -> None:
        pass


OAUTHLIB_SETUP = {
    "kakao": ("/kakao/oauth/authorize", "/kakao/oauth/token", "/kakao/v2/user/me",
              ["profile_nickname", "account_email"], {"include_client_id": True}),
    "naver": ("/naver/oauth2.0/authorize", "/naver/oauth2.0/token", "/naver/v1/nid/me", None,
              {"include_client_id": True}),
    "google": ("/google/o/oauth2/v2/auth", "/google/token", "/google/v1/userinfo",
               ["openid", "email", "profile"], {}),  # HTTP Basic client authentication
    "facebook": ("/facebook/v19.0/dialog/oauth", "/facebook/v19.0/oauth/access_token", "/facebook/v19.0/me",
                 ["email"], {"include_client_id": True, "method": "GET"}),
}


def test_requests_oauthlib_completes_every_provider(
    client: TestClient, channel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the app is served over plain http here
    person, account = _sns_account(client, channel)
    authorize_path, token_path, user_path, scope, token_options = OAUTHLIB_SETUP[channel]
    session = OAuth2Session(f"ti24-{channel}-client", redirect_uri=_callback(channel), scope=scope, pkce="S256")
    session.mount(B + "/", _TestClientAdapter(client))

    authorization_url, state = session.authorization_url(B + authorize_path)
    page = session.get(authorization_url)
    assert page.status_code == 200 and TITLES[channel] in page.text
    answer = session.post(
        authorization_url,
        data={"request": _hidden(page.text, "request"), "login_id": account["login_id"],
              "password": account["password"], "action": "agree"},
        allow_redirects=False,
    )
    assert answer.status_code == 302
    callback = answer.headers["location"]
    assert _query(callback)["state"] == state

    token = session.fetch_token(B + token_path, authorization_response=callback,
                                client_secret=f"ti24-{channel}-secret", **token_options)
    assert token["access_token"]
    params = {"fields": "id,name,email"} if channel == "facebook" else None
    me = session.get(B + user_path, params=params)
    assert me.status_code == 200, me.text
    profile = me.json()
    subject = {"kakao": lambda p: str(p["id"]), "naver": lambda p: p["response"]["id"],
               "google": lambda p: p["sub"], "facebook": lambda p: p["id"]}[channel](profile)
    assert subject == account["subject"]
    assert person["email"] in json.dumps(profile, ensure_ascii=False)


def test_urls_in_pages_are_absolute_to_the_app(client: TestClient) -> None:
    index = client.get("/")
    assert index.status_code == 200 and f"{B}/control/openapi.json" in index.text
    assert client.get("/nowhere").text == "페이지를 찾을 수 없습니다."


def test_card_next_outcome_timeout_and_cancel(client: TestClient) -> None:
    person = _person(client, cards=["국민"])
    client.post("/control/next-outcome", json={"provider": "card", "outcome": "timeout"})
    imp_uid, done = _card_flow(client, person, "approve")
    assert done.status_code == 200 and 'role="alert"' in done.text and "만료" in done.text
    result = client.get(f"/card/certifications/{imp_uid}", headers=SITE_HEADERS).json()
    assert result["code"] == -1 and result["response"]["fail_reason"] == "expired"
    client.post("/control/next-outcome", json={"provider": "card", "outcome": "cancel"})
    imp_uid, done = _card_flow(client, person, "approve")
    assert done.status_code == 303
    result = client.get(f"/card/certifications/{imp_uid}", headers=SITE_HEADERS).json()
    assert result["response"]["fail_reason"] == "cancelled" and "취소" in result["message"]
