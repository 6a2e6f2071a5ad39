"""Ports to everything outside KOTRA.

The simulator trusts only what it fetches through these ports: a member hands over a
reference (a transaction id, an authorization code, a signed challenge) and the adapter
asks the provider what it means, the way a real relying party does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class VerifiedPerson:
    """Result of a real-name verification (휴대전화, 신용카드 or 간편인증)."""

    name: str
    birth_date: date
    gender: str  # "M" or "F"
    foreigner: bool
    phone: str  # "010-1234-5678"
    ci: str  # 88-character base64, identical for the same person everywhere
    di: str  # site-specific duplicate-join information
    method: str  # "phone" | "card" | "simple"
    carrier: str | None = None
    provider: str | None = None  # card company or 간편인증 app


@dataclass(frozen=True)
class VerificationStart:
    """A verification the site opened at a provider: the member completes it at ``auth_url``
    (휴대전화, 신용카드) or in the phone app (간편인증), then the site fetches ``id``."""

    method: str
    id: str
    auth_url: str = ""


class RealNameVerification(Protocol):
    def begin(self, method: str, return_url: str) -> VerificationStart:
        """Open a 휴대전화 ("phone") or 신용카드 ("card") verification at its provider."""
        ...

    def request_simple(self, app: str, name: str, birth_date: date, phone: str) -> VerificationStart:
        """Ask a 간편인증 app to push a request to the member's phone."""
        ...

    def fetch_result(self, method: str, transaction_id: str) -> VerifiedPerson:
        """Ask the provider of ``method`` for a finished verification; raise Refusal."""
        ...


@dataclass(frozen=True)
class AuthorizationRequest:
    """What the relying party sends to an SNS provider's authorize endpoint."""

    channel: str
    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    code_verifier: str = field(repr=False, default="")
    url: str = ""  # the provider's authorize URL with every parameter, where the member is sent


@dataclass(frozen=True)
class SnsProfile:
    channel: str  # "kakao" | "naver" | "google" | "facebook"
    subject: str  # provider's user id
    name: str
    email: str | None
    phone: str | None


class SnsLogin(Protocol):
    def authorization_request(self, channel: str) -> AuthorizationRequest: ...

    def complete(self, request: AuthorizationRequest, code: str) -> SnsProfile:
        """Exchange ``code`` at the token endpoint and read the user's profile."""
        ...


@dataclass(frozen=True)
class BusinessState:
    """국세청 상태조회 result for one 사업자등록번호."""

    bizno: str
    code: str  # "01" 계속사업자, "02" 휴업자, "03" 폐업자, "" not registered
    label: str
    end_date: str = ""


class BusinessStatusLookup(Protocol):
    def status(self, bizno: str) -> BusinessState: ...


@dataclass(frozen=True)
class PresentedCertificate:
    """What the certificate plug-in sends after the member chose a certificate
    and typed its password: the certificate, a signature over the server's challenge,
    and the identification random number (R) from the decrypted private key."""

    certificate_der: bytes
    signature: bytes
    random_num: bytes


@dataclass(frozen=True)
class CertificateFacts:
    """A certificate that passed every check."""

    bizno: str
    subject_name: str
    issuer: str
    policy_oid: str
    type_label: str
    serial: int
    not_after: datetime


class CertificateVerifier(Protocol):
    def verify(
        self,
        presented: PresentedCertificate,
        challenge: bytes,
        bizno: str,
        now: datetime,
    ) -> CertificateFacts:
        """Check signature, chain, validity, revocation, accepted policy OID and the
        사업자등록번호 bound in subjectAltName (VID); raise Refusal on any failure."""
        ...
