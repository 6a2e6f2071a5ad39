"""X.509 adapter for the CertificateVerifier port (기업 범용인증서 로그인 / 소속기업 인증).

Checks, in order, each refusing with a stable code and a Korean message:

1. the certificate parses as exactly one DER X.509 certificate      → cert_invalid
2. it chains, by issuer signatures, to a trusted root                → cert_untrusted
3. ``now`` lies inside its validity                                  → cert_expired / cert_not_yet_valid
4. its issuer's current CRL does not list it                          → cert_revoked
   (no fresh CRL signed by the issuer                                 → cert_revocation_unknown)
5. it carries the policy OID of one of the 17 accepted types         → cert_type_not_accepted
6. the signature over the server's challenge verifies                → cert_bad_signature
7. the VID in subjectAltName equals H(H(DER(HashContent(bizno, R)))) → cert_wrong_company

The VID structure follows KCAC.TS.SIVID (see shared reference §3.4).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtensionOID, NameOID
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import char, namedtype, tag, univ

from simulator.domain.certificate_types import accepted_type
from simulator.domain.errors import Refusal
from simulator.service_layer.ports import CertificateFacts, PresentedCertificate

OID_IDENTIFY_DATA = "1.2.410.200004.10.1.1"
OID_VID = "1.2.410.200004.10.1.1.1"

_HASHES: dict[str, Callable[[bytes], bytes]] = {
    "2.16.840.1.101.3.4.2.1": lambda data: hashlib.sha256(data).digest(),
    "1.3.14.3.2.26": lambda data: hashlib.sha1(data).digest(),  # older certificates
}

MAX_CHAIN_LENGTH = 4


# --------------------------------------------------------------------------------------
# ASN.1 structures of the identification data (KCAC.TS.SIVID)
# --------------------------------------------------------------------------------------


class _AlgorithmIdentifier(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("algorithm", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("parameters", univ.Any()),
    )


class _VirtualIdValue(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("hashAlg", _AlgorithmIdentifier()),
        namedtype.NamedType(
            "virtualID",
            univ.OctetString().subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)),
        ),
    )


class _UserInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("idType", univ.ObjectIdentifier()),
        namedtype.NamedType("idValue", univ.Any()),
    )


class _UserInfos(univ.SequenceOf):
    componentType = _UserInfo()


class _IdentifyData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("realName", char.UTF8String()),
        namedtype.NamedType("userInfo", _UserInfos()),
    )


class _HashContent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("idn", char.PrintableString()),
        namedtype.NamedType("randomNum", univ.BitString()),
    )


@dataclass(frozen=True)
class _Vid:
    hash_oid: str
    value: bytes


def _decode_exact(data: bytes, spec: univ.Asn1Item) -> univ.Asn1Item:
    value, rest = der_decoder.decode(data, asn1Spec=spec)
    if rest:
        raise PyAsn1Error("trailing data")
    return value


def _vids(certificate: x509.Certificate) -> list[_Vid]:
    """VIDs bound in subjectAltName; raises PyAsn1Error on malformed data."""
    try:
        san = certificate.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return []
    found: list[_Vid] = []
    for other in san.get_values_for_type(x509.OtherName):
        if other.type_id.dotted_string != OID_IDENTIFY_DATA:
            continue
        data = _decode_exact(other.value, _IdentifyData())
        for info in data["userInfo"]:
            if str(info["idType"]) != OID_VID:
                continue
            id_value = _decode_exact(bytes(info["idValue"]), _VirtualIdValue())
            found.append(_Vid(str(id_value["hashAlg"]["algorithm"]), bytes(id_value["virtualID"])))
    return found


def vid_for(bizno: str, random_num: bytes, hash_oid: str) -> bytes:
    """H(H(DER(HashContent{idn = bizno, randomNum = R})))."""
    content = _HashContent()
    content["idn"] = bizno
    content["randomNum"] = univ.BitString.fromOctetString(random_num)
    digest = _HASHES[hash_oid]
    return digest(digest(der_encoder.encode(content)))


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _load_all(blobs: list[bytes]) -> list[x509.Certificate]:
    loaded = []
    for blob in blobs:
        try:
            loaded.append(x509.load_der_x509_certificate(blob))
        except ValueError:
            continue
    return loaded


def _signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return constraints.ca


def _within(certificate: x509.Certificate, now: datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return ""
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _policy_oids(certificate: x509.Certificate) -> list[str]:
    try:
        policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return []
    return [p.policy_identifier.dotted_string for p in policies]


# --------------------------------------------------------------------------------------
# The adapter
# --------------------------------------------------------------------------------------


class X509CertificateVerifier:
    """Verifies what the certificate plug-in presents, like a relying party's server."""

    def __init__(
        self,
        trust_roots: Callable[[], list[bytes]],
        intermediates: Callable[[], list[bytes]],
        crls: Callable[[], list[bytes]],
    ) -> None:
        self._trust_roots = trust_roots
        self._intermediates = intermediates
        self._crls = crls

    def verify(
        self,
        presented: PresentedCertificate,
        challenge: bytes,
        bizno: str,
        now: datetime,
    ) -> CertificateFacts:
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)

        certificate, vids = self._parse(presented.certificate_der)
        issuer = self._chain(certificate, now)
        self._check_validity(certificate, now)
        self._check_revocation(certificate, issuer, now)
        cert_type = accepted_type(_policy_oids(certificate))
        if cert_type is None:
            raise Refusal(
                "cert_type_not_accepted",
                "KOTRA에서 사용할 수 있는 기업 범용인증서(17종)가 아닙니다. "
                "개인용 인증서나 사용할 수 없는 용도의 인증서입니다. 기업 범용인증서로 다시 시도해 주세요.",
            )
        self._check_signature(certificate, presented.signature, challenge)
        normalized = bizno.replace("-", "").strip()
        self._check_vid(vids, normalized, presented.random_num)

        return CertificateFacts(
            bizno=normalized,
            subject_name=_attribute(certificate.subject, NameOID.COMMON_NAME),
            issuer=_attribute(certificate.issuer, NameOID.ORGANIZATION_NAME),
            policy_oid=cert_type.policy_oid,
            type_label=cert_type.label,
            serial=certificate.serial_number,
            not_after=certificate.not_valid_after_utc,
        )

    # -- 1. parsing --------------------------------------------------------------------

    @staticmethod
    def _parse(der: bytes) -> tuple[x509.Certificate, list[_Vid]]:
        invalid = Refusal("cert_invalid", "인증서 형식이 올바르지 않습니다. 인증서를 다시 선택해 주세요.")
        try:
            certificate = x509.load_der_x509_certificate(der)
            if certificate.public_bytes(serialization.Encoding.DER) != der:
                raise invalid  # trailing or non-canonical bytes
            _ = certificate.extensions  # malformed extensions raise ValueError here
            vids = _vids(certificate)
        except (ValueError, PyAsn1Error) as exc:
            raise invalid from exc
        return certificate, vids

    # -- 2. chain ----------------------------------------------------------------------

    def _chain(self, certificate: x509.Certificate, now: datetime) -> x509.Certificate:
        """Walk issuer signatures up to a trusted root; return the leaf's direct issuer."""
        roots = _load_all(self._trust_roots())
        pool = _load_all(self._intermediates())
        untrusted = Refusal(
            "cert_untrusted",
            "신뢰할 수 있는 공인(공동)인증기관이 발급한 인증서가 아닙니다.",
        )
        current = certificate
        direct_issuer: x509.Certificate | None = None
        for _ in range(MAX_CHAIN_LENGTH):
            for root in roots:
                if root.subject == current.issuer and _within(root, now) and _signed_by(current, root):
                    return direct_issuer or root
            step = next(
                (
                    candidate
                    for candidate in pool
                    if candidate.subject == current.issuer
                    and candidate.subject != candidate.issuer  # a self-signed pool cert is no anchor
                    and candidate != current
                    and _is_ca(candidate)
                    and _within(candidate, now)
                    and _signed_by(current, candidate)
                ),
                None,
            )
            if step is None:
                raise untrusted
            direct_issuer = direct_issuer or step
            current = step
        raise untrusted

    # -- 3. validity -------------------------------------------------------------------

    @staticmethod
    def _check_validity(certificate: x509.Certificate, now: datetime) -> None:
        if now < certificate.not_valid_before_utc:
            start = certificate.not_valid_before_utc.strftime("%Y-%m-%d")
            raise Refusal(
                "cert_not_yet_valid",
                f"인증서 유효기간이 아직 시작되지 않았습니다. (유효기간 시작일: {start})",
            )
        if now > certificate.not_valid_after_utc:
            end = certificate.not_valid_after_utc.strftime("%Y-%m-%d")
            raise Refusal(
                "cert_expired",
                f"인증서 유효기간이 만료되었습니다. (만료일: {end}) 인증서를 갱신한 뒤 다시 시도해 주세요.",
            )

    # -- 4. revocation -----------------------------------------------------------------

    def _check_revocation(
        self, certificate: x509.Certificate, issuer: x509.Certificate, now: datetime
    ) -> None:
        crl: x509.CertificateRevocationList | None = None
        for blob in self._crls():
            try:
                candidate = x509.load_der_x509_crl(blob)
            except ValueError:
                continue
            if candidate.issuer != issuer.subject:
                continue
            public_key = issuer.public_key()
            if not isinstance(public_key, rsa.RSAPublicKey) or not candidate.is_signature_valid(public_key):
                continue
            next_update = candidate.next_update_utc
            if next_update is not None and next_update < now:
                continue
            crl = candidate
            break
        if crl is None:
            raise Refusal(
                "cert_revocation_unknown",
                "인증서 폐지 여부를 확인할 수 없습니다. 잠시 후 다시 시도해 주세요.",
            )
        if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            raise Refusal(
                "cert_revoked",
                "폐지된 인증서입니다. 인증서를 재발급받은 뒤 다시 시도해 주세요.",
            )

    # -- 6. signature over the challenge ------------------------------------------------

    @staticmethod
    def _check_signature(certificate: x509.Certificate, signature: bytes, challenge: bytes) -> None:
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise Refusal("cert_invalid", "지원하지 않는 인증서 키 형식입니다.")
        try:
            public_key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise Refusal(
                "cert_bad_signature",
                "인증서 전자서명 검증에 실패했습니다. 인증서를 다시 선택해 주세요.",
            ) from exc

    # -- 7. VID ------------------------------------------------------------------------

    @staticmethod
    def _check_vid(vids: list[_Vid], bizno: str, random_num: bytes) -> None:
        wrong_company = Refusal(
            "cert_wrong_company",
            "인증하려는 기업의 사업자등록번호로 발급된 인증서가 아닙니다. "
            "해당 기업의 사업자등록번호로 발급된 기업 범용인증서를 선택해 주세요.",
        )
        if not random_num:
            raise wrong_company
        for vid in vids:
            if vid.hash_oid not in _HASHES:
                continue
            try:
                expected = vid_for(bizno, random_num, vid.hash_oid)
            except PyAsn1Error:  # a 사업자등록번호 that cannot be a PrintableString matches nothing
                raise wrong_company from None
            if hmac.compare_digest(vid.value, expected):
                return
        raise wrong_company
