"""Kakao, Naver, Google and Facebook login (OAuth 2.0 authorization-code flow, Google as OIDC).

Shared rules (``SnsProvider``):
- clients are registered with a secret and an exact list of redirect URIs;
- ``authorize`` never redirects to an unregistered URI: unknown client, redirect URI mismatch and
  a response_type other than ``code`` raise ``ProviderError`` (the provider's error page);
- authorization codes are single use, valid 10 minutes, bound to client_id, redirect_uri and the
  PKCE challenge (S256 only); a second use of a code revokes the tokens issued from it;
- ``token`` and ``userinfo`` return ``(http_status, json_body)`` in each provider's own shape.

Where a provider's exact error text or status is not confirmed it is marked [U].
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from datetime import date, datetime, timedelta
from typing import ClassVar
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

from fake_providers.people import Person, ProviderError, phone_digits
from fake_providers.seeded import SeededFaker

__all__ = [
    "AUTH_CODE_TTL",
    "GOOGLE_ISSUER",
    "FacebookProvider",
    "GoogleProvider",
    "KakaoProvider",
    "NaverProvider",
    "ProviderError",
    "SnsAccount",
    "SnsProvider",
    "pkce_challenge",
]

AUTH_CODE_TTL = timedelta(minutes=10)
GOOGLE_ISSUER = "https://accounts.google.com"


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(ASCII(verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _utc_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SnsAccount:
    provider: str  # "kakao" | "naver" | "google" | "facebook"
    subject: str  # provider's user id, in the provider's style
    name: str
    email: str | None
    phone: str | None  # "010-1234-5678"
    gender: str | None = None  # "M" | "F"
    birth_date: date | None = None
    created_at: datetime | None = None
    login_id: str = ""  # what the member types at the provider's login page (the account email)
    password: str = field(default="", repr=False)  # generated; the member's provider password


@dataclass(frozen=True)
class _Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class _AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    subject: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    issued_at: datetime
    used: bool = False
    tokens: list[str] = field(default_factory=list)


@dataclass
class _Token:
    value: str
    kind: str  # "access" | "refresh"
    client_id: str
    subject: str
    scope: str
    expires_at: datetime
    revoked: bool = False


class SnsProvider(SeededFaker):
    """What all four providers share; subclasses supply ids, shapes and error texts."""

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    access_token_ttl: ClassVar[timedelta] = timedelta(hours=1)
    refresh_token_ttl: ClassVar[timedelta] = timedelta(days=60)
    token_requires_redirect_uri: ClassVar[bool] = True
    default_response_type: ClassVar[str | None] = None
    default_grant_type: ClassVar[str | None] = None
    access_prefix: ClassVar[str] = ""
    issues_refresh_token: ClassVar[bool] = True
    # Korean texts of the provider's error pages, keyed by ProviderError code.
    page_messages: ClassVar[dict[str, str]] = {}

    def __init__(self, now: Callable[[], datetime], seed: int | None = None) -> None:
        self.now = now
        self._faker_seed = seed
        self._clients: dict[str, _Client] = {}
        self._accounts: dict[str, SnsAccount] = {}
        self._codes: dict[str, _AuthCode] = {}
        self._tokens: dict[str, _Token] = {}

    # --- setup ----------------------------------------------------------------------------

    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: list[str] | tuple[str, ...]
    ) -> None:
        self._clients[client_id] = _Client(client_id, client_secret, tuple(redirect_uris))

    def add_redirect_uri(self, client_id: str, redirect_uri: str) -> None:
        """Register one more redirect URI for an already registered client (idempotent)."""
        client = self._clients.get(client_id)
        if client is None:
            raise KeyError(f"unknown client: {client_id}")
        if redirect_uri not in client.redirect_uris:
            self._clients[client_id] = _Client(
                client.client_id, client.client_secret, (*client.redirect_uris, redirect_uri)
            )

    def redirect_uris(self, client_id: str) -> tuple[str, ...]:
        client = self._clients.get(client_id)
        return client.redirect_uris if client is not None else ()

    def create_account(self, person: Person | None = None) -> SnsAccount:
        subject = self._new_subject()
        while subject in self._accounts:
            subject = self._new_subject()
        if person is not None:
            account = SnsAccount(
                provider=self.name,
                subject=subject,
                name=person.name,
                email=person.email,
                phone=person.phone,
                gender=person.gender,
                birth_date=person.birth_date,
                created_at=self.now(),
            )
        else:
            account = SnsAccount(
                provider=self.name,
                subject=subject,
                name=self._faker.name(),
                email=self._faker.free_email(),
                phone=None,
                created_at=self.now(),
            )
        account = dataclass_replace(
            account,
            login_id=self._unique_login_id(account.email or subject),
            password=self._faker.password(length=12),
        )
        self._accounts[subject] = account
        return account

    def _unique_login_id(self, wanted: str) -> str:
        taken = {account.login_id for account in self._accounts.values()}
        if wanted not in taken:
            return wanted
        local, at, domain = wanted.partition("@")
        number = 2
        while f"{local}+{number}{at}{domain}" in taken:
            number += 1
        return f"{local}+{number}{at}{domain}"

    def account(self, subject: str) -> SnsAccount | None:
        return self._accounts.get(subject)

    def login(self, login_id: str, password: str) -> SnsAccount | None:
        """The account whose login id and password the member typed at the login page, if any."""
        wanted = login_id.strip().lower()
        for account in self._accounts.values():
            if account.login_id.lower() == wanted and hmac.compare_digest(
                account.password.encode(), password.encode()
            ):
                return account
        return None

    def _new_subject(self) -> str:
        raise NotImplementedError

    # --- authorize endpoint ---------------------------------------------------------------

    def _page_error(self, code: str) -> ProviderError:
        return ProviderError(code, self.page_messages.get(code, "잘못된 요청입니다."))

    @staticmethod
    def _redirect(redirect_uri: str, params: dict[str, str]) -> str:
        separator = "&" if "?" in redirect_uri else "?"
        return redirect_uri + separator + urlencode(params)

    def _denied_params(self) -> dict[str, str]:
        return {"error": "access_denied"}

    def check_authorize_request(self, params: dict) -> str | None:
        """Validate an authorization request before showing the login page.

        Raises ``ProviderError`` for what the provider shows as an error page (never a redirect);
        returns the error redirect URL for a request refused by redirecting; None if acceptable.
        """
        client = self._clients.get(str(params.get("client_id", "")))
        if client is None:
            raise self._page_error("unknown_client")
        redirect_uri = str(params.get("redirect_uri", ""))
        if redirect_uri not in client.redirect_uris:
            raise self._page_error("redirect_uri_mismatch")
        response_type = params.get("response_type", self.default_response_type)
        if response_type != "code":
            raise self._page_error("unsupported_response_type")
        state = params.get("state")
        extra = {"state": str(state)} if state is not None else {}
        challenge = params.get("code_challenge")
        if challenge is not None:
            method = params.get("code_challenge_method", "plain")
            if method != "S256" or not 43 <= len(str(challenge)) <= 128:
                return self._redirect(
                    redirect_uri,
                    {
                        "error": "invalid_request",
                        "error_description": "code_challenge_method must be S256",
                        **extra,
                    },
                )
        return None

    def authorize(self, params: dict, account: str | None, consent: bool) -> str:
        """The user at the provider's login/consent page; returns the URL the browser is sent to.

        ``account`` is the subject id of the account the user logs in with; ``consent`` whether
        the user agrees to share the requested information with the client.
        """
        refused = self.check_authorize_request(params)
        if refused is not None:
            return refused
        client = self._clients[str(params.get("client_id", ""))]
        redirect_uri = str(params.get("redirect_uri", ""))
        state = params.get("state")
        extra = {"state": str(state)} if state is not None else {}
        challenge = params.get("code_challenge")
        if not consent:
            return self._redirect(redirect_uri, {**self._denied_params(), **extra})
        if account is None:
            raise self._page_error("login_required")
        if account not in self._accounts:
            raise self._page_error("unknown_account")
        code = _AuthCode(
            code=secrets.token_urlsafe(48),
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            subject=account,
            scope=str(params.get("scope", "")),
            nonce=str(params["nonce"]) if params.get("nonce") is not None else None,
            code_challenge=str(challenge) if challenge is not None else None,
            issued_at=self.now(),
        )
        self._codes[code.code] = code
        return self._redirect(redirect_uri, {"code": code.code, **extra})

    def expire_code(self, code: str) -> None:
        """Age an issued authorization code past its lifetime (the provider answers as expired)."""
        found = self._codes.get(code)
        if found is not None:
            found.issued_at = self.now() - AUTH_CODE_TTL - timedelta(seconds=1)

    # --- token endpoint -------------------------------------------------------------------

    def _token_error(self, kind: str, form: dict) -> tuple[int, dict]:
        """kind: invalid_client | unknown_client | unsupported_grant_type | code_not_found |
        code_used | code_expired | redirect_uri_mismatch | pkce_missing | pkce_mismatch |
        pkce_unexpected"""
        raise NotImplementedError

    def _token_success(self, code: _AuthCode, access: _Token, refresh: _Token | None) -> dict:
        raise NotImplementedError

    def _issue(self, kind: str, code: _AuthCode, ttl: timedelta, prefix: str = "") -> _Token:
        token = _Token(
            value=prefix + secrets.token_urlsafe(40),
            kind=kind,
            client_id=code.client_id,
            subject=code.subject,
            scope=code.scope,
            expires_at=self.now() + ttl,
        )
        self._tokens[token.value] = token
        code.tokens.append(token.value)
        return token

    def token(self, form: dict) -> tuple[int, dict]:
        grant_type = form.get("grant_type", self.default_grant_type)
        if grant_type != "authorization_code":
            return self._token_error("unsupported_grant_type", form)
        client = self._clients.get(str(form.get("client_id", "")))
        if client is None:
            return self._token_error("unknown_client", form)
        if client.client_secret and not hmac.compare_digest(
            str(form.get("client_secret", "")).encode(), client.client_secret.encode()
        ):
            return self._token_error("invalid_client", form)
        code = self._codes.get(str(form.get("code", "")))
        if code is None or code.client_id != client.client_id:
            return self._token_error("code_not_found", form)
        if code.used:
            for value in code.tokens:
                self._tokens[value].revoked = True
            return self._token_error("code_used", form)
        if self.now() - code.issued_at > AUTH_CODE_TTL:
            return self._token_error("code_expired", form)
        if self.token_requires_redirect_uri and form.get("redirect_uri") != code.redirect_uri:
            return self._token_error("redirect_uri_mismatch", form)
        verifier = form.get("code_verifier")
        if code.code_challenge is not None:
            if not verifier:
                return self._token_error("pkce_missing", form)
            if not hmac.compare_digest(pkce_challenge(str(verifier)).encode(), code.code_challenge.encode()):
                return self._token_error("pkce_mismatch", form)
        elif verifier:
            return self._token_error("pkce_unexpected", form)
        code.used = True
        access = self._issue("access", code, self.access_token_ttl, self.access_prefix)
        refresh = self._issue("refresh", code, self.refresh_token_ttl) if self.issues_refresh_token else None
        return 200, self._token_success(code, access, refresh)

    # --- userinfo endpoint ----------------------------------------------------------------

    def _valid_access_token(self, access_token: str) -> tuple[_Token, SnsAccount] | None:
        token = self._tokens.get(access_token)
        if token is None or token.kind != "access" or token.revoked or self.now() >= token.expires_at:
            return None
        account = self._accounts.get(token.subject)
        if account is None:
            return None
        return token, account

    def userinfo(self, access_token: str) -> tuple[int, dict]:
        raise NotImplementedError

    def revoke_token(self, value: str) -> bool:
        """Revoke one access or refresh token (OAuth token revocation); False if it is not live."""
        token = self._tokens.get(value)
        if token is None or token.revoked or self.now() >= token.expires_at:
            return False
        token.revoked = True
        return True

    def revoke_account_tokens(self, subject: str) -> None:
        """The user disconnects the app (연결 끊기): every token for this account stops working."""
        for token in self._tokens.values():
            if token.subject == subject:
                token.revoked = True


# ------------------------------------------------------------------------------------------
# Kakao
# ------------------------------------------------------------------------------------------


class KakaoProvider(SnsProvider):
    name = "kakao"
    display_name = "카카오"
    access_token_ttl = timedelta(seconds=21599)
    refresh_token_ttl = timedelta(seconds=5183999)
    page_messages: ClassVar[dict[str, str]] = {
        "unknown_client": "앱 관리자 설정 오류 (KOE101)",
        "redirect_uri_mismatch": "앱 관리자 설정 오류 (KOE006)",
        "unsupported_response_type": "잘못된 요청입니다. (response_type)",
        "login_required": "카카오계정으로 로그인해주세요.",
        "unknown_account": "카카오계정 정보를 찾을 수 없습니다.",
    }

    def _new_subject(self) -> str:
        return str(self._random.randint(1_000_000_000, 3_999_999_999))

    def _denied_params(self) -> dict[str, str]:
        return {"error": "access_denied", "error_description": "User denied access"}

    def _token_error(self, kind: str, form: dict) -> tuple[int, dict]:
        if kind in ("invalid_client", "unknown_client"):
            return 401, {
                "error": "invalid_client",
                "error_description": "Bad client credentials",
                "error_code": "KOE010",
            }
        if kind == "unsupported_grant_type":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": f"Unsupported grant type: {form.get('grant_type')}",
            }
        if kind == "redirect_uri_mismatch":
            return 400, {
                "error": "invalid_grant",
                "error_description": "Redirect URI mismatch.",
                "error_code": "KOE303",  # [U]
            }
        if kind in ("pkce_missing", "pkce_mismatch", "pkce_unexpected"):
            return 400, {
                "error": "invalid_grant",
                "error_description": "code_verifier is invalid.",  # [U] exact text
                "error_code": "KOE320",
            }
        return 400, {
            "error": "invalid_grant",
            "error_description": f"authorization code not found for code={form.get('code', '')}",
            "error_code": "KOE320",
        }

    def _token_success(self, code: _AuthCode, access: _Token, refresh: _Token | None) -> dict:
        assert refresh is not None
        body: dict = {
            "access_token": access.value,
            "token_type": "bearer",
            "refresh_token": refresh.value,
            "expires_in": int(self.access_token_ttl.total_seconds()),
            "refresh_token_expires_in": int(self.refresh_token_ttl.total_seconds()),
        }
        if code.scope:
            body["scope"] = code.scope
        return body

    # GET/POST https://kapi.kakao.com/v2/user/me
    def userinfo(self, access_token: str) -> tuple[int, dict]:
        found = self._valid_access_token(access_token)
        if found is None:
            return 401, {"msg": "this access token does not exist", "code": -401}
        _token, account = found
        kakao_account: dict = {
            "profile_nickname_needs_agreement": False,
            "profile": {"nickname": account.name, "is_default_image": True},
            "name_needs_agreement": False,
            "name": account.name,
            "has_email": account.email is not None,
            "has_phone_number": account.phone is not None,
        }
        if account.email is not None:
            kakao_account.update(
                {
                    "email_needs_agreement": False,
                    "is_email_valid": True,
                    "is_email_verified": True,
                    "email": account.email,
                }
            )
        if account.phone is not None:
            # Observed format "+82 10-1234-5678" ([U] docs sample shows "+82 010-…").
            kakao_account["phone_number_needs_agreement"] = False
            kakao_account["phone_number"] = "+82 " + account.phone[1:]
        if account.birth_date is not None:
            kakao_account.update(
                {
                    "birthyear_needs_agreement": False,
                    "birthyear": f"{account.birth_date.year:04d}",
                    "birthday_needs_agreement": False,
                    "birthday": f"{account.birth_date:%m%d}",
                    "birthday_type": "SOLAR",
                }
            )
        if account.gender is not None:
            kakao_account["gender_needs_agreement"] = False
            kakao_account["gender"] = "male" if account.gender == "M" else "female"
        connected = account.created_at or self.now()
        return 200, {
            "id": int(account.subject),
            "connected_at": _utc_z(connected),
            "properties": {"nickname": account.name},
            "kakao_account": kakao_account,
        }


# ------------------------------------------------------------------------------------------
# Naver
# ------------------------------------------------------------------------------------------


class NaverProvider(SnsProvider):
    """Naver answers token errors with HTTP 200 and an error body ([U] per third-party code)."""

    name = "naver"
    display_name = "네이버"
    access_token_ttl = timedelta(seconds=3600)
    refresh_token_ttl = timedelta(days=365)
    token_requires_redirect_uri = False  # Naver's token request carries ``state`` instead
    access_prefix = "AAAA"
    page_messages: ClassVar[dict[str, str]] = {
        "unknown_client": "잘못된 요청입니다. 등록되지 않은 애플리케이션입니다.",
        "redirect_uri_mismatch": "페이지를 찾을 수 없습니다. Callback URL이 등록된 정보와 일치하지 않습니다.",
        "unsupported_response_type": "잘못된 요청입니다. (response_type)",
        "login_required": "네이버 아이디로 로그인해주세요.",
        "unknown_account": "네이버 회원 정보를 찾을 수 없습니다.",
    }

    def _new_subject(self) -> str:
        return _b64url(self._random.randbytes(32))  # 43 chars, opaque per application

    def _denied_params(self) -> dict[str, str]:
        return {"error": "access_denied", "error_description": "Canceled By User"}

    def _token_error(self, kind: str, form: dict) -> tuple[int, dict]:
        if kind in ("invalid_client", "unknown_client"):
            return 200, {
                "error": "invalid_client",
                "error_description": "wrong client id / client secret pair",
            }
        if kind == "unsupported_grant_type":
            return 200, {
                "error": "unsupported_grant_type",
                "error_description": "grant_type is missing or invalid",
            }
        return 200, {"error": "invalid_request", "error_description": "no valid data in session"}

    def _token_success(self, code: _AuthCode, access: _Token, refresh: _Token | None) -> dict:
        assert refresh is not None
        return {
            "access_token": access.value,
            "refresh_token": refresh.value,
            "token_type": "bearer",
            "expires_in": str(int(self.access_token_ttl.total_seconds())),  # a string, as Naver sends it
        }

    # GET https://openapi.naver.com/v1/nid/me
    def userinfo(self, access_token: str) -> tuple[int, dict]:
        found = self._valid_access_token(access_token)
        if found is None:
            return 401, {"resultcode": "024", "message": "Authentication failed (인증에 실패했습니다.)"}
        _token, account = found
        response: dict = {"id": account.subject, "nickname": account.name, "name": account.name}
        if account.email is not None:
            response["email"] = account.email
        response["gender"] = account.gender or "U"
        if account.birth_date is not None:
            born = account.birth_date
            decade = max(0, (self.now().date().year - born.year) // 10 * 10)
            response.update(
                {
                    "age": f"{decade}-{decade + 9}",
                    "birthday": f"{born:%m-%d}",
                    "birthyear": f"{born.year:04d}",
                }
            )
        if account.phone is not None:
            response["mobile"] = account.phone
            response["mobile_e164"] = "+82" + phone_digits(account.phone)[1:]
        return 200, {"resultcode": "00", "message": "success", "response": response}


# ------------------------------------------------------------------------------------------
# Google (OpenID Connect)
# ------------------------------------------------------------------------------------------


_KEY_LOCK = threading.Lock()
_SIGNING_KEY: list[RSAKey] = []


def _process_signing_key() -> RSAKey:
    """The fake Google's ID-token key, made once per process (as fake_providers/ca.py pools its CA keys):
    a fresh 2048-bit RSA key for every provider world was a fifth of the in-process suite's time.
    Key rotation is still possible per provider (``signing_key=`` or replacing ``_key``)."""
    with _KEY_LOCK:
        if not _SIGNING_KEY:
            _SIGNING_KEY.append(RSAKey.generate_key(2048, private=True))
        return _SIGNING_KEY[0]


class GoogleProvider(SnsProvider):
    name = "google"
    display_name = "Google"
    access_token_ttl = timedelta(seconds=3599)
    access_prefix = "ya29."
    id_token_ttl: ClassVar[timedelta] = timedelta(hours=1)
    page_messages: ClassVar[dict[str, str]] = {
        "unknown_client": "액세스 차단됨: 승인 오류 — 400 오류: invalid_client",
        "redirect_uri_mismatch": (
            "액세스 차단됨: 이 앱의 요청이 잘못되었습니다 — 400 오류: redirect_uri_mismatch"
        ),
        "unsupported_response_type": "액세스 차단됨: 승인 오류 — 400 오류: unsupported_response_type",
        "login_required": "Google 계정으로 로그인하세요.",
        "unknown_account": "Google 계정을 찾을 수 없습니다.",
    }

    def __init__(
        self,
        now: Callable[[], datetime],
        seed: int | None = None,
        issuer: str = GOOGLE_ISSUER,
        signing_key: RSAKey | None = None,
    ) -> None:
        super().__init__(now, seed)
        self.issuer = issuer.rstrip("/")
        self._key = signing_key or _process_signing_key()
        self._key.ensure_kid()
        self._kid = str(self._key.kid)

    def _new_subject(self) -> str:
        return "1" + "".join(str(self._random.randint(0, 9)) for _ in range(20))

    def _token_error(self, kind: str, form: dict) -> tuple[int, dict]:
        if kind in ("invalid_client", "unknown_client"):
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        if kind == "unsupported_grant_type":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": f"Invalid grant_type: {form.get('grant_type', '')}",
            }
        if kind == "redirect_uri_mismatch":
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
        if kind == "pkce_missing":
            return 400, {"error": "invalid_grant", "error_description": "Missing code verifier."}
        if kind == "pkce_mismatch":
            return 400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}
        return 400, {"error": "invalid_grant", "error_description": "Bad Request"}

    def _token_success(self, code: _AuthCode, access: _Token, refresh: _Token | None) -> dict:
        assert refresh is not None
        body: dict = {
            "access_token": access.value,
            "expires_in": int(self.access_token_ttl.total_seconds()),
            "refresh_token": refresh.value,
            "scope": code.scope,
            "token_type": "Bearer",
        }
        if "openid" in code.scope.split():
            body["id_token"] = self._id_token(code, access.value)
        return body

    def _id_token(self, code: _AuthCode, access_token: str) -> str:
        account = self._accounts[code.subject]
        issued = int(self.now().timestamp())
        at_hash = _b64url(hashlib.sha256(access_token.encode()).digest()[:16])
        claims: dict = {
            "iss": self.issuer,
            "azp": code.client_id,
            "aud": code.client_id,
            "sub": account.subject,
            "at_hash": at_hash,
            "iat": issued,
            "exp": issued + int(self.id_token_ttl.total_seconds()),
        }
        scopes = code.scope.split()
        if "email" in scopes and account.email is not None:
            claims["email"] = account.email
            claims["email_verified"] = True
        if "profile" in scopes:
            claims.update(self._name_claims(account))
        if code.nonce is not None:
            claims["nonce"] = code.nonce
        return jwt.encode(
            {"alg": "RS256", "kid": self._kid, "typ": "JWT"}, claims, self._key, algorithms=["RS256"]
        )

    @staticmethod
    def _name_claims(account: SnsAccount) -> dict:
        return {
            "name": account.name,
            "given_name": account.name[1:],
            "family_name": account.name[:1],
            "picture": "https://lh3.googleusercontent.com/a/default-user=s96-c",
        }

    # https://openidconnect.googleapis.com/v1/userinfo
    def userinfo(self, access_token: str) -> tuple[int, dict]:
        found = self._valid_access_token(access_token)
        if found is None:
            return 401, {"error": "invalid_request", "error_description": "Invalid Credentials"}
        token, account = found
        scopes = token.scope.split()
        body: dict = {"sub": account.subject}
        if "profile" in scopes:
            body.update(self._name_claims(account))
            body["locale"] = "ko"
        if "email" in scopes and account.email is not None:
            body["email"] = account.email
            body["email_verified"] = True
        return 200, body

    def _endpoint(self, google_url: str, path: str) -> str:
        return google_url if self.issuer == GOOGLE_ISSUER else self.issuer + path

    # /.well-known/openid-configuration
    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self._endpoint(
                "https://accounts.google.com/o/oauth2/v2/auth", "/o/oauth2/v2/auth"
            ),
            "token_endpoint": self._endpoint("https://oauth2.googleapis.com/token", "/token"),
            "userinfo_endpoint": self._endpoint(
                "https://openidconnect.googleapis.com/v1/userinfo", "/v1/userinfo"
            ),
            "revocation_endpoint": self._endpoint("https://oauth2.googleapis.com/revoke", "/revoke"),
            "jwks_uri": self._endpoint("https://www.googleapis.com/oauth2/v3/certs", "/oauth2/v3/certs"),
            "response_types_supported": [
                "code",
                "token",
                "id_token",
                "code token",
                "code id_token",
                "token id_token",
                "code token id_token",
                "none",
            ],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": [
                "aud",
                "email",
                "email_verified",
                "exp",
                "family_name",
                "given_name",
                "iat",
                "iss",
                "name",
                "picture",
                "sub",
            ],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        }

    # https://www.googleapis.com/oauth2/v3/certs
    def jwks(self) -> dict:
        public = self._key.as_dict(private=False)
        public.update({"kid": self._kid, "use": "sig", "alg": "RS256"})
        return {"keys": [public]}


# ------------------------------------------------------------------------------------------
# Facebook
# ------------------------------------------------------------------------------------------


class FacebookProvider(SnsProvider):
    name = "facebook"
    display_name = "Facebook"
    access_token_ttl = timedelta(seconds=5183944)
    default_response_type = "code"  # the dialog defaults to the code flow
    default_grant_type = "authorization_code"  # /oauth/access_token takes no grant_type
    access_prefix = "EAA"
    issues_refresh_token = False
    page_messages: ClassVar[dict[str, str]] = {
        "unknown_client": "잘못된 앱 ID: 제공된 앱 ID가 유효한 앱 ID가 아닌 것 같습니다.",
        "redirect_uri_mismatch": (
            "URL 차단됨: 이 리디렉션은 실패했습니다. 리디렉션 URI가 앱의 클라이언트 OAuth 설정에 "
            "등록되어 있지 않습니다."
        ),
        "unsupported_response_type": "잘못된 요청입니다. (response_type)",
        "login_required": "Facebook에 로그인하세요.",
        "unknown_account": "Facebook 계정을 찾을 수 없습니다.",
    }

    def _new_subject(self) -> str:
        return str(self._random.randint(10**15, 10**17 - 1))

    def _denied_params(self) -> dict[str, str]:
        return {
            "error_reason": "user_denied",
            "error": "access_denied",
            "error_description": "Permissions error.",
        }

    @staticmethod
    def _graph_error(message: str, code: int, subcode: int | None = None) -> dict:
        error: dict = {"message": message, "type": "OAuthException", "code": code}
        if subcode is not None:
            error["error_subcode"] = subcode
        error["fbtrace_id"] = secrets.token_urlsafe(8)
        return {"error": error}

    def _token_error(self, kind: str, form: dict) -> tuple[int, dict]:
        if kind == "unknown_client":
            return 400, self._graph_error("Error validating application. Invalid application ID.", 101)
        if kind == "invalid_client":
            return 400, self._graph_error("Error validating client secret.", 1)
        if kind == "code_used":
            return 400, self._graph_error("This authorization code has been used.", 100, 36009)
        if kind == "code_expired":
            return 400, self._graph_error("This authorization code has expired.", 100, 36007)
        if kind == "redirect_uri_mismatch":
            return 400, self._graph_error(
                "Error validating verification code. Please make sure your redirect_uri is identical "
                "to the one you used in the OAuth dialog request",
                100,
                36008,
            )
        if kind.startswith("pkce"):
            return 400, self._graph_error("Invalid code verifier.", 100)  # [U] exact text
        if kind == "unsupported_grant_type":
            return 400, self._graph_error("Unsupported grant_type.", 100)  # [U]
        return 400, self._graph_error("Invalid verification code format.", 100)

    def _token_success(self, code: _AuthCode, access: _Token, refresh: _Token | None) -> dict:
        return {
            "access_token": access.value,
            "token_type": "bearer",
            "expires_in": int(self.access_token_ttl.total_seconds()),
        }

    # GET https://graph.facebook.com/v{ver}/me?fields=id,name,email
    def userinfo(self, access_token: str, fields: str = "id,name") -> tuple[int, dict]:
        found = self._valid_access_token(access_token)
        if found is None:
            return 400, self._graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        token, account = found
        wanted = [part.strip() for part in fields.split(",") if part.strip()]
        granted = set(token.scope.replace(",", " ").split())
        body: dict = {}
        for name in wanted:
            if name == "id":
                body["id"] = account.subject
            elif name == "name":
                body["name"] = account.name
            elif name == "email" and "email" in granted and account.email is not None:
                body["email"] = account.email
        body.setdefault("id", account.subject)
        return 200, body
