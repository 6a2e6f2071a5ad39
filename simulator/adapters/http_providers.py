"""Adapters from the ports to the outside providers over HTTP.

They speak the HTTP contract of ``docs/providers-http.md``: the simulator is a real HTTP client of
PASS, the card companies, the 간편인증 apps, Kakao / Naver / Google / Facebook, 국세청 and the
certificate authorities. Which server answers is a matter of ``ProviderEndpoints`` and of the
``httpx.Client`` handed in: the fake providers in-process (``SyncASGITransport``), the fakes on a
socket, or anything else that keeps the contract.

Provider answers are translated into port values exactly as the in-process adapters
did, with the same ``Refusal`` codes and Korean messages, so the features
pass unchanged whichever adapters a target is built with. This module deliberately imports nothing
from ``fake_providers``: a deployment pointing at other servers does not need the fakes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..domain.errors import Refusal
from ..service_layer.ports import (
    AuthorizationRequest,
    BusinessState,
    SnsProfile,
    VerificationStart,
    VerifiedPerson,
)

with warnings.catch_warnings():
    # Authlib 1.9 prefers the "httpx2" package and warns when it falls back to httpx.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.httpx_client import OAuth2Client

__all__ = [
    "CA_ORGS",
    "DEFAULT_BASE_URL",
    "PROVIDER_PATHS",
    "SNS_CHANNELS",
    "SNS_SCOPES",
    "HttpBusinessStatus",
    "HttpRealName",
    "HttpSnsLogin",
    "HttpTrustStore",
    "ProviderEndpoints",
    "SnsClient",
]

DEFAULT_BASE_URL = "http://providers.test"
DEFAULT_REDIRECT_BASE = "http://127.0.0.1/oauth"
SNS_CHANNELS = ("kakao", "naver", "google", "facebook")
CA_ORGS = ("yessign", "KICA", "SignKorea", "CrossCert", "TradeSign", "NCASign", "private-ca")

# Scopes the relying party asks for, per channel (as the in-process adapter).
SNS_SCOPES = {"kakao": "", "naver": "", "google": "openid email profile", "facebook": "email"}

# Each provider's endpoints, relative to that provider's root URL (``{base_url}/{provider}`` by default).
PROVIDER_PATHS: dict[str, dict[str, str]] = {
    "kakao": {"authorize": "/oauth/authorize", "token": "/oauth/token", "userinfo": "/v2/user/me"},
    "naver": {"authorize": "/oauth2.0/authorize", "token": "/oauth2.0/token", "userinfo": "/v1/nid/me"},
    "google": {
        "authorize": "/o/oauth2/v2/auth",
        "token": "/token",
        "userinfo": "/v1/userinfo",
        "discovery": "/.well-known/openid-configuration",
        "jwks": "/oauth2/v3/certs",
    },
    "facebook": {
        "authorize": "/v19.0/dialog/oauth",
        "token": "/v19.0/oauth/access_token",
        "userinfo": "/v19.0/me",
    },
    "pass": {"start": "/identity-verifications", "result": "/identity-verifications/{id}"},
    "card": {"start": "/certifications", "result": "/certifications/{id}"},
    "simple-auth": {
        "request": "/requests",
        "status": "/requests/{id}",
        "result": "/requests/{id}/result",
    },
    "nts": {"status": "/api/nts-businessman/v1/status"},
    "ca": {"roots": "/roots", "intermediates": "/intermediates", "crl": "/{org}/crl"},
}

_TOKEN_AUTH_METHODS = ("client_secret_post", "client_secret_basic", "client_secret_query")
_DEFAULT_TOKEN_AUTH = {
    "kakao": "client_secret_post",
    "naver": "client_secret_post",
    "google": "client_secret_post",
    "facebook": "client_secret_query",  # GET /oauth/access_token?client_id=…&client_secret=…
}


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnsClient:
    """This site's registration at one SNS provider."""

    client_id: str
    client_secret: str
    redirect_uri: str
    # client_secret_post | client_secret_basic | client_secret_query (Facebook's GET token endpoint)
    token_auth_method: str = "client_secret_post"


def _default_sns_clients(redirect_base: str = DEFAULT_REDIRECT_BASE) -> dict[str, SnsClient]:
    return {
        channel: SnsClient(
            client_id=f"ti24-{channel}-client",
            client_secret=f"ti24-{channel}-secret",
            redirect_uri=f"{redirect_base.rstrip('/')}/{channel}/callback",
            token_auth_method=_DEFAULT_TOKEN_AUTH[channel],
        )
        for channel in SNS_CHANNELS
    }


