"""The HTTP adapters against the fake providers' HTTP app, in-process through SyncASGITransport.

The site side is the adapters under test; the member's side (login pages, SMS code, card app,
간편인증 app, certificate dialog) is driven with a plain httpx client against the same app, the way
a browser would: GET a page, fill in its form, submit, follow the redirect.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from fake_providers.http.app import create_app
from fake_providers.world import ProviderWorld
from simulator import bootstrap
from simulator.adapters.asgi_transport import SyncASGITransport
from simulator.adapters.certificate_verifier import X509CertificateVerifier
from simulator.adapters.clock import FixedClock
from simulator.adapters.http_providers import (
    HttpBusinessStatus,
    HttpRealName,
    HttpSnsLogin,
    HttpTrustStore,
    ProviderEndpoints,
    SnsClient,
)
from simulator.domain.errors import Refusal
from simulator.service_layer import auth
from simulator.service_layer.ports import AuthorizationRequest, PresentedCertificate

NOW = datetime(2025, 3, 4, 1, 2, 3, tzinfo=UTC)
BASE = "http://providers.test"
RETURN_URL = "http://127.0.0.1/member/verification/return"
CERT_RETURN = "http://127.0.0.1/company/certificate/return"
BIZNO = "1208147521"
CERT_PASSWORD = "qwer1234!"
CHANNELS = ("kakao", "naver", "google", "facebook")


# --------------------------------------------------------------------------------------------
# Fixtures and the member's browser
# --------------------------------------------------------------------------------------------


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def world(clock: FixedClock) -> ProviderWorld:
    return ProviderWorld(clock.now, seed=24)


@pytest.fixture
def app(world: ProviderWorld) -> Starlette:
    return create_app(world)


@pytest.fixture
def transport(app: Starlette) -> Iterator[SyncASGITransport]:
    transport = SyncASGITransport(app)
    yield transport
    transport.close()


@pytest.fixture
def http(transport: SyncASGITransport) -> Iterator[httpx.Client]:
    """The simulator's server-to-server client."""
    with httpx.Client(transport=transport, timeout=10) as client:
        yield client


@pytest.fixture
def endpoints() -> ProviderEndpoints:
    return ProviderEndpoints()


@pytest.fixture
def browser(transport: SyncASGITransport) -> Iterator[httpx.Client]:
    """The member's browser (keeps cookies, does not follow redirects by itself)."""
    with httpx.Client(transport=transport, base_url=BASE, follow_redirects=False, timeout=10) as client:
        yield client


def control(browser: httpx.Client, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    response = browser.post(f"/control{path}", json=payload or {})
    assert response.status_code in (200, 201), response.text
    return response.json()


class _Forms(HTMLParser):
    """The forms of a page: action, method, fields (name → value) and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                {"action": attributes.get("action", ""), "method": attributes.get("method", "get").upper(),
                 "fields": {}, "names": set(), "buttons": []}
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attributes.get("name")
        if tag == "button" and name:
            form["buttons"].append((name, attributes.get("value", "")))
        elif tag == "input" and name:
            form["names"].add(name)
            kind = attributes.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attributes:
                    form["fields"][name] = attributes.get("value", "on")
            elif kind != "submit":
                form["fields"].setdefault(name, attributes.get("value", ""))


def forms(page: httpx.Response) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(page.text)
    return parser.forms


def submit(
    browser: httpx.Client,
    page: httpx.Response,
    values: dict[str, str] | None = None,
    *,
    button: tuple[str, str] | None = None,
    form_with: str | None = None,
) -> httpx.Response:
    """Fill in the page's form (the first one, or the first with field ``form_with``) and submit it."""
    candidates = [f for f in forms(page) if form_with is None or form_with in f["names"]]
    assert candidates, f"no form on {page.url}: {page.text[:500]}"
    form = candidates[0]
    data = dict(form["fields"])
    data.update(values or {})
    if button is not None:
        assert button in form["buttons"], f"{button} not in {form['buttons']}"
        data[button[0]] = button[1]
    target = urljoin(str(page.url), form["action"]) if form["action"] else str(page.url)
    if form["method"] == "POST":
        return browser.post(target, data=data)
    return browser.get(target, params=data)


def follow(browser: httpx.Client, response: httpx.Response) -> httpx.Response | str:
    """Follow redirects inside the providers' site; return the URL of a redirect leaving it."""
    while response.is_redirect:
        location = urljoin(str(response.url), response.headers["location"])
        if not location.startswith(BASE):
            return location
        response = browser.get(location)
    return response


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def refusal(call: Callable[[], object]) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value


# --------------------------------------------------------------------------------------------
# SyncASGITransport
# --------------------------------------------------------------------------------------------


def test_transport_serves_a_sync_client_from_main_thread_worker_thread_and_inside_an_event_loop(
    http: httpx.Client,
) -> None:
    def roots() -> int:
        return http.get(f"{BASE}/ca/roots").status_code

    assert roots() == 200
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda _: roots(), range(8))) == [200] * 8

    async def inside_a_running_loop() -> int:
        return roots()

    assert asyncio.run(inside_a_running_loop()) == 200


