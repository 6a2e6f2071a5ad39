"""The 17 기업 범용인증서 types the manual lists as accepted for 소속기업 인증.

The labels are the manual's own words (chapter "사용 가능한 기업 범용인증서 종류").
Each maps to the certificate-policy OID a certificate of that type carries.
``confirmed`` is False where no primary or mutually consistent public source pins the
OID (see ../shared/reference/korea-identity-facts.md §3.1–3.2); a deployer may change
those rows without touching any rule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CertificateType:
    label: str
    policy_oid: str
    ca: str  # issuer organisation (O=) of the licensed CA
    confirmed: bool
    note: str = ""


ACCEPTED_CERTIFICATE_TYPES: tuple[CertificateType, ...] = (
    CertificateType("한국정보인증(법인)", "1.2.410.200004.5.2.1.1", "KICA", True, "signGATE 법인 범용"),
    CertificateType("전자인증(법인)", "1.2.410.200004.5.4.1.2", "CrossCert", True, "CrossCert 법인 범용"),
    CertificateType("증권전산(법인)", "1.2.410.200004.5.1.1.7", "SignKorea", True, "SignKorea 법인 범용"),
    CertificateType("한국전산원(기관)", "1.2.410.200004.5.3.1.1", "NCASign", True, "NCASign 기관/단체"),
    CertificateType("금융결제원(법인)", "1.2.410.200005.1.1.5", "yessign", True, "yessign 법인 범용"),
    CertificateType("한국전산원(법인)", "1.2.410.200004.5.3.1.2", "NCASign", True, "NCASign 법인 범용"),
    CertificateType("한국무역정보통신(법인)", "1.2.410.200012.1.1.3", "TradeSign", True, "TradeSign 법인 범용"),
    CertificateType(
        "금융결제원 은행/보험(법인)", "1.2.410.200005.1.1.2", "yessign", True, "yessign 법인 용도제한"
    ),
    CertificateType(
        "금융결제원 증권 (법인)", "1.2.410.200005.1.1.6.4", "yessign", False,
        "unlabelled yessign 법인 특수목적용 OID; purpose unconfirmed",
    ),
    CertificateType(
        "금융결제원 은행 (법인)", "1.2.410.200005.1.1.6.5", "yessign", False,
        "unlabelled yessign 법인 특수목적용 OID; purpose unconfirmed",
    ),
    CertificateType(
        "금융결제원 기업뱅킹 (법인)", "1.2.410.200005.1.1.6.1", "yessign", True, "yessign 법인 용도제한 기업뱅킹"
    ),
    CertificateType(
        "금융결제원 법인업무(법인)", "1.2.410.200005.1.1.7.1", "yessign", False,
        "unlabelled yessign 법인 특수목적용 OID; purpose unconfirmed",
    ),
    CertificateType(
        "금융결제원 조달청 원클릭 (법인)", "1.2.410.200005.1.1.6.3", "yessign", False,
        "single public source",
    ),
    CertificateType(
        "전자인증 용도제한 (법인)", "1.2.410.200004.5.4.1.5", "CrossCert", False,
        "CrossCert 특수목적용 법인; 용도제한 naming unconfirmed",
    ),
    CertificateType(
        "한국무역정보통신 특수목적 (법인)", "1.2.410.200012.1.1.101", "TradeSign", False,
        "some configurations call .101 법인; unconfirmed",
    ),
    CertificateType(
        "한국무역정보통신 용도제한 전자무역 (법인)", "1.2.410.200012.1.1.9", "TradeSign", True,
        "TradeSign 전자무역 서명용 법인",
    ),
    CertificateType(
        "정보인증전자세금융 (법인)", "1.2.410.200004.5.2.1.6.257", "KICA", True, "KICA 법인 전자세금용"
    ),
)

_BY_OID = {t.policy_oid: t for t in ACCEPTED_CERTIFICATE_TYPES}


def accepted_type(policy_oids: list[str] | tuple[str, ...]) -> CertificateType | None:
    """The accepted type among a certificate's policy OIDs, or None."""
    for oid in policy_oids:
        if oid in _BY_OID:
            return _BY_OID[oid]
    return None