@dataclass(frozen=True)
class ProviderEndpoints:
    """Where the providers are and what this site presents to them.

    URL resolution for ``url(provider, endpoint)``, most specific first:

    1. ``urls["<provider>.<endpoint>"]`` — a full URL for one endpoint (e.g. real Kakao splits
       ``kauth.kakao.com`` and ``kapi.kakao.com``);
    2. ``provider_roots["<provider>"]`` + the endpoint's path in ``PROVIDER_PATHS``;
    3. ``{base_url}/{provider}`` + that path (the single fake-providers app of the contract).

    Providers: kakao, naver, google, facebook, pass, card, simple-auth, nts, ca.
    """

    base_url: str = DEFAULT_BASE_URL
    provider_roots: Mapping[str, str] = field(default_factory=dict)
    urls: Mapping[str, str] = field(default_factory=dict)
    site_code: str = "KOTRA-TI24"
    site_secret: str = "ti24-site-secret"
    nts_service_key: str = "ti24-test-service-key"
    sns_clients: Mapping[str, SnsClient] = field(default_factory=_default_sns_clients)
    # The OpenID issuer Google's id_token must carry; default: Google's root URL (``B/google``).
    google_issuer: str | None = None
    ca_orgs: tuple[str, ...] = CA_ORGS
    # PEM of the trusted root certificates the deployer pins; None: fetch ``/ca/roots`` once.
    trusted_roots_pem: str | None = None
    # Max age of a cached CRL before it is fetched again (also refetched when past its nextUpdate).
    crl_max_age: timedelta = timedelta(minutes=5)

    _KEYS = frozenset(
        {
            "base_url", "provider_roots", "urls", "site_code", "site_secret", "nts_service_key",
            "redirect_base", "sns", "google_issuer", "ca_orgs", "trusted_roots_pem",
            "trusted_roots_pem_file", "crl_max_age_seconds",
        }
    )
    _SNS_KEYS = frozenset({"client_id", "client_secret", "redirect_uri", "token_auth_method"})

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> ProviderEndpoints:
        """Build from a plain mapping (TOML / JSON / environment), every key optional::

            base_url = "http://providers.test"
            provider_roots = {kakao = "http://kakao.internal:9000/kakao"}
            urls = {"kakao.userinfo" = "https://kapi.kakao.com/v2/user/me"}
            site_code = "KOTRA-TI24"
            site_secret = "ti24-site-secret"
            nts_service_key = "…"
            redirect_base = "https://www.kotra.or.kr/oauth"     # → {redirect_base}/{channel}/callback
            sns = {kakao = {client_id = "…", client_secret = "…", redirect_uri = "…",
                            token_auth_method = "client_secret_post"}}
            google_issuer = "https://accounts.google.com"
            ca_orgs = ["yessign", "KICA", …]
            trusted_roots_pem = "-----BEGIN CERTIFICATE-----…"  # or trusted_roots_pem_file = "/path"
            crl_max_age_seconds = 300

        Unknown keys raise ValueError (a typo must not silently fall back to a default).
        """
        unknown = set(config) - cls._KEYS
        if unknown:
            raise ValueError(f"unknown provider endpoint settings: {sorted(unknown)}")
        base_url = str(config.get("base_url", DEFAULT_BASE_URL)).rstrip("/")
        clients = _default_sns_clients(str(config.get("redirect_base", DEFAULT_REDIRECT_BASE)))
        for channel, override in dict(config.get("sns", {})).items():
            if channel not in SNS_CHANNELS:
                raise ValueError(f"unknown SNS channel: {channel!r}")
            bad = set(override) - cls._SNS_KEYS
            if bad:
                raise ValueError(f"unknown settings for SNS channel {channel!r}: {sorted(bad)}")
            current = clients[channel]
            clients[channel] = SnsClient(
                client_id=str(override.get("client_id", current.client_id)),
                client_secret=str(override.get("client_secret", current.client_secret)),
                redirect_uri=str(override.get("redirect_uri", current.redirect_uri)),
                token_auth_method=str(override.get("token_auth_method", current.token_auth_method)),
            )
            if clients[channel].token_auth_method not in _TOKEN_AUTH_METHODS:
                raise ValueError(f"token_auth_method must be one of {_TOKEN_AUTH_METHODS}")
        roots_pem = config.get("trusted_roots_pem")
        if roots_pem is None and config.get("trusted_roots_pem_file"):
            roots_pem = Path(str(config["trusted_roots_pem_file"])).read_text(encoding="ascii")
        provider_roots = {str(k): str(v).rstrip("/") for k, v in dict(config.get("provider_roots", {})).items()}
        urls = {str(k): str(v) for k, v in dict(config.get("urls", {})).items()}
        for key in provider_roots:
            if key not in PROVIDER_PATHS:
                raise ValueError(f"unknown provider: {key!r}")
        for key in urls:
            provider, _, endpoint = key.partition(".")
            if endpoint not in PROVIDER_PATHS.get(provider, {}):
                raise ValueError(f"unknown provider endpoint: {key!r}")
        return cls(
            base_url=base_url,
            provider_roots=provider_roots,
            urls=urls,
            site_code=str(config.get("site_code", "KOTRA-TI24")),
            site_secret=str(config.get("site_secret", "ti24-site-secret")),
            nts_service_key=str(config.get("nts_service_key", "ti24-test-service-key")),
            sns_clients=clients,
            google_issuer=str(config["google_issuer"]) if config.get("google_issuer") else None,
            ca_orgs=tuple(str(org) for org in config.get("ca_orgs", CA_ORGS)),
            trusted_roots_pem=str(roots_pem) if roots_pem else None,
            crl_max_age=timedelta(seconds=float(config.get("crl_max_age_seconds", 300))),
        )

    def root(self, provider: str) -> str:
        if provider not in PROVIDER_PATHS:
            raise KeyError(provider)
        return self.provider_roots.get(provider, f"{self.base_url.rstrip('/')}/{provider}").rstrip("/")

    def url(self, provider: str, endpoint: str, **params: str) -> str:
        """The full URL of ``provider``'s ``endpoint``; ``params`` fill ``{id}`` / ``{org}`` (escaped)."""
        escaped = {name: quote(value, safe="") for name, value in params.items()}
        explicit = self.urls.get(f"{provider}.{endpoint}")
        if explicit is not None:
            return explicit.format(**escaped)
        return self.root(provider) + PROVIDER_PATHS[provider][endpoint].format(**escaped)

    def issuer(self) -> str:
        """The issuer Google's discovery document and id_tokens must name."""
        return (self.google_issuer or self.root("google")).rstrip("/")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Small translations