def test_transport_works_inside_a_running_server(http: httpx.Client, browser: httpx.Client) -> None:
    """A simulator endpoint (sync, in the server's threadpool; or async, on the server's loop) calling
    the providers through SyncASGITransport, while itself being served by an ASGI server."""
    control(browser, "/businesses", {"b_no": BIZNO, "status": "02"})
    lookup = HttpBusinessStatus(ProviderEndpoints(), http)

    def sync_endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(lookup.status(BIZNO).label)

    async def async_endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(lookup.status(BIZNO).label)  # blocking call on the loop's thread

    site = Starlette(routes=[Route("/sync", sync_endpoint), Route("/async", async_endpoint)])

    async def serve() -> list[str]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(site), base_url="http://site.test") as client:
            return [(await client.get(path)).text for path in ("/sync", "/async")]

    assert asyncio.run(serve()) == ["휴업자", "휴업자"]
    with httpx.Client(transport=SyncASGITransport(site), base_url="http://site.test") as client:
        assert client.get("/sync").text == client.get("/async").text == "휴업자"


def test_transport_sends_streamed_request_bodies_and_returns_status_headers_and_body(
    http: httpx.Client,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"b_no": '
        yield b'["1208147521"]}'

    response = http.post(
        f"{BASE}/nts/api/nts-businessman/v1/status",
        params={"serviceKey": "ti24-test-service-key"},
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"][0]["b_no"] == "1208147521"


def test_transport_turns_an_app_exception_into_500_when_asked() -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    with httpx.Client(transport=SyncASGITransport(broken, raise_app_exceptions=False)) as client:
        assert client.get(f"{BASE}/anything").status_code == 500
    with httpx.Client(transport=SyncASGITransport(broken)) as client, pytest.raises(RuntimeError):
        client.get(f"{BASE}/anything")


# --------------------------------------------------------------------------------------------
# ProviderEndpoints
# --------------------------------------------------------------------------------------------


def test_endpoints_default_to_the_single_fake_providers_app() -> None:
    endpoints = ProviderEndpoints.from_mapping({})
    assert endpoints == ProviderEndpoints()
    assert endpoints.url("kakao", "token") == f"{BASE}/kakao/oauth/token"
    assert endpoints.url("pass", "result", id="a/b") == f"{BASE}/pass/identity-verifications/a%2Fb"
    assert endpoints.url("ca", "crl", org="private-ca") == f"{BASE}/ca/private-ca/crl"
    assert endpoints.issuer() == f"{BASE}/google"
    assert endpoints.sns_clients["facebook"] == SnsClient(
        "ti24-facebook-client", "ti24-facebook-secret", "http://127.0.0.1/oauth/facebook/callback",
        "client_secret_query",
    )


def test_endpoints_take_per_provider_roots_per_endpoint_urls_and_credentials() -> None:
    endpoints = ProviderEndpoints.from_mapping(
        {
            "base_url": "http://fakes.internal:8100/",
            "provider_roots": {"nts": "http://nts.internal/nts"},
            "urls": {"kakao.userinfo": "https://kapi.kakao.com/v2/user/me"},
            "redirect_base": "https://www.example.kr/oauth",
            "sns": {"google": {"client_id": "g-id", "token_auth_method": "client_secret_basic"}},
            "site_secret": "s3cret",
            "google_issuer": "https://accounts.google.com",
            "crl_max_age_seconds": 60,
        }
    )
    assert endpoints.url("nts", "status") == "http://nts.internal/nts/api/nts-businessman/v1/status"
    assert endpoints.url("kakao", "userinfo") == "https://kapi.kakao.com/v2/user/me"
    assert endpoints.url("kakao", "token") == "http://fakes.internal:8100/kakao/oauth/token"
    assert endpoints.sns_clients["google"] == SnsClient(
        "g-id", "ti24-google-secret", "https://www.example.kr/oauth/google/callback", "client_secret_basic"
    )
    assert endpoints.site_secret == "s3cret"
    assert endpoints.issuer() == "https://accounts.google.com"
    assert endpoints.crl_max_age == timedelta(minutes=1)


@pytest.mark.parametrize(
    "config",
    [
        {"base_uri": "http://x"},
        {"provider_roots": {"kakaotalk": "http://x"}},
        {"urls": {"kakao.profile": "http://x"}},
        {"sns": {"line": {}}},
        {"sns": {"kakao": {"secret": "x"}}},
        {"sns": {"kakao": {"token_auth_method": "private_key_jwt"}}},
    ],
)
def test_endpoints_refuse_unknown_settings(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ProviderEndpoints.from_mapping(config)


def test_a_provider_can_live_at_another_root(transport: SyncASGITransport, browser: httpx.Client) -> None:
    control(browser, "/businesses", {"b_no": BIZNO, "status": "01"})
    seen: list[str] = []
    with httpx.Client(transport=transport, event_hooks={"request": [lambda r: seen.append(str(r.url))]}) as http:
        lookup = HttpBusinessStatus(
            ProviderEndpoints.from_mapping({"provider_roots": {"nts": "http://nts.internal/nts"}}), http
        )
        assert lookup.status(BIZNO).code == "01"
    assert seen[0].startswith("http://nts.internal/nts/api/nts-businessman/v1/status?serviceKey=")


# --------------------------------------------------------------------------------------------
# SNS login
# --------------------------------------------------------------------------------------------


def sns_account(browser: httpx.Client, channel: str) -> dict[str, Any]:
    person = control(browser, "/persons", {})
    return control(browser, "/sns-accounts", {"channel": channel, "phone": person["phone"]})


def at_provider(
    browser: httpx.Client, request: AuthorizationRequest, account: dict[str, Any] | None, action: str = "agree"
) -> dict[str, str]:
    """The member at the provider's login page; returns the callback's query parameters."""
    page = browser.get(request.url)
    assert page.status_code == 200, page.text
    values = {"login_id": account["login_id"], "password": account["password"]} if account else {}
    response = submit(browser, page, values, button=("action", action))
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(request.redirect_uri + "?")
    return query(location)


@pytest.fixture
def sns(endpoints: ProviderEndpoints, http: httpx.Client, clock: FixedClock) -> HttpSnsLogin:
    return HttpSnsLogin(endpoints, http, now=clock.now)


@pytest.mark.parametrize("channel", CHANNELS)
def test_sns_login_happy_path(channel: str, sns: HttpSnsLogin, browser: httpx.Client) -> None:
    account = sns_account(browser, channel)
    request = sns.authorization_request(channel)

    sent = query(request.url)
    assert request.url.startswith(f"{BASE}/{channel}/")
    assert sent["response_type"] == "code"
    assert sent["client_id"] == f"ti24-{channel}-client"
    assert sent["redirect_uri"] == request.redirect_uri
    assert sent["state"] == request.state
    assert sent["nonce"] == request.nonce
    assert sent["code_challenge"] == request.code_challenge
    assert sent["code_challenge_method"] == "S256"
    assert 43 <= len(request.code_verifier) <= 128

    callback = at_provider(browser, request, account)
    assert callback["state"] == request.state  # echoed; the service compares it with the flow's
    profile = sns.complete(request, callback["code"])

    assert profile.channel == channel
    assert profile.subject == account["subject"]
    assert profile.name == account["name"]
    if channel in ("kakao", "naver"):
        assert profile.phone == account["phone"]
    if channel != "kakao" or account["email"]:
        assert profile.email == account["email"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_sns_consent_refused_comes_back_as_an_error_with_the_state(
    channel: str, sns: HttpSnsLogin, browser: httpx.Client
) -> None:
    request = sns.authorization_request(channel)
    callback = at_provider(browser, request, None, action="cancel")
    assert callback["error"] == "access_denied"
    assert callback["state"] == request.state
    assert "code" not in callback


@pytest.mark.parametrize("channel", CHANNELS)
def test_sns_wrong_client_secret_fails_at_the_token_endpoint(
    channel: str, http: httpx.Client, browser: httpx.Client, clock: FixedClock
) -> None:
    good = ProviderEndpoints()
    bad = replace(good, sns_clients={**good.sns_clients, channel: replace(good.sns_clients[channel],
                                                                          client_secret="wrong")})
    adapter = HttpSnsLogin(bad, http, now=clock.now)
    request = adapter.authorization_request(channel)
    callback = at_provider(browser, request, sns_account(browser, channel))
    refused = refusal(lambda: adapter.complete(request, callback["code"]))
    assert refused.code == "sns_token_failed"
    assert "로그인 인증에 실패했습니다" in refused.message


@pytest.mark.parametrize("channel", CHANNELS)
def test_sns_code_is_single_use_and_bound_to_the_pkce_verifier(
    channel: str, sns: HttpSnsLogin, browser: httpx.Client
) -> None:
    account = sns_account(browser, channel)
    request = sns.authorization_request(channel)
    code = at_provider(browser, request, account)["code"]
    other_verifier = replace(request, code_verifier=sns.authorization_request(channel).code_verifier)
    assert refusal(lambda: sns.complete(other_verifier, code)).code == "sns_token_failed"

    request = sns.authorization_request(channel)
    code = at_provider(browser, request, account)["code"]
    sns.complete(request, code)
    assert refusal(lambda: sns.complete(request, code)).code == "sns_token_failed"
    assert refusal(lambda: sns.complete(request, "")).code == "sns_token_failed"


def test_sns_google_accepts_client_secret_basic(http: httpx.Client, browser: httpx.Client, clock: FixedClock) -> None:
    good = ProviderEndpoints()
    basic = replace(good, sns_clients={**good.sns_clients, "google": replace(
        good.sns_clients["google"], token_auth_method="client_secret_basic")})
    adapter = HttpSnsLogin(basic, http, now=clock.now)
    account = sns_account(browser, "google")
    request = adapter.authorization_request("google")
    assert adapter.complete(request, at_provider(browser, request, account)["code"]).subject == account["subject"]


def test_sns_unknown_channel(sns: HttpSnsLogin) -> None:
    assert refusal(lambda: sns.authorization_request("line")).code == "sns_channel_unknown"


def test_google_id_token_nonce_must_be_the_one_sent(sns: HttpSnsLogin, browser: httpx.Client) -> None:
    request = sns.authorization_request("google")
    code = at_provider(browser, request, sns_account(browser, "google"))["code"]
    forged = replace(request, nonce=secrets.token_urlsafe(32))  # a token minted for another login
    refused = refusal(lambda: sns.complete(forged, code))
    assert refused.code == "sns_id_token_invalid"
    assert refused.message == "구글 로그인 정보를 확인할 수 없습니다. 다시 로그인해 주세요."


class _TamperIdToken(httpx.BaseTransport):
    """Rewrites the id_token in Google's token response (re-signed with the provider's own key
    unless ``resign`` is False), as a compromised or misconfigured provider would send it."""

    def __init__(self, inner: httpx.BaseTransport, world: ProviderWorld, change: dict[str, Any],
                 resign: bool = True) -> None:
        self.inner, self.world, self.change, self.resign = inner, world, change, resign

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path != "/google/token" or response.status_code != 200:
            return response
        response.read()
        body = response.json()
        header_b64, payload_b64, signature = body["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
        claims.update(self.change)
        if self.resign:
            google = self.world.sns["google"]
            body["id_token"] = jwt.encode(
                {"alg": "RS256", "kid": google._kid, "typ": "JWT"}, claims, google._key, algorithms=["RS256"]
            )
        else:
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            body["id_token"] = f"{header_b64}.{payload}.{signature}"
        return httpx.Response(200, json=body, request=request)


@pytest.mark.parametrize(
    ("change", "resign"),
    [
        ({"nonce": "another-nonce"}, True),
        ({"iss": "https://evil.example"}, True),
        ({"aud": "someone-elses-client"}, True),
        ({"azp": "someone-elses-client"}, True),
        ({"exp": int(NOW.timestamp()) - 3600, "iat": int(NOW.timestamp()) - 7200}, True),
        ({"sub": "1000000000000000000000"}, True),
        ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, True),
        ({"email": "attacker@example.com"}, False),  # signature no longer matches
    ],
    ids=["nonce", "iss", "aud", "azp", "exp", "sub", "at_hash", "signature"],
)
def test_google_tampered_id_token_is_refused(
    change: dict[str, Any], resign: bool, transport: SyncASGITransport, world: ProviderWorld,
    browser: httpx.Client, clock: FixedClock,
) -> None:
    with httpx.Client(transport=_TamperIdToken(transport, world, change, resign)) as http:
        adapter = HttpSnsLogin(ProviderEndpoints(), http, now=clock.now)
        request = adapter.authorization_request("google")
        code = at_provider(browser, request, sns_account(browser, "google"))["code"]
        assert refusal(lambda: adapter.complete(request, code)).code == "sns_id_token_invalid"


def test_google_id_token_resigned_unchanged_is_accepted(
    transport: SyncASGITransport, world: ProviderWorld, browser: httpx.Client, clock: FixedClock
) -> None:
    """The tampering harness itself leaves a valid token valid: the refusals above are the checks'."""
    with httpx.Client(transport=_TamperIdToken(transport, world, {})) as http:
        adapter = HttpSnsLogin(ProviderEndpoints(), http, now=clock.now)
        account = sns_account(browser, "google")
        request = adapter.authorization_request("google")
        code = at_provider(browser, request, account)["code"]
        assert adapter.complete(request, code).subject == account["subject"]


def test_google_key_rotation_refetches_the_jwks(sns: HttpSnsLogin, world: ProviderWorld, browser: httpx.Client) -> None:
    account = sns_account(browser, "google")
    request = sns.authorization_request("google")
    sns.complete(request, at_provider(browser, request, account)["code"])  # JWKS now cached

    google = world.sns["google"]
    google._key = RSAKey.generate_key(2048, private=True)
    google._key.ensure_kid()
    google._kid = str(google._key.kid)
    request = sns.authorization_request("google")
    assert sns.complete(request, at_provider(browser, request, account)["code"]).subject == account["subject"]


def test_google_id_token_checked_against_the_simulators_clock(
    sns: HttpSnsLogin, browser: httpx.Client, clock: FixedClock
) -> None:
    request = sns.authorization_request("google")
    code = at_provider(browser, request, sns_account(browser, "google"))["code"]
    sns.now = lambda: clock.now() + timedelta(hours=2)  # the token is long expired by then
    assert refusal(lambda: sns.complete(request, code)).code == "sns_id_token_invalid"


def test_google_discovery_must_name_the_expected_issuer(
    http: httpx.Client, browser: httpx.Client, clock: FixedClock
) -> None:
    adapter = HttpSnsLogin(ProviderEndpoints(google_issuer="https://accounts.google.com"), http, now=clock.now)
    request = adapter.authorization_request("google")
    code = at_provider(browser, request, sns_account(browser, "google"))["code"]
    assert refusal(lambda: adapter.complete(request, code)).code == "sns_id_token_invalid"


def test_sns_provider_down_is_a_token_failure(endpoints: ProviderEndpoints, clock: FixedClock) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(down)) as http:
        adapter = HttpSnsLogin(endpoints, http, now=clock.now)
        request = adapter.authorization_request("kakao")  # building the URL needs no network
        assert refusal(lambda: adapter.complete(request, "some-code")).code == "sns_token_failed"


@pytest.mark.parametrize(
    ("channel", "answer"),
    [
        ("kakao", httpx.Response(401, json={"msg": "this access token does not exist", "code": -401})),
        ("naver", httpx.Response(200, json={"resultcode": "024", "message": "Authentication failed"})),
        ("google", httpx.Response(200, text="<html>not json</html>")),
        ("facebook", httpx.Response(400, json={"error": {"message": "Invalid OAuth access token", "code": 190}})),
    ],
)
def test_sns_userinfo_failure(
    channel: str, answer: httpx.Response, transport: SyncASGITransport, browser: httpx.Client, clock: FixedClock
) -> None:
    userinfo = urlsplit(ProviderEndpoints().url(channel, "userinfo")).path

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == userinfo:
            return answer
        return transport.handle_request(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        adapter = HttpSnsLogin(ProviderEndpoints(), http, now=clock.now)
        request = adapter.authorization_request(channel)
        code = at_provider(browser, request, sns_account(browser, channel))["code"]
        refused = refusal(lambda: adapter.complete(request, code))
        assert refused.code == "sns_userinfo_failed"
        assert "회원정보를 가져오지 못했습니다" in refused.message


def test_service_sees_the_consent_refusal_and_the_profile_through_http(
    sns: HttpSnsLogin, http: httpx.Client, endpoints: ProviderEndpoints, browser: httpx.Client, clock: FixedClock
) -> None:
    store = HttpTrustStore(endpoints, http, clock.now)
    ctx = bootstrap.build(
        real_name=HttpRealName(endpoints, http),
        sns=sns,
        business_status=HttpBusinessStatus(endpoints, http),
        certificates=X509CertificateVerifier(store.trust_roots, store.intermediates, store.crls),
        hashing="cheap",
        clock=clock,
    )
    flow, request = auth.start_simple_login(ctx, "naver")
    callback = at_provider(browser, request, None, action="cancel")
    refused = refusal(lambda: auth.finish_simple_login(
        ctx, flow, code=callback.get("code"), state=callback["state"], error=callback.get("error")))
    assert refused.code == "sns_consent_refused"

    flow, request = auth.start_simple_login(ctx, "naver")
    callback = at_provider(browser, request, sns_account(browser, "naver"))
    refused = refusal(lambda: auth.finish_simple_login(ctx, flow, code=callback["code"], state="forged"))
    assert refused.code == "sns_state_mismatch"

    flow, request = auth.start_simple_login(ctx, "naver")
    callback = at_provider(browser, request, sns_account(browser, "naver"))
    refused = refusal(lambda: auth.finish_simple_login(ctx, flow, code=callback["code"], state=callback["state"]))
    assert refused.code == "simple_member_unknown"  # the profile was fetched; no such member yet


# --------------------------------------------------------------------------------------------
# 실명인증
# --------------------------------------------------------------------------------------------


@pytest.fixture
def real_name(endpoints: ProviderEndpoints, http: httpx.Client) -> HttpRealName:
    return HttpRealName(endpoints, http)


@pytest.fixture
def person(browser: httpx.Client) -> dict[str, Any]:
    return control(browser, "/persons", {"carrier": "LG U+", "cards": ["신한"], "apps": ["카카오", "PASS"]})


def birth(person: dict[str, Any]) -> str:
    return person["birth_date"].replace("-", "")


def pass_ceremony(browser: httpx.Client, auth_url: str, person: dict[str, Any], *, code: str | None = None,
                  carrier: str | None = None) -> httpx.Response | str:
    page = browser.get(auth_url)
    page = follow(browser, submit(browser, page, {"carrier": carrier or person["carrier"]}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    identity = {"name": person["name"], "birth_date": birth(person), "phone": person["phone"], "agree": "on"}
    page = follow(browser, submit(browser, page, identity, button=("action", "send")))
    assert isinstance(page, httpx.Response) and page.status_code == 200, page
    if code is None:
        code = browser.get(f"/control/sms/{person['phone']}").json()["latest_code"]
    return follow(browser, submit(browser, page, {"code": code}, button=("action", "confirm"), form_with="code"))


def test_pass_verification(real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any]) -> None:
    started = real_name.begin("phone", RETURN_URL)
    assert started.method == "phone"
    assert started.auth_url == f"{BASE}/pass/verify/{started.id}"
    assert refusal(lambda: real_name.fetch_result("phone", started.id)).code == "verification_incomplete"

    back = pass_ceremony(browser, started.auth_url, person)
    assert back == f"{RETURN_URL}?identityVerificationId={started.id}"

    verified = real_name.fetch_result("phone", started.id)
    assert verified.method == "phone"
    assert verified.name == person["name"]
    assert verified.birth_date == date.fromisoformat(person["birth_date"])
    assert verified.gender == person["gender"]
    assert verified.phone == person["phone"]
    assert verified.ci == person["ci"] and verified.di == person["di"]
    assert verified.carrier == "LG U+"

    reused = refusal(lambda: real_name.fetch_result("phone", started.id))
    assert reused.code == "verification_reused"
    assert reused.message == "이미 사용된 본인인증 정보입니다. 본인인증을 다시 진행해 주세요."


def test_pass_wrong_carrier_is_refused_at_the_provider(
    real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any]
) -> None:
    started = real_name.begin("phone", RETURN_URL)
    page = browser.get(started.auth_url)
    page = follow(browser, submit(browser, page, {"carrier": "SKT"}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    identity = {"name": person["name"], "birth_date": birth(person), "phone": person["phone"], "agree": "on"}
    page = submit(browser, page, identity, button=("action", "send"))
    assert "통신사 가입 정보와 일치하지 않습니다" in page.text
    assert refusal(lambda: real_name.fetch_result("phone", started.id)).code == "verification_incomplete"


def test_pass_five_wrong_codes_fail_the_verification(
    real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any]
) -> None:
    started = real_name.begin("phone", RETURN_URL)
    page = pass_ceremony(browser, started.auth_url, person, code="000000")
    for _ in range(4):
        assert isinstance(page, httpx.Response) and 'role="alert"' in page.text
        page = follow(browser, submit(browser, page, {"code": "000000"}, button=("action", "confirm"),
                                      form_with="code"))
    assert isinstance(page, httpx.Response) and "본인인증이 취소되었습니다" in page.text
    refused = refusal(lambda: real_name.fetch_result("phone", started.id))
    assert refused.code == "verification_failed"


def card_ceremony(browser: httpx.Client, auth_url: str, person: dict[str, Any], *, company: str = "신한",
                  action: str = "approve") -> httpx.Response | str:
    page = browser.get(auth_url)
    page = follow(browser, submit(browser, page, {"company": company}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    page = follow(browser, submit(browser, page, {"method": "앱카드"}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    identity = {"name": person["name"], "birth_date": birth(person), "phone": person["phone"]}
    page = follow(browser, submit(browser, page, identity, button=("action", "next")))
    assert isinstance(page, httpx.Response), page
    return follow(browser, submit(browser, page, button=("action", action)))


def test_card_verification(real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any]) -> None:
    started = real_name.begin("card", RETURN_URL)
    assert started.method == "card" and started.id.startswith("imp_")
    assert refusal(lambda: real_name.fetch_result("card", started.id)).code == "verification_incomplete"

    assert card_ceremony(browser, started.auth_url, person) == f"{RETURN_URL}?imp_uid={started.id}"
    verified = real_name.fetch_result("card", started.id)
    assert (verified.method, verified.provider) == ("card", "신한")
    assert verified.ci == person["ci"] and verified.di == person["di"]
    assert verified.phone == person["phone"]
    assert refusal(lambda: real_name.fetch_result("card", started.id)).code == "verification_reused"


def test_card_denied_and_unknown_card(real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any]) -> None:
    started = real_name.begin("card", RETURN_URL)
    card_ceremony(browser, started.auth_url, person, action="deny")
    denied = refusal(lambda: real_name.fetch_result("card", started.id))
    assert denied.code == "verification_denied"
    assert "거절" in denied.message

    started = real_name.begin("card", RETURN_URL)
    page = browser.get(started.auth_url)
    page = follow(browser, submit(browser, page, {"company": "현대"}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    page = follow(browser, submit(browser, page, {"method": "ARS"}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    identity = {"name": person["name"], "birth_date": birth(person), "phone": person["phone"]}
    page = submit(browser, page, identity, button=("action", "next"))
    assert "등록된 현대카드가 없습니다" in page.text


def test_card_expired(real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any],
                      clock: FixedClock) -> None:
    started = real_name.begin("card", RETURN_URL)
    page = browser.get(started.auth_url)
    page = follow(browser, submit(browser, page, {"company": "신한"}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    page = follow(browser, submit(browser, page, {"method": "앱카드"}, button=("action", "next")))
    assert isinstance(page, httpx.Response)
    identity = {"name": person["name"], "birth_date": birth(person), "phone": person["phone"]}
    follow(browser, submit(browser, page, identity, button=("action", "next")))
    clock.advance(timedelta(minutes=5, seconds=1))
    assert refusal(lambda: real_name.fetch_result("card", started.id)).code == "verification_expired"


def in_the_app(browser: httpx.Client, person: dict[str, Any], receipt: str, action: str) -> None:
    page = browser.get("/simple-auth/app", params={"phone": person["phone"]})
    assert receipt in page.text
    form = next(f for f in forms(page) if f["action"].endswith(f"/simple-auth/app/{receipt}"))
    response = browser.post(form["action"], data={**form["fields"], "action": action})
    assert response.status_code == 303


def test_simple_auth_verification(real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any],
                                  endpoints: ProviderEndpoints, http: httpx.Client) -> None:
    born = date.fromisoformat(person["birth_date"])
    started = real_name.request_simple("카카오", person["name"], born, person["phone"])
    assert started.method == "simple" and started.id and not started.auth_url
    incomplete = refusal(lambda: real_name.fetch_result("simple", started.id))
    assert incomplete.code == "verification_incomplete"

    in_the_app(browser, person, started.id, "approve")
    verified = real_name.fetch_result("simple", started.id)
    assert (verified.method, verified.provider) == ("simple", "카카오")
    assert verified.ci == person["ci"] and verified.di == person["di"]
    assert verified.birth_date == born
    assert refusal(lambda: real_name.fetch_result("simple", started.id)).code == "verification_reused"
    # the provider hands a result out once, even to another instance of the site
    other = HttpRealName(endpoints, http)
    assert refusal(lambda: other.fetch_result("simple", started.id)).code == "verification_reused"


def test_simple_auth_denied_expired_and_refused_requests(
    real_name: HttpRealName, browser: httpx.Client, person: dict[str, Any], clock: FixedClock
) -> None:
    born = date.fromisoformat(person["birth_date"])
    denied = real_name.request_simple("PASS", person["name"], born, person["phone"])
    in_the_app(browser, person, denied.id, "deny")
    refused = refusal(lambda: real_name.fetch_result("simple", denied.id))
    assert refused.code == "verification_denied"
    assert "간편인증 요청이 거절되었습니다" in refused.message

    expired = real_name.request_simple("PASS", person["name"], born, person["phone"])
    clock.advance(timedelta(minutes=5, seconds=1))
    assert refusal(lambda: real_name.fetch_result("simple", expired.id)).code == "verification_expired"

    no_certificate = refusal(lambda: real_name.request_simple("토스", person["name"], born, person["phone"]))
    assert no_certificate.code == "certificate_not_issued"
    assert "토스 인증서가 발급되지 않은 사용자입니다" in no_certificate.message
    nobody = refusal(lambda: real_name.request_simple("카카오", "없는사람", born, person["phone"]))
    assert nobody.code == "receiver_not_found" and "사용자를 찾을 수 없습니다" in nobody.message


def test_simple_auth_polls_until_the_member_answers(
    endpoints: ProviderEndpoints, transport: SyncASGITransport, browser: httpx.Client, person: dict[str, Any]
) -> None:
    born = date.fromisoformat(person["birth_date"])
    answered: list[bool] = []

    def approve_on_second_poll(request: httpx.Request) -> None:
        if request.url.path.startswith("/simple-auth/requests/") and not request.url.path.endswith("/result"):
            answered.append(True)
            if len(answered) == 2:
                in_the_app(browser, person, request.url.path.rsplit("/", 1)[1], "approve")

    with httpx.Client(transport=transport, event_hooks={"request": [approve_on_second_poll]}) as polling:
        adapter = HttpRealName(endpoints, polling, simple_poll_attempts=3, simple_poll_interval=0)
        started = adapter.request_simple("카카오", person["name"], born, person["phone"])
        assert adapter.fetch_result("simple", started.id).ci == person["ci"]
    assert len(answered) == 2


def test_real_name_unknown_ids_methods_and_site_secret(
    real_name: HttpRealName, http: httpx.Client, person: dict[str, Any]
) -> None:
    for method in ("phone", "card", "simple"):
        refused = refusal(lambda method=method: real_name.fetch_result(method, "no-such-id"))
        assert refused.code == "verification_not_found", method
        assert refused.message == "본인인증 내역을 찾을 수 없습니다. 본인인증을 다시 진행해 주세요."
    assert refusal(lambda: real_name.fetch_result("ipin", "x")).code == "verification_method_unknown"
    assert refusal(lambda: real_name.begin("simple", RETURN_URL)).code == "verification_method_unknown"

    started = real_name.begin("phone", RETURN_URL)
    stranger = HttpRealName(ProviderEndpoints(site_secret="not-the-secret"), http)
    for call in (
        lambda: stranger.begin("phone", RETURN_URL),
        lambda: stranger.begin("card", RETURN_URL),
        lambda: stranger.fetch_result("phone", started.id),
        lambda: stranger.request_simple("카카오", person["name"], date(1990, 1, 1), person["phone"]),
    ):
        assert refusal(call).code == "verification_unavailable"


def test_real_name_provider_down(endpoints: ProviderEndpoints) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with httpx.Client(transport=httpx.MockTransport(down)) as http:
        adapter = HttpRealName(endpoints, http)
        assert refusal(lambda: adapter.begin("phone", RETURN_URL)).code == "verification_unavailable"
        assert refusal(lambda: adapter.fetch_result("card", "imp_1")).code == "verification_unavailable"


# --------------------------------------------------------------------------------------------
# 국세청
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "label"), [("01", "계속사업자"), ("02", "휴업자"), ("03", "폐업자")])
def test_nts_status(status: str, label: str, endpoints: ProviderEndpoints, http: httpx.Client,
                    browser: httpx.Client) -> None:
    control(browser, "/businesses", {"b_no": BIZNO, "status": status})
    state = HttpBusinessStatus(endpoints, http).status("120-81-47521")
    assert (state.bizno, state.code, state.label) == (BIZNO, status, label)
    assert bool(state.end_date) == (status == "03")


def test_nts_unregistered_and_format(endpoints: ProviderEndpoints, http: httpx.Client) -> None:
    lookup = HttpBusinessStatus(endpoints, http)
    state = lookup.status("2148801234")
    assert (state.code, state.label) == ("", "국세청에 등록되지 않은 사업자등록번호입니다.")
    assert refusal(lambda: lookup.status("12345")).code == "bizno_format"


def test_nts_wrong_service_key(http: httpx.Client) -> None:
    refused = refusal(lambda: HttpBusinessStatus(ProviderEndpoints(nts_service_key="wrong"), http).status(BIZNO))
    assert refused.code == "nts_unavailable"
    assert refused.message == "국세청 사업자 상태 조회에 실패했습니다. 잠시 후 다시 시도해 주세요."


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, text="Internal Server Error"),
        httpx.Response(413, json={"status_code": "TOO_LARGE_REQUEST"}),
        httpx.Response(411, json={"status_code": "REQUEST_DATA_MALFORMED"}),
        httpx.Response(400, json={"status_code": "BAD_JSON_REQUEST"}),
        httpx.Response(200, json={"status_code": "OK", "data": []}),
        httpx.Response(200, text="<OpenAPI_ServiceResponse>SERVICE ERROR</OpenAPI_ServiceResponse>"),
        None,
    ],
    ids=["500", "413", "411", "400", "empty", "xml", "down"],
)
def test_nts_errors(answer: httpx.Response | None, endpoints: ProviderEndpoints) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if answer is None:
            raise httpx.ConnectError("connection refused", request=request)
        return answer

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        assert refusal(lambda: HttpBusinessStatus(endpoints, http).status(BIZNO)).code == "nts_unavailable"


# --------------------------------------------------------------------------------------------
# 인증기관: trust store + X509CertificateVerifier
# --------------------------------------------------------------------------------------------


def issue_certificate(browser: httpx.Client, holder: str, **extra: str) -> dict[str, Any]:
    return control(browser, "/certificates", {
        "product": "금융결제원(법인)", "bizno": BIZNO, "holder_name": "주식회사 코트라상사",
        "password": CERT_PASSWORD, "holder": holder, **extra,
    })


def through_the_dialog(browser: httpx.Client, holder: str, challenge: bytes) -> PresentedCertificate:
    page = browser.get("/ca/dialog", params={
        "challenge": base64.urlsafe_b64encode(challenge).rstrip(b"=").decode(),
        "bizno": BIZNO, "return": CERT_RETURN, "holder": holder,
    })
    assert page.status_code == 200 and "키보드보안" in page.text
    posted = submit(browser, page, {"password": CERT_PASSWORD}, button=("action", "ok"))
    form = forms(posted)[0]
    assert form["action"] == CERT_RETURN and form["method"] == "POST"
    fields = form["fields"]
    return PresentedCertificate(
        base64.b64decode(fields["certificate"]), base64.b64decode(fields["signature"]),
        base64.b64decode(fields["random_num"]),
    )


@pytest.fixture
def crl_fetches(transport: SyncASGITransport) -> list[str]:
    return []


@pytest.fixture
def counting_http(transport: SyncASGITransport, crl_fetches: list[str]) -> Iterator[httpx.Client]:
    def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/crl"):
            crl_fetches.append(request.url.path)

    with httpx.Client(transport=transport, event_hooks={"request": [record]}) as client:
        yield client


def test_certificate_accepted_then_refused_once_revoked_and_the_crl_refreshed(
    counting_http: httpx.Client, crl_fetches: list[str], browser: httpx.Client, clock: FixedClock,
    endpoints: ProviderEndpoints,
) -> None:
    store = HttpTrustStore(endpoints, counting_http, clock.now)
    verifier = X509CertificateVerifier(store.trust_roots, store.intermediates, store.crls)
    issued = issue_certificate(browser, "wallet-1")
    challenge = secrets.token_bytes(32)
    presented = through_the_dialog(browser, "wallet-1", challenge)

    facts = verifier.verify(presented, challenge, BIZNO, clock.now())
    assert (facts.bizno, facts.serial, facts.issuer) == (BIZNO, int(issued["serial"]), "yessign")
    assert len(crl_fetches) == len(endpoints.ca_orgs)

    control(browser, f"/certificates/{issued['serial']}/revoke")
    clock.advance(timedelta(minutes=4))
    verifier.verify(presented, challenge, BIZNO, clock.now())  # the cached CRL predates the revocation
    assert len(crl_fetches) == len(endpoints.ca_orgs)

    clock.advance(timedelta(minutes=1, seconds=1))  # older than the 5-minute max age: fetched again
    refused = refusal(lambda: verifier.verify(presented, challenge, BIZNO, clock.now()))
    assert refused.code == "cert_revoked"
    assert len(crl_fetches) == 2 * len(endpoints.ca_orgs)


def test_crl_refetched_when_past_next_update_and_kept_when_the_ca_is_down(
    transport: SyncASGITransport, browser: httpx.Client, clock: FixedClock, endpoints: ProviderEndpoints
) -> None:
    up = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        if not up[0]:
            raise httpx.ConnectError("down", request=request)
        return transport.handle_request(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        store = HttpTrustStore(endpoints, http, clock.now, crl_max_age=timedelta(days=30))
        verifier = X509CertificateVerifier(store.trust_roots, store.intermediates, store.crls)
        issued = issue_certificate(browser, "wallet-2")
        challenge = secrets.token_bytes(32)
        presented = through_the_dialog(browser, "wallet-2", challenge)
        verifier.verify(presented, challenge, BIZNO, clock.now())

        control(browser, f"/certificates/{issued['serial']}/revoke")
        clock.advance(timedelta(hours=23))
        verifier.verify(presented, challenge, BIZNO, clock.now())  # within nextUpdate (1 day), max age 30 days
        clock.advance(timedelta(hours=2))  # past nextUpdate: fetched again
        assert refusal(lambda: verifier.verify(presented, challenge, BIZNO, clock.now())).code == "cert_revoked"

        up[0] = False
        clock.advance(timedelta(days=2))  # cached CRLs are stale and the CA cannot be reached
        refused = refusal(lambda: verifier.verify(presented, challenge, BIZNO, clock.now()))
        assert refused.code == "cert_revocation_unknown"


def test_untrusted_certificate_and_pinned_roots(
    http: httpx.Client, browser: httpx.Client, clock: FixedClock, world: ProviderWorld, endpoints: ProviderEndpoints
) -> None:
    fetched = HttpTrustStore(endpoints, http, clock.now)
    verifier = X509CertificateVerifier(fetched.trust_roots, fetched.intermediates, fetched.crls)
    issue_certificate(browser, "wallet-3", condition="untrusted")
    challenge = secrets.token_bytes(32)
    presented = through_the_dialog(browser, "wallet-3", challenge)
    assert refusal(lambda: verifier.verify(presented, challenge, BIZNO, clock.now())).code == "cert_untrusted"

    issue_certificate(browser, "wallet-4")
    presented = through_the_dialog(browser, "wallet-4", challenge)
    real_root_pem = http.get(f"{BASE}/ca/roots").text
    pinned = HttpTrustStore(ProviderEndpoints.from_mapping({"trusted_roots_pem": real_root_pem}), http, clock.now)
    assert pinned.trust_roots() == fetched.trust_roots()
    pinned_verifier = X509CertificateVerifier(pinned.trust_roots, pinned.intermediates, pinned.crls)
    assert pinned_verifier.verify(presented, challenge, BIZNO, clock.now()).bizno == BIZNO

    other_root = x509.load_der_x509_certificate(world.cas.untrusted_chain()[1])
    other_pem = other_root.public_bytes(serialization.Encoding.PEM)
    elsewhere = HttpTrustStore(endpoints, http, clock.now, roots_pem=other_pem)
    elsewhere_verifier = X509CertificateVerifier(elsewhere.trust_roots, elsewhere.intermediates, elsewhere.crls)
    refused = refusal(lambda: elsewhere_verifier.verify(presented, challenge, BIZNO, clock.now()))
    assert refused.code == "cert_untrusted"
