"""Adapters from the ports to the in-process fake providers.

They talk to the fakes the way a relying party talks to the real services: hand over a reference
(transaction id, receipt id, authorization code, 사업자등록번호), read the provider's answer and
translate it into a port value. Every provider failure becomes a ``Refusal`` with a Korean message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from fake_providers.card import CardVerification
from fake_providers.nts import NtsBusinessRegistry
from fake_providers.people import ProviderError, format_phone
from fake_providers.phone import PassVerification, carrier_label
from fake_providers.simple_auth import SimpleAuth

from ..domain.errors import Refusal
from ..service_layer.ports import AuthorizationRequest, BusinessState, SnsProfile, VerifiedPerson

__all__ = ["SNS_SCOPES", "InProcessBusinessStatus", "InProcessRealName", "InProcessSnsLogin"]


# --------------------------------------------------------------------------------------------
# 실명인증 (휴대전화 / 신용카드 / 간편인증)
# --------------------------------------------------------------------------------------------

_NOT_FOUND = "본인인증 내역을 찾을 수 없습니다. 본인인증을 다시 진행해 주세요."
_INCOMPLETE = "본인인증이 완료되지 않았습니다. 본인인증을 마친 후 다시 시도해 주세요."
_FAILED = "본인인증에 실패했습니다. 본인인증을 다시 진행해 주세요."
_BAD_DATA = "본인인증 결과를 확인할 수 없습니다. 본인인증을 다시 진행해 주세요."


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


class InProcessRealName:
    """RealNameVerification over the fake PASS, card and 간편인증 providers.

    A verification is accepted once: a transaction id that already produced a VerifiedPerson is
    refused the second time (``verification_reused``).
    """

    METHODS = ("phone", "card", "simple")

    def __init__(
        self,
        phone: PassVerification,
        card: CardVerification,
        simple: SimpleAuth,
        site_code: str,
    ) -> None:
        self.phone = phone
        self.card = card
        self.simple = simple
        self.site_code = site_code
        self._used: set[tuple[str, str]] = set()

    def fetch_result(self, method: str, transaction_id: str) -> VerifiedPerson:
        if method not in self.METHODS:
            raise Refusal("verification_method_unknown", "휴대전화, 신용카드, 간편인증 중에서 선택해 주세요.")
        key = (method, transaction_id)
        if key in self._used:
            raise Refusal(
                "verification_reused", "이미 사용된 본인인증 정보입니다. 본인인증을 다시 진행해 주세요."
            )
        if method == "phone":
            person = self._phone(transaction_id)
        elif method == "card":
            person = self._card(transaction_id)
        else:
            person = self._simple(transaction_id)
        self._used.add(key)
        return person

    def _phone(self, txn_id: str) -> VerifiedPerson:
        try:
            body = self.phone.result(txn_id, self.site_code)
        except ProviderError:
            raise Refusal("verification_not_found", _NOT_FOUND) from None
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
            phone=format_phone(str(customer.get("phoneNumber") or "")),
            ci=ci,
            di=di,
            method="phone",
            carrier=carrier_label(operator) or operator or None,
        )

    def _card(self, txn_id: str) -> VerifiedPerson:
        try:
            body = self.card.result(txn_id, self.site_code)
        except ProviderError:
            raise Refusal("verification_not_found", _NOT_FOUND) from None
        if not body.get("certified"):
            reason = body.get("fail_reason")
            if reason == "denied":
                raise Refusal(
                    "verification_denied", "카드사 본인인증이 거절되었습니다. 본인인증을 다시 진행해 주세요."
                )
            if reason == "expired":
                raise Refusal(
                    "verification_expired", "본인인증 시간이 만료되었습니다. 본인인증을 다시 진행해 주세요."
                )
            raise Refusal("verification_incomplete", _INCOMPLETE)
        ci, di = _require_ci_di(body.get("unique_key"), body.get("unique_in_site"))
        return VerifiedPerson(
            name=str(body.get("name") or ""),
            birth_date=_iso_date(body.get("birthday")),
            gender=_gender(body.get("gender")),
            foreigner=bool(body.get("foreigner")),
            phone=format_phone(str(body.get("phone") or "")),
            ci=ci,
            di=di,
            method="card",
            provider=str(body.get("card_company") or "") or None,
        )

    def _simple(self, receipt_id: str) -> VerifiedPerson:
        try:
            state = self.simple.status(receipt_id)
        except ProviderError:
            raise Refusal("verification_not_found", _NOT_FOUND) from None
        if state == "요청":
            raise Refusal("verification_incomplete", "간편인증 앱에서 인증을 완료한 후 다시 시도해 주세요.")
        if state == "거절":
            raise Refusal(
                "verification_denied", "간편인증 요청이 거절되었습니다. 본인인증을 다시 진행해 주세요."
            )
        if state == "만료":
            raise Refusal(
                "verification_expired", "간편인증 요청 시간이 만료되었습니다. 본인인증을 다시 진행해 주세요."
            )
        try:
            body = self.simple.result(receipt_id, self.site_code)
        except ProviderError as error:
            if error.code == "already_verified":
                raise Refusal(
                    "verification_reused", "이미 사용된 본인인증 정보입니다. 본인인증을 다시 진행해 주세요."
                ) from None
            raise Refusal("verification_not_found", _NOT_FOUND) from None
        ci, di = _require_ci_di(body.get("ci"), body.get("di"))
        year, day = str(body.get("receiverYear") or ""), str(body.get("receiverDay") or "")
        if len(year) != 4 or len(day) != 4:
            raise Refusal("verification_bad_result", _BAD_DATA)
        return VerifiedPerson(
            name=str(body.get("receiverName") or ""),
            birth_date=_iso_date(f"{year}-{day[:2]}-{day[2:]}"),
            gender=_gender(body.get("receiverGender")),
            foreigner=body.get("receiverForeign") == "Y",
            phone=format_phone(str(body.get("receiverHP") or "")),
            ci=ci,
            di=di,
            method="simple",
            provider=str(body.get("app") or "") or None,
        )


# --------------------------------------------------------------------------------------------
# SNS login
# --------------------------------------------------------------------------------------------

# Scopes the relying party asks for, per channel.
SNS_SCOPES = {"kakao": "", "naver": "", "google": "openid email profile", "facebook": "email"}

_SNS_LABELS = {"kakao": "카카오", "naver": "네이버", "google": "구글", "facebook": "페이스북"}


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


class InProcessSnsLogin:
    """SnsLogin over the fake Kakao / Naver / Google / Facebook providers.

    ``clients`` maps a channel to this site's ``(client_id, client_secret, redirect_uri)`` there.
    """

    def __init__(
        self,
        providers: dict[str, Any],
        clients: dict[str, tuple[str, str, str]],
        now: Callable[[], datetime] | None = None,
        id_token_leeway: int = 60,
    ) -> None:
        self.providers = providers
        self.clients = clients
        self.now = now or (lambda: datetime.now(UTC))
        self.id_token_leeway = id_token_leeway

    def _label(self, channel: str) -> str:
        return _SNS_LABELS.get(channel, channel)

    def authorization_request(self, channel: str) -> AuthorizationRequest:
        if channel not in self.providers or channel not in self.clients:
            raise Refusal("sns_channel_unknown", "카카오, 네이버, 구글, 페이스북 중에서 선택해 주세요.")
        client_id, _secret, redirect_uri = self.clients[channel]
        verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43..128
        return AuthorizationRequest(
            channel=channel,
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_challenge=_s256(verifier),
            code_verifier=verifier,
        )

    @staticmethod
    def authorize_params(request: AuthorizationRequest) -> dict[str, str]:
        """The query parameters of the provider's authorize URL for ``request``."""
        params = {
            "response_type": "code",
            "client_id": request.client_id,
            "redirect_uri": request.redirect_uri,
            "state": request.state,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
        }
        scope = SNS_SCOPES.get(request.channel, "")
        if scope:
            params["scope"] = scope
        if request.channel == "google":
            params["nonce"] = request.nonce
        return params

    @staticmethod
    def callback_params(redirect_url: str) -> dict[str, str]:
        """``{redirect_uri}?code=..&state=..`` → ``{"code": .., "state": ..}`` (first values)."""
        query = parse_qs(urlsplit(redirect_url).query, keep_blank_values=True)
        return {name: values[0] for name, values in query.items()}

    def complete(self, request: AuthorizationRequest, code: str) -> SnsProfile:
        channel = request.channel
        provider = self.providers.get(channel)
        if provider is None or channel not in self.clients:
            raise Refusal("sns_channel_unknown", "카카오, 네이버, 구글, 페이스북 중에서 선택해 주세요.")
        label = self._label(channel)
        client_id, client_secret, redirect_uri = self.clients[channel]
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "code": code,
            "code_verifier": request.code_verifier,
        }
        if channel == "naver":
            form["state"] = request.state
        status, token = provider.token(form)
        access_token = token.get("access_token") if isinstance(token, dict) else None
        if status != 200 or "error" in token or not isinstance(access_token, str) or not access_token:
            raise Refusal("sns_token_failed", f"{label} 로그인 인증에 실패했습니다. 다시 로그인해 주세요.")
        id_claims: dict[str, Any] | None = None
        if channel == "google":
            id_claims = self._verify_id_token(provider, request, token.get("id_token"))
        if channel == "facebook":
            status, info = provider.userinfo(access_token, fields="id,name,email")
        else:
            status, info = provider.userinfo(access_token)
        if status != 200 or not isinstance(info, dict):
            raise Refusal(
                "sns_userinfo_failed", f"{label} 회원정보를 가져오지 못했습니다. 다시 로그인해 주세요."
            )
        profile = self._profile(channel, info)
        if id_claims is not None and profile.subject != id_claims.get("sub"):
            raise Refusal(
                "sns_id_token_invalid", f"{label} 로그인 정보를 확인할 수 없습니다. 다시 로그인해 주세요."
            )
        if not profile.subject or not profile.name:
            raise Refusal("sns_profile_incomplete", f"{label} 계정에서 이름 정보를 제공받지 못했습니다.")
        return profile

    def _verify_id_token(
        self, provider: Any, request: AuthorizationRequest, id_token: object
    ) -> dict[str, Any]:
        invalid = Refusal(
            "sns_id_token_invalid", "구글 로그인 정보를 확인할 수 없습니다. 다시 로그인해 주세요."
        )
        if not isinstance(id_token, str) or not id_token:
            raise invalid
        issuer = provider.discovery()["issuer"]
        issuers = [issuer]
        if issuer == "https://accounts.google.com":
            issuers.append("accounts.google.com")  # Google's legacy issuer spelling
        try:
            keys = KeySet.import_key_set(provider.jwks())
            token = jwt.decode(id_token, keys, algorithms=["RS256"])
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
            registry.validate(token.claims)
        except (JoseError, ValueError):
            raise invalid from None
        claims = dict(token.claims)
        azp = claims.get("azp")
        if azp is not None and azp != request.client_id:
            raise invalid
        return claims

    @staticmethod
    def _profile(channel: str, info: dict) -> SnsProfile:
        if channel == "kakao":
            account = info.get("kakao_account") or {}
            name = account.get("name") or (account.get("profile") or {}).get("nickname") or ""
            email = (
                account.get("email")
                if account.get("is_email_valid") and account.get("is_email_verified")
                else None
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
                raise Refusal(
                    "sns_userinfo_failed", "네이버 회원정보를 가져오지 못했습니다. 다시 로그인해 주세요."
                )
            response = info.get("response") or {}
            mobile = response.get("mobile")
            return SnsProfile(
                channel="naver",
                subject=str(response.get("id") or ""),
                name=str(response.get("name") or ""),
                email=response.get("email"),
                phone=format_phone(mobile) if isinstance(mobile, str) else None,
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


def _kakao_phone(value: str) -> str:
    """``"+82 10-1234-5678"`` (or ``"+82 010-…"``) → ``"010-1234-5678"``."""
    local = value.strip()
    if local.startswith("+82"):
        local = local[3:].strip()
        if not local.startswith("0"):
            local = "0" + local
    return format_phone(local)


# --------------------------------------------------------------------------------------------
# 국세청 사업자 상태조회
# --------------------------------------------------------------------------------------------


class InProcessBusinessStatus:
    def __init__(self, nts: NtsBusinessRegistry, service_key: str) -> None:
        self.nts = nts
        self.service_key = service_key

    def status(self, bizno: str) -> BusinessState:
        digits = bizno.replace("-", "").strip()
        if len(digits) != 10 or not digits.isdigit():
            raise Refusal("bizno_format", "사업자등록번호 10자리를 숫자로 입력해 주세요.")
        http_status, body = self.nts.status(json.dumps({"b_no": [digits]}).encode(), self.service_key)
        data = body.get("data") if http_status == 200 and body.get("status_code") == "OK" else None
        if not data:
            raise Refusal(
                "nts_unavailable", "국세청 사업자 상태 조회에 실패했습니다. 잠시 후 다시 시도해 주세요."
            )
        entry = data[0]
        code = str(entry.get("b_stt_cd") or "")
        label = str(entry.get("b_stt") or "") if code else str(entry.get("tax_type") or "")
        return BusinessState(bizno=digits, code=code, label=label, end_date=str(entry.get("end_dt") or ""))