# --------------------------------------------------------------------------------------------

_PHONE_DIGITS = re.compile(r"^01[016789]\d{7,8}$")

# PortOne V2 ``operator`` → carrier label.
_CARRIER_BY_OPERATOR = {
    "SKT": "SKT",
    "KT": "KT",
    "LGU": "LG U+",
    "SKT_MVNO": "알뜰폰(SKT)",
    "KT_MVNO": "알뜰폰(KT)",
    "LGU_MVNO": "알뜰폰(LG U+)",
}


def _format_phone(phone: str) -> str:
    """Any spelling of a Korean mobile number → ``"010-1234-5678"`` (unchanged if not one)."""
    digits = re.sub(r"[\s-]", "", phone)
    if not _PHONE_DIGITS.match(digits):
        return phone
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def _carrier_label(operator: str) -> str | None:
    if operator in _CARRIER_BY_OPERATOR.values():
        return operator
    return _CARRIER_BY_OPERATOR.get(operator)


def _kakao_phone(value: str) -> str:
    """``"+82 10-1234-5678"`` (or ``"+82 010-…"``) → ``"010-1234-5678"``."""
    local = value.strip()
    if local.startswith("+82"):
        local = local[3:].strip()
        if not local.startswith("0"):
            local = "0" + local
    return _format_phone(local)


# --------------------------------------------------------------------------------------------
# 실명인증 (휴대전화 / 신용카드 / 간편인증)
# --------------------------------------------------------------------------------------------

_NOT_FOUND = "본인인증 내역을 찾을 수 없습니다. 본인인증을 다시 진행해 주세요."
_INCOMPLETE = "본인인증이 완료되지 않았습니다. 본인인증을 마친 후 다시 시도해 주세요."
_FAILED = "본인인증에 실패했습니다. 본인인증을 다시 진행해 주세요."
_BAD_DATA = "본인인증 결과를 확인할 수 없습니다. 본인인증을 다시 진행해 주세요."
_REUSED = "이미 사용된 본인인증 정보입니다. 본인인증을 다시 진행해 주세요."
_UNAVAILABLE = "본인인증 기관에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요."
_METHOD_UNKNOWN = "휴대전화, 신용카드, 간편인증 중에서 선택해 주세요."


def _gender(value: object) -> str:
    mapping = {"MALE": "M", "male": "M", "M": "M", "FEMALE": "F", "female": "F", "F": "F"}
    if not isinstance(value, str) or value not in mapping:
        raise Refusal("verification_bad_result", _BAD_DATA)
    return mapping[value]


def _iso_date(value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Refusal("verification_bad_result", _BAD_DATA) from None


def _require_ci_di(ci: object, di: object) -> tuple[str, str]:
    if not isinstance(ci, str) or len(ci) != 88 or not isinstance(di, str) or not di:
        raise Refusal("verification_bad_result", _BAD_DATA)
    return ci, di


def phone_person(body: dict) -> VerifiedPerson:
    """PortOne V2 identity verification (``GET …/identity-verifications/{id}``) → VerifiedPerson."""
    if isinstance(body.get("identityVerification"), dict):  # the envelope some SDKs add
        body = body["identityVerification"]
    status = body.get("status")
    if status == "READY":
        raise Refusal("verification_incomplete", _INCOMPLETE)
    if status != "VERIFIED":
        raise Refusal("verification_failed", _FAILED)
    customer = body.get("verifiedCustomer") or {}
    ci, di = _require_ci_di(customer.get("ci"), customer.get("di"))
    operator = str(customer.get("operator") or "")
    return VerifiedPerson(
        name=str(customer.get("name") or ""),
        birth_date=_iso_date(customer.get("birthDate")),
        gender=_gender(customer.get("gender")),
        foreigner=bool(customer.get("isForeigner")),
        phone=_format_phone(str(customer.get("phoneNumber") or "")),
        ci=ci,
        di=di,
        method="phone",
        carrier=_carrier_label(operator) or operator or None,
    )


def card_person(body: dict) -> VerifiedPerson:
    """iamport certification (the ``response`` object) → VerifiedPerson."""
    if not body.get("certified"):
        reason = body.get("fail_reason")
        if reason == "denied":
            raise Refusal("verification_denied", "카드사 본인인증이 거절되었습니다. 본인인증을 다시 진행해 주세요.")
        if reason == "expired":
            raise Refusal("verification_expired", "본인인증 시간이 만료되었습니다. 본인인증을 다시 진행해 주세요.")
        raise Refusal("verification_incomplete", _INCOMPLETE)
    ci, di = _require_ci_di(body.get("unique_key"), body.get("unique_in_site"))
    return VerifiedPerson(
        name=str(body.get("name") or ""),
        birth_date=_iso_date(body.get("birthday")),
        gender=_gender(body.get("gender")),
        foreigner=bool(body.get("foreigner")),
        phone=_format_phone(str(body.get("phone") or "")),
        ci=ci,
        di=di,
        method="card",
        provider=str(body.get("card_company") or "") or None,
    )


def simple_state_refusal(state: object) -> Refusal | None:
    """간편인증 status → the refusal it means, or None when the request is 완료."""
    if state == "완료":
        return None
    if state == "요청":
        return Refusal("verification_incomplete", "간편인증 앱에서 인증을 완료한 후 다시 시도해 주세요.")
    if state == "거절":
        return Refusal("verification_denied", "간편인증 요청이 거절되었습니다. 본인인증을 다시 진행해 주세요.")
    if state == "만료":
        return Refusal(
            "verification_expired", "간편인증 요청 시간이 만료되었습니다. 본인인증을 다시 진행해 주세요."
        )
    return Refusal("verification_bad_result", _BAD_DATA)


def simple_person(body: dict) -> VerifiedPerson:
    """Barocert-like verifyIdentity result → VerifiedPerson."""
    ci, di = _require_ci_di(body.get("ci"), body.get("di"))
    year, day = str(body.get("receiverYear") or ""), str(body.get("receiverDay") or "")
    if len(year) != 4 or len(day) != 4:
        raise Refusal("verification_bad_result", _BAD_DATA)
    return VerifiedPerson(
        name=str(body.get("receiverName") or ""),
        birth_date=_iso_date(f"{year}-{day[:2]}-{day[2:]}"),
        gender=_gender(body.get("receiverGender")),
        foreigner=body.get("receiverForeign") == "Y",
        phone=_format_phone(str(body.get("receiverHP") or "")),
        ci=ci,
        di=di,
        method="simple",
        provider=str(body.get("app") or "") or None,
    )


class HttpRealName:
    """RealNameVerification over the PASS, card and 간편인증 HTTP APIs.

    Every call carries ``Authorization: Bearer <site secret>``. A verification is accepted once: an
    id that already produced a VerifiedPerson through this adapter is refused (``verification_reused``);
    the 간편인증 provider additionally hands a result out only once.

    ``simple_poll_attempts`` / ``simple_poll_interval``: how often, and how far apart (seconds), the
    간편인증 status is asked while it is still "요청" before giving up (default: once).
    """

    METHODS = ("phone", "card", "simple")

    def __init__(
        self,
        endpoints: ProviderEndpoints,
        http: httpx.Client,
        *,
        simple_poll_attempts: int = 1,
        simple_poll_interval: float = 1.0,
    ) -> None:
        self.endpoints = endpoints
        self.http = http
        self.simple_poll_attempts = max(1, simple_poll_attempts)
        self.simple_poll_interval = simple_poll_interval
        self._used: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    # -- transport -----------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.endpoints.site_secret}", "Accept": "application/json"}

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, url, headers=self._headers(), **kwargs)
        except httpx.HTTPError:
            raise Refusal("verification_unavailable", _UNAVAILABLE) from None

    @staticmethod
    def _result_status(response: httpx.Response) -> dict:
        """The JSON body of a result lookup, or the refusal its status means."""
        if response.status_code in (400, 404):
            raise Refusal("verification_not_found", _NOT_FOUND)
        body = _json(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise Refusal("verification_unavailable", _UNAVAILABLE)
        return body

    # -- starting ------------------------------------------------------------------------

    def begin(self, method: str, return_url: str) -> VerificationStart:
        if method == "phone":
            url = self.endpoints.url("pass", "start")
        elif method == "card":
            url = self.endpoints.url("card", "start")
        else:
            raise Refusal("verification_method_unknown", _METHOD_UNKNOWN)
        response = self._call("POST", url, json={"returnUrl": return_url})
        body = _json(response)
        if response.status_code not in (200, 201) or not isinstance(body, dict):
            message = body.get("message") if isinstance(body, dict) else None
            raise Refusal("verification_unavailable", str(message) if message else _UNAVAILABLE)
        txn_id, auth_url = body.get("id"), body.get("authUrl")
        if not isinstance(txn_id, str) or not txn_id or not isinstance(auth_url, str) or not auth_url:
            raise Refusal("verification_unavailable", _UNAVAILABLE)
        return VerificationStart(method=method, id=txn_id, auth_url=auth_url)

    def request_simple(self, app: str, name: str, birth_date: date, phone: str) -> VerificationStart:
        payload = {"app": app, "name": name, "birth_date": f"{birth_date:%Y%m%d}", "phone": phone}
        response = self._call("POST", self.endpoints.url("simple-auth", "request"), json=payload)
        body = _json(response)
        if response.status_code in (200, 201) and isinstance(body, dict):
            receipt = body.get("receiptID")
            if isinstance(receipt, str) and receipt:
                return VerificationStart(method="simple", id=receipt)
        if response.status_code in (400, 404, 422) and isinstance(body, dict) and body.get("message"):
            # The app's own refusal (사용자 없음, 인증서 미발급, 지원하지 않는 앱): shown as it says.
            code = str(body.get("code") or "simple_auth_refused")
            raise Refusal(code, str(body["message"]))
        raise Refusal("verification_unavailable", _UNAVAILABLE)

    # -- results -------------------------------------------------------------------------

    def fetch_result(self, method: str, transaction_id: str) -> VerifiedPerson:
        if method not in self.METHODS:
            raise Refusal("verification_method_unknown", _METHOD_UNKNOWN)
        key = (method, transaction_id)
        with self._lock:
            if key in self._used:
                raise Refusal("verification_reused", _REUSED)
        if not transaction_id:
            raise Refusal("verification_not_found", _NOT_FOUND)
        if method == "phone":
            person = self._phone(transaction_id)
        elif method == "card":
            person = self._card(transaction_id)
        else:
            person = self._simple(transaction_id)
        with self._lock:
            if key in self._used:  # a concurrent fetch of the same id won the race
                raise Refusal("verification_reused", _REUSED)
            self._used.add(key)
        return person

    def _phone(self, txn_id: str) -> VerifiedPerson:
        response = self._call("GET", self.endpoints.url("pass", "result", id=txn_id))
        return phone_person(self._result_status(response))

    def _card(self, txn_id: str) -> VerifiedPerson:
        response = self._call("GET", self.endpoints.url("card", "result", id=txn_id))
        body = _json(response)
        if isinstance(body, dict) and isinstance(body.get("response"), dict):
            # iamport envelope; ``code`` -1 with a ``response`` still tells why it is not certified.
            return card_person(body["response"])
        if response.status_code in (200, 400, 404) and isinstance(body, dict):
            # iamport: code -1 and no ``response`` — no such certification for this site.
            raise Refusal("verification_not_found", _NOT_FOUND)
        raise Refusal("verification_unavailable", _UNAVAILABLE)

    def _simple(self, receipt_id: str) -> VerifiedPerson:
        status_url = self.endpoints.url("simple-auth", "status", id=receipt_id)
        for attempt in range(self.simple_poll_attempts):
            body = self._result_status(self._call("GET", status_url))
            refusal = simple_state_refusal(body.get("state"))
            if refusal is None:
                break
            if refusal.code != "verification_incomplete" or attempt + 1 == self.simple_poll_attempts:
                raise refusal
            time.sleep(self.simple_poll_interval)
        response = self._call("GET", self.endpoints.url("simple-auth", "result", id=receipt_id))
        body = _json(response)
        if response.status_code != 200:
            code = body.get("code") if isinstance(body, dict) else None
            if code == "already_verified":
                raise Refusal("verification_reused", _REUSED)
            if code == "not_completed":  # the request changed state since the status poll
                state = self._result_status(self._call("GET", status_url)).get("state")
                raise simple_state_refusal(state) or Refusal("verification_incomplete", _INCOMPLETE)
            if response.status_code in (400, 404, 409, 410):
                raise Refusal("verification_not_found", _NOT_FOUND)
            raise Refusal("verification_unavailable", _UNAVAILABLE)
        if not isinstance(body, dict):
            raise Refusal("verification_bad_result", _BAD_DATA)
        return simple_person(body)


# --------------------------------------------------------------------------------------------
# SNS login
# --------------------------------------------------------------------------------------------

_SNS_LABELS = {"kakao": "카카오", "naver": "네이버", "google": "구글", "facebook": "페이스북"}
_CHANNEL_UNKNOWN = "카카오, 네이버, 구글, 페이스북 중에서 선택해 주세요."


def _client_secret_query(
    client: Any, method: str, uri: str, headers: Any, body: str
) -> tuple[str, Any, str]:
    """Client authentication in the query string (Facebook's GET ``/oauth/access_token``)."""
    uri = add_params_to_uri(uri, [("client_id", client.client_id), ("client_secret", client.client_secret or "")])
    return uri, headers, body


class _ClientTransport(httpx.BaseTransport):
    """Lets an Authlib ``OAuth2Client`` send through the adapter's own ``httpx.Client`` (its
    transport, mounts, proxies and timeouts), whatever that client is connected to."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._client.send(request, stream=True)


def sns_profile(channel: str, info: dict) -> SnsProfile:
    """A provider's user-info body → SnsProfile (same rules as the in-process adapter)."""
    if channel == "kakao":
        account = info.get("kakao_account") or {}
        name = account.get("name") or (account.get("profile") or {}).get("nickname") or ""
        email = (
            account.get("email") if account.get("is_email_valid") and account.get("is_email_verified") else None
        )
        phone = account.get("phone_number")
        return SnsProfile(
            channel="kakao",
            subject=str(info.get("id") or ""),
            name=str(name),
            email=email,
            phone=_kakao_phone(phone) if isinstance(phone, str) else None,
        )
    if channel == "naver":
        if info.get("resultcode") != "00":
            raise Refusal("sns_userinfo_failed", "네이버 회원정보를 가져오지 못했습니다. 다시 로그인해 주세요.")
        response = info.get("response") or {}
        mobile = response.get("mobile")
        return SnsProfile(
            channel="naver",
            subject=str(response.get("id") or ""),
            name=str(response.get("name") or ""),
            email=response.get("email"),
            phone=_format_phone(mobile) if isinstance(mobile, str) else None,
        )
    if channel == "google":
        return SnsProfile(
            channel="google",
            subject=str(info.get("sub") or ""),
            name=str(info.get("name") or ""),
            email=info.get("email") if info.get("email_verified") else None,
            phone=None,
        )
    return SnsProfile(
        channel=channel,
        subject=str(info.get("id") or ""),
        name=str(info.get("name") or ""),
        email=info.get("email"),
        phone=None,
    )


def _jws_kid(compact: str) -> str | None:
    """The ``kid`` of a compact JWS's protected header (unverified; only to pick a key)."""
    header = compact.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except ValueError:
        return None
    kid = decoded.get("kid") if isinstance(decoded, dict) else None
    return kid if isinstance(kid, str) else None


class HttpSnsLogin:
    """SnsLogin over the providers' OAuth 2.0 / OpenID Connect endpoints, with Authlib.

    The authorization URL carries ``state``, ``nonce`` and a PKCE S256 challenge; ``complete``
    exchanges the code with the verifier, validates Google's id_token (signature against the
    JWKS named by the discovery document, iss, aud/azp, nonce, exp, at_hash) and reads the profile.

    ``now`` is the clock id_token times are checked against (the simulator's clock).
    """

    def __init__(
        self,
        endpoints: ProviderEndpoints,
        http: httpx.Client,
        *,
        now: Callable[[], datetime] | None = None,
        id_token_leeway: int = 60,
    ) -> None:
        self.endpoints = endpoints
        self.http = http
        self.now = now or (lambda: datetime.now(UTC))
        self.id_token_leeway = id_token_leeway
        self._transport = _ClientTransport(http)
        self._google_keys: KeySet | None = None
        self._google_lock = threading.Lock()

    # -- helpers -------------------------------------------------------------------------

    def _client(self, channel: str) -> SnsClient:
        client = self.endpoints.sns_clients.get(channel)
        if channel not in SNS_CHANNELS or client is None:
            raise Refusal("sns_channel_unknown", _CHANNEL_UNKNOWN)
        return client

    def _oauth(self, channel: str, client: SnsClient, redirect_uri: str) -> OAuth2Client:
        oauth = OAuth2Client(
            client_id=client.client_id,
            client_secret=client.client_secret,
            token_endpoint_auth_method=client.token_auth_method,
            scope=SNS_SCOPES.get(channel) or None,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            transport=self._transport,
            trust_env=False,
            timeout=self.http.timeout,
        )
        oauth.register_client_auth_method(("client_secret_query", _client_secret_query))
        return oauth

    # -- the port ------------------------------------------------------------------------

    def authorization_request(self, channel: str) -> AuthorizationRequest:
        client = self._client(channel)
        verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43..128
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        with self._oauth(channel, client, client.redirect_uri) as oauth:
            url, _state = oauth.create_authorization_url(
                self.endpoints.url(channel, "authorize"), state=state, code_verifier=verifier, nonce=nonce
            )
        return AuthorizationRequest(
            channel=channel,
            client_id=client.client_id,
            redirect_uri=client.redirect_uri,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_verifier=verifier,
            url=url,
        )

    def complete(self, request: AuthorizationRequest, code: str) -> SnsProfile:
        channel = request.channel
        client = self._client(channel)
        label = _SNS_LABELS[channel]
        token_failed = Refusal("sns_token_failed", f"{label} 로그인 인증에 실패했습니다. 다시 로그인해 주세요.")
        userinfo_failed = Refusal(
            "sns_userinfo_failed", f"{label} 회원정보를 가져오지 못했습니다. 다시 로그인해 주세요."
        )
        if not code:
            raise token_failed
        with self._oauth(channel, client, request.redirect_uri or client.redirect_uri) as oauth:
            token = self._fetch_token(oauth, channel, request, code, token_failed)
            id_claims = None
            if channel == "google":
                id_claims = self._verify_id_token(request, token)
            info = self._userinfo(oauth, channel, userinfo_failed)
        profile = sns_profile(channel, info)
        if id_claims is not None and profile.subject != id_claims.get("sub"):
            raise Refusal("sns_id_token_invalid", f"{label} 로그인 정보를 확인할 수 없습니다. 다시 로그인해 주세요.")
        if not profile.subject or not profile.name:
            raise Refusal("sns_profile_incomplete", f"{label} 계정에서 이름 정보를 제공받지 못했습니다.")
        return profile

    def _fetch_token(
        self, oauth: OAuth2Client, channel: str, request: AuthorizationRequest, code: str, failed: Refusal
    ) -> dict:
        def check(response: httpx.Response) -> httpx.Response:
            # Kakao / Google / Facebook answer errors with 4xx; Naver with 200 and an ``error``
            # field (Authlib raises on that). Naver sends ``expires_in`` as a string.
            response.read()
            body = _json(response)
            if response.status_code != 200 or not isinstance(body, dict) or "error" in body:
                raise failed
            expires_in = body.get("expires_in")
            if isinstance(expires_in, str):
                body["expires_in"] = int(expires_in) if expires_in.isdigit() else None
                headers = {"content-type": "application/json"}
                return httpx.Response(200, headers=headers, json=body, request=response.request)
            return response

        oauth.register_compliance_hook("access_token_response", check)
        extra = urlencode([("state", request.state)]) if channel == "naver" else ""
        try:
            token = oauth.fetch_token(
                self.endpoints.url(channel, "token"),
                method="GET" if channel == "facebook" else "POST",
                body=extra,
                grant_type="authorization_code",
                code=code,
                code_verifier=request.code_verifier,
            )
        except (AuthlibBaseError, httpx.HTTPError, ValueError, KeyError):
            raise failed from None
        access_token = token.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise failed
        return dict(token)

    def _userinfo(self, oauth: OAuth2Client, channel: str, failed: Refusal) -> dict:
        url = self.endpoints.url(channel, "userinfo")
        params = {"fields": "id,name,email"} if channel == "facebook" else None
        try:
            response = oauth.get(url, params=params, headers={"Accept": "application/json"})
        except (AuthlibBaseError, httpx.HTTPError):
            raise failed from None
        info = _json(response)
        if response.status_code != 200 or not isinstance(info, dict):
            raise failed
        return info

    # -- Google OpenID Connect -----------------------------------------------------------

    def _get_json(self, url: str) -> Any:
        response = self.http.get(url, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise ValueError(f"{url}: HTTP {response.status_code}")
        return response.json()

    def _google_key_set(self, refresh: bool = False) -> KeySet:
        """Discovery document → jwks_uri → keys (cached; refetched for an unknown ``kid``)."""
        with self._google_lock:
            if self._google_keys is None or refresh:
                discovery = self._get_json(self.endpoints.url("google", "discovery"))
                if not isinstance(discovery, dict) or str(discovery.get("issuer", "")).rstrip(
                    "/"
                ) != self.endpoints.issuer():
                    raise ValueError("discovery issuer mismatch")  # OIDC Discovery §4.3
                explicit = self.endpoints.urls.get("google.jwks")
                jwks_uri = explicit or str(discovery.get("jwks_uri") or self.endpoints.url("google", "jwks"))
                self._google_keys = KeySet.import_key_set(self._get_json(jwks_uri))
            return self._google_keys

    def _verify_id_token(self, request: AuthorizationRequest, token: dict) -> dict[str, Any]:
        invalid = Refusal("sns_id_token_invalid", "구글 로그인 정보를 확인할 수 없습니다. 다시 로그인해 주세요.")
        id_token = token.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise invalid
        issuer = self.endpoints.issuer()
        issuers = [issuer]
        if issuer == "https://accounts.google.com":
            issuers.append("accounts.google.com")  # Google's legacy issuer spelling
        try:
            keys = self._google_key_set()
            kid = _jws_kid(id_token)
            if kid is not None and kid not in {key.kid for key in keys.keys}:
                keys = self._google_key_set(refresh=True)  # Google rotated its signing keys
            decoded = jwt.decode(id_token, keys, algorithms=["RS256"])
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(self.now().timestamp()),
                leeway=self.id_token_leeway,
                iss={"essential": True, "values": issuers},
                aud={"essential": True, "value": request.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": request.nonce},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError, KeyError, TypeError, httpx.HTTPError):
            raise invalid from None
        claims = dict(decoded.claims)
        azp = claims.get("azp")
        if azp is not None and azp != request.client_id:
            raise invalid
        at_hash = claims.get("at_hash")
        if at_hash is not None:
            digest = hashlib.sha256(str(token["access_token"]).encode()).digest()[:16]
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not hmac.compare_digest(str(at_hash), expected):
                raise invalid
        return claims


# --------------------------------------------------------------------------------------------
# 국세청 사업자 상태조회
# --------------------------------------------------------------------------------------------


class HttpBusinessStatus:
    """BusinessStatusLookup over ``POST …/api/nts-businessman/v1/status?serviceKey=…``."""

    def __init__(self, endpoints: ProviderEndpoints, http: httpx.Client) -> None:
        self.endpoints = endpoints
        self.http = http

    def status(self, bizno: str) -> BusinessState:
        digits = bizno.replace("-", "").strip()
        if len(digits) != 10 or not digits.isdigit():
            raise Refusal("bizno_format", "사업자등록번호 10자리를 숫자로 입력해 주세요.")
        unavailable = Refusal("nts_unavailable", "국세청 사업자 상태 조회에 실패했습니다. 잠시 후 다시 시도해 주세요.")
        try:
            response = self.http.post(
                self.endpoints.url("nts", "status"),
                params={"serviceKey": self.endpoints.nts_service_key},
                json={"b_no": [digits]},
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError:
            raise unavailable from None
        body = _json(response)
        ok = response.status_code == 200 and isinstance(body, dict) and body.get("status_code") == "OK"
        data = body.get("data") if ok else None
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise unavailable
        entry = data[0]
        code = str(entry.get("b_stt_cd") or "")
        label = str(entry.get("b_stt") or "") if code else str(entry.get("tax_type") or "")
        return BusinessState(bizno=digits, code=code, label=label, end_date=str(entry.get("end_dt") or ""))


# --------------------------------------------------------------------------------------------
# 인증기관: trust roots, intermediates and CRLs for X509CertificateVerifier
# --------------------------------------------------------------------------------------------


def _pem_to_der(pem: bytes | str) -> list[bytes]:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    return [c.public_bytes(serialization.Encoding.DER) for c in x509.load_pem_x509_certificates(data)]


@dataclass
class _CachedCrl:
    der: bytes
    fetched_at: datetime
    next_update: datetime | None


class HttpTrustStore:
    """The CA material ``X509CertificateVerifier`` checks against, fetched over HTTP and cached.

    - ``trust_roots()``: the pinned PEM (``roots_pem`` or ``endpoints.trusted_roots_pem``) when given,
      else ``GET /ca/roots`` fetched once (trust on first use).
    - ``intermediates()``: ``GET /ca/intermediates``, fetched once (again after ``refresh()``).
    - ``crls()``: ``GET /ca/<org>/crl`` per org, each refetched when past its nextUpdate or older than
      ``crl_max_age`` (default ``endpoints.crl_max_age``, 5 minutes) by ``now``. A CRL that cannot be
      fetched keeps its cached copy (the verifier refuses it once stale: ``cert_revocation_unknown``).

    Wire it as ``X509CertificateVerifier(store.trust_roots, store.intermediates, store.crls)``.
    """

    def __init__(
        self,
        endpoints: ProviderEndpoints,
        http: httpx.Client,
        now: Callable[[], datetime],
        *,
        roots_pem: str | bytes | None = None,
        crl_max_age: timedelta | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.http = http
        self.now = now
        self.crl_max_age = crl_max_age if crl_max_age is not None else endpoints.crl_max_age
        pinned = roots_pem if roots_pem is not None else endpoints.trusted_roots_pem
        self._pinned_roots: list[bytes] | None = _pem_to_der(pinned) if pinned else None
        self._roots: list[bytes] | None = None
        self._intermediates: list[bytes] | None = None
        self._crls: dict[str, _CachedCrl] = {}
        self._lock = threading.Lock()

    def _now(self) -> datetime:
        moment = self.now()
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def _fetch_pem(self, endpoint: str) -> list[bytes] | None:
        try:
            response = self.http.get(self.endpoints.url("ca", endpoint))
            if response.status_code != 200:
                return None
            return _pem_to_der(response.content)
        except (httpx.HTTPError, ValueError):
            return None

    def trust_roots(self) -> list[bytes]:
        if self._pinned_roots is not None:
            return list(self._pinned_roots)
        with self._lock:
            if self._roots is None:
                self._roots = self._fetch_pem("roots")
            return list(self._roots or [])

    def intermediates(self) -> list[bytes]:
        with self._lock:
            if self._intermediates is None:
                self._intermediates = self._fetch_pem("intermediates")
            return list(self._intermediates or [])

    def crls(self) -> list[bytes]:
        now = self._now()
        with self._lock:
            for org in self.endpoints.ca_orgs:
                cached = self._crls.get(org)
                if cached is None or self._stale(cached, now):
                    fresh = self._fetch_crl(org, now)
                    if fresh is not None:
                        self._crls[org] = fresh
            return [entry.der for entry in self._crls.values()]

    def _stale(self, cached: _CachedCrl, now: datetime) -> bool:
        if cached.next_update is not None and now >= cached.next_update:
            return True
        return now - cached.fetched_at >= self.crl_max_age or now < cached.fetched_at

    def _fetch_crl(self, org: str, now: datetime) -> _CachedCrl | None:
        try:
            response = self.http.get(self.endpoints.url("ca", "crl", org=org))
            if response.status_code != 200:
                return None
            crl = x509.load_der_x509_crl(response.content)
        except (httpx.HTTPError, ValueError):
            return None
        return _CachedCrl(response.content, now, crl.next_update_utc)

    def refresh(self) -> None:
        """Forget intermediates, fetched roots and CRLs: the next calls fetch them again."""
        with self._lock:
            self._roots = None
            self._intermediates = None
            self._crls.clear()
