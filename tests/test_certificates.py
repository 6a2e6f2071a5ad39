"""Fake NPKI CAs, the certificate plug-in and the X.509 verifier adapter, end to end."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import char, univ

from fake_providers.ca import (
    CA_NAMES,
    CORPORATE_PRODUCTS,
    OID_IDENTIFY_DATA,
    PERSONAL_PRODUCTS,
    PRODUCTS,
    CertificateAuthorities,
    CertificateBundle,
    EncryptedPrivateKeyInfo,
    IdentifyData,
    Pbes2Params,
    VirtualIdValue,
)
from fake_providers.cert_plugin import CertificatePasswordError, SignedChallenge, sign_challenge
from simulator.adapters.certificate_verifier import X509CertificateVerifier
from simulator.domain.certificate_types import ACCEPTED_CERTIFICATE_TYPES
from simulator.domain.errors import Refusal
from simulator.service_layer.ports import CertificateFacts, PresentedCertificate

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BIZNO = "1208147521"
OTHER_BIZNO = "2148801234"
PASSWORD = "qwer1234!"
CHALLENGE = b"ti24-login-challenge-0001"


@pytest.fixture(scope="module")
def cas() -> CertificateAuthorities:
    return CertificateAuthorities(lambda: NOW)


@pytest.fixture(scope="module")
def verifier(cas: CertificateAuthorities) -> X509CertificateVerifier:
    return X509CertificateVerifier(cas.trust_roots, cas.intermediates, cas.crls)


def _issue(
    cas: CertificateAuthorities, product: str = "금융결제원(법인)", **kwargs: object
) -> CertificateBundle:
    options: dict[str, object] = {"bizno": BIZNO, "holder_name": "주식회사 코트라상사", "password": PASSWORD}
    options.update(kwargs)
    return cas.issue(product, **options)  # type: ignore[arg-type]


def _present(bundle: CertificateBundle, challenge: bytes = CHALLENGE) -> PresentedCertificate:
    signed = sign_challenge(bundle, PASSWORD, challenge)
    return PresentedCertificate(signed.certificate_der, signed.signature, signed.random_num)


def _refusal(call: Callable[[], CertificateFacts]) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value


# --------------------------------------------------------------------------------------
# Accepted products
# --------------------------------------------------------------------------------------


def test_ca_catalogue_has_the_seventeen_accepted_types_with_the_same_oids() -> None:
    simulator_table = {t.label: t.policy_oid for t in ACCEPTED_CERTIFICATE_TYPES}
    ca_table = {label: PRODUCTS[label].policy_oid for label in CORPORATE_PRODUCTS}
    assert len(CORPORATE_PRODUCTS) == 17
    assert ca_table == simulator_table
    assert {label: PRODUCTS[label].ca for label in CORPORATE_PRODUCTS} == {
        t.label: t.ca for t in ACCEPTED_CERTIFICATE_TYPES
    }


@pytest.mark.parametrize("product", CORPORATE_PRODUCTS)
def test_each_accepted_product_is_verified(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier, product: str
) -> None:
    bundle = _issue(cas, product)

    facts = verifier.verify(_present(bundle), CHALLENGE, BIZNO, NOW)

    assert facts.type_label == product
    assert facts.policy_oid == PRODUCTS[product].policy_oid
    assert facts.issuer == PRODUCTS[product].ca
    assert facts.bizno == BIZNO
    assert facts.serial == bundle.serial
    assert facts.subject_name.startswith("주식회사 코트라상사()")
    assert facts.not_after == NOW + timedelta(days=365)


def test_bizno_with_hyphens_is_normalized(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    bundle = _issue(cas, bizno="120-81-47521")
    assert bundle.bizno == BIZNO
    assert verifier.verify(_present(bundle), CHALLENGE, "120-81-47521", NOW).bizno == BIZNO


# --------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("product", PERSONAL_PRODUCTS)
def test_personal_products_are_not_accepted(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier, product: str
) -> None:
    bundle = _issue(cas, product)

    refusal = _refusal(lambda: verifier.verify(_present(bundle), CHALLENGE, BIZNO, NOW))

    assert refusal.code == "cert_type_not_accepted"
    assert "기업 범용인증서" in refusal.message


def test_certificate_of_another_company_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    bundle = _issue(cas, bizno=OTHER_BIZNO)

    refusal = _refusal(lambda: verifier.verify(_present(bundle), CHALLENGE, BIZNO, NOW))

    assert refusal.code == "cert_wrong_company"
    assert "사업자등록번호" in refusal.message


def test_random_number_of_another_certificate_does_not_match_the_vid(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    bundle = _issue(cas)
    other = _present(_issue(cas))
    genuine = _present(bundle)
    presented = PresentedCertificate(genuine.certificate_der, genuine.signature, other.random_num)

    assert _refusal(lambda: verifier.verify(presented, CHALLENGE, BIZNO, NOW)).code == "cert_wrong_company"
    empty = PresentedCertificate(genuine.certificate_der, genuine.signature, b"")
    assert _refusal(lambda: verifier.verify(empty, CHALLENGE, BIZNO, NOW)).code == "cert_wrong_company"


def test_expired_certificate_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    bundle = _issue(cas, not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=35))

    refusal = _refusal(lambda: verifier.verify(_present(bundle), CHALLENGE, BIZNO, NOW))

    assert refusal.code == "cert_expired"
    assert "만료" in refusal.message


def test_certificate_not_yet_valid_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    bundle = _issue(cas, not_before=NOW + timedelta(days=2), not_after=NOW + timedelta(days=400))

    refusal = _refusal(lambda: verifier.verify(_present(bundle), CHALLENGE, BIZNO, NOW))

    assert refusal.code == "cert_not_yet_valid"


def test_validity_is_judged_at_the_given_time(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    bundle = _issue(cas)
    later = NOW + timedelta(days=366)
    assert _refusal(lambda: verifier.verify(_present(bundle), CHALLENGE, BIZNO, later)).code == "cert_expired"


def test_revoked_certificate_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    revoked = _issue(cas, "한국무역정보통신(법인)")
    sibling = _issue(cas, "한국무역정보통신(법인)")
    verifier.verify(_present(revoked), CHALLENGE, BIZNO, NOW)

    cas.revoke(revoked.serial)

    assert _refusal(lambda: verifier.verify(_present(revoked), CHALLENGE, BIZNO, NOW)).code == "cert_revoked"
    assert verifier.verify(_present(sibling), CHALLENGE, BIZNO, NOW).serial == sibling.serial


def test_missing_or_forged_crl_means_revocation_unknown(cas: CertificateAuthorities) -> None:
    bundle = _issue(cas)
    no_crls = X509CertificateVerifier(cas.trust_roots, cas.intermediates, list)
    assert _refusal(lambda: no_crls.verify(_present(bundle), CHALLENGE, BIZNO, NOW)).code == (
        "cert_revocation_unknown"
    )

    cas.revoke(bundle.serial)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(CA_NAMES["yessign"])
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=1))
        .sign(forger, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    only_forged = X509CertificateVerifier(cas.trust_roots, cas.intermediates, lambda: [forged])
    assert _refusal(lambda: only_forged.verify(_present(bundle), CHALLENGE, BIZNO, NOW)).code == (
        "cert_revocation_unknown"
    )


def test_certificate_from_untrusted_ca_is_refused(cas: CertificateAuthorities) -> None:
    bundle = _issue(cas, untrusted=True)
    # Even when the 사설 CA and its root are offered as intermediates, nothing reaches the KISA root.
    verifier = X509CertificateVerifier(
        cas.trust_roots, lambda: cas.intermediates() + cas.untrusted_chain(), cas.crls
    )

    refusal = _refusal(lambda: verifier.verify(_present(bundle), CHALLENGE, BIZNO, NOW))

    assert refusal.code == "cert_untrusted"


def test_without_trusted_root_nothing_is_trusted(cas: CertificateAuthorities) -> None:
    bundle = _issue(cas)
    verifier = X509CertificateVerifier(list, cas.intermediates, cas.crls)

    assert _refusal(lambda: verifier.verify(_present(bundle), CHALLENGE, BIZNO, NOW)).code == "cert_untrusted"


def test_certificate_forged_under_a_licensed_ca_name_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    genuine = x509.load_der_x509_certificate(_issue(cas).sign_cert_der)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = (
        x509.CertificateBuilder()
        .subject_name(genuine.subject)
        .issuer_name(genuine.issuer)  # claims to be yessignCA-TEST Class 2
        .public_key(genuine.public_key())
        .serial_number(genuine.serial_number + 1)
        .not_valid_before(genuine.not_valid_before_utc)
        .not_valid_after(genuine.not_valid_after_utc)
    )
    for extension in genuine.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    forged = builder.sign(forger, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    presented = PresentedCertificate(forged, b"", b"")

    assert _refusal(lambda: verifier.verify(presented, CHALLENGE, BIZNO, NOW)).code == "cert_untrusted"


def test_wrong_password_is_rejected_by_the_plugin(cas: CertificateAuthorities) -> None:
    bundle = _issue(cas)

    with pytest.raises(CertificatePasswordError) as caught:
        sign_challenge(bundle, "wrong-password", CHALLENGE)

    assert caught.value.message == "인증서 암호가 올바르지 않습니다."
    assert str(caught.value) == "인증서 암호가 올바르지 않습니다."


def test_tampered_signature_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    genuine = _present(_issue(cas))
    flipped = bytes([genuine.signature[0] ^ 0x01]) + genuine.signature[1:]
    tampered = PresentedCertificate(genuine.certificate_der, flipped, genuine.random_num)

    assert _refusal(lambda: verifier.verify(tampered, CHALLENGE, BIZNO, NOW)).code == "cert_bad_signature"


def test_signature_over_another_challenge_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier
) -> None:
    replayed = _present(_issue(cas), challenge=b"an-old-challenge")

    assert _refusal(lambda: verifier.verify(replayed, CHALLENGE, BIZNO, NOW)).code == "cert_bad_signature"


@pytest.mark.parametrize(
    "mangle",
    [lambda der: b"not a certificate", lambda der: der + b"\x00", lambda der: der[:-10]],
    ids=["garbage", "trailing-bytes", "truncated"],
)
def test_unparsable_certificate_is_refused(
    cas: CertificateAuthorities, verifier: X509CertificateVerifier, mangle: Callable[[bytes], bytes]
) -> None:
    genuine = _present(_issue(cas))
    presented = PresentedCertificate(mangle(genuine.certificate_der), genuine.signature, genuine.random_num)

    assert _refusal(lambda: verifier.verify(presented, CHALLENGE, BIZNO, NOW)).code == "cert_invalid"


# --------------------------------------------------------------------------------------
# Certificate and key format
# --------------------------------------------------------------------------------------


def test_certificate_carries_policy_oid_and_vid_in_subject_alt_name(cas: CertificateAuthorities) -> None:
    bundle = _issue(cas, "한국무역정보통신 용도제한 전자무역 (법인)")
    signed: SignedChallenge = sign_challenge(bundle, PASSWORD, CHALLENGE)
    certificate = x509.load_der_x509_certificate(bundle.sign_cert_der)

    policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["1.2.410.200012.1.1.9"]

    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    (other_name,) = san.get_values_for_type(x509.OtherName)
    assert other_name.type_id.dotted_string == OID_IDENTIFY_DATA == "1.2.410.200004.10.1.1"
    data, rest = der_decoder.decode(other_name.value, asn1Spec=IdentifyData())
    assert rest == b""
    assert str(data["realName"]) == "주식회사 코트라상사"
    (info,) = list(data["userInfo"])
    assert str(info["idType"]) == "1.2.410.200004.10.1.1.1"
    id_value = info["idValue"]
    assert isinstance(id_value, VirtualIdValue)
    assert str(id_value["hashAlg"]["algorithm"]) == "2.16.840.1.101.3.4.2.1"

    # VID = SHA256(SHA256(DER(SEQUENCE { PrintableString bizno, BIT STRING R })))
    assert len(signed.random_num) == 20
    hash_content = univ.Sequence()
    hash_content.setComponentByPosition(0, char.PrintableString(BIZNO))
    hash_content.setComponentByPosition(1, univ.BitString.fromOctetString(signed.random_num))
    expected = hashlib.sha256(hashlib.sha256(der_encoder.encode(hash_content)).digest()).digest()
    assert bytes(id_value["virtualID"]) == expected


def test_certificate_profile(cas: CertificateAuthorities) -> None:
    certificate = x509.load_der_x509_certificate(_issue(cas, "전자인증(법인)").sign_cert_der)

    assert certificate.issuer == CA_NAMES["CrossCert"]
    ou = certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert [a.value for a in ou] == ["corporation4EC"]
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for p in points for n in (p.full_name or [])] == ["http://ca.test/CrossCert/crl"]
    certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size == 2048


def test_sign_pri_key_is_pbes2_with_pbkdf2_and_seed_cbc(cas: CertificateAuthorities) -> None:
    bundle = _issue(cas)

    epki, rest = der_decoder.decode(bundle.sign_pri_key, asn1Spec=EncryptedPrivateKeyInfo())
    assert rest == b""
    assert str(epki["encryptionAlgorithm"]["algorithm"]) == "1.2.840.113549.1.5.13"
    params, _ = der_decoder.decode(bytes(epki["encryptionAlgorithm"]["parameters"]), asn1Spec=Pbes2Params())
    assert str(params["keyDerivationFunc"]["algorithm"]) == "1.2.840.113549.1.5.12"
    assert str(params["encryptionScheme"]["algorithm"]) == "1.2.410.200004.1.4"


def test_crls_and_trust_material(cas: CertificateAuthorities) -> None:
    (root_der,) = cas.trust_roots()
    root = x509.load_der_x509_certificate(root_der)
    assert root.subject == root.issuer
    assert root.subject.rfc4514_string() == (
        "CN=KISA RootCA (TEST),OU=Korea Certification Authority Central,O=KISA,C=KR"
    )
    intermediates = [x509.load_der_x509_certificate(der) for der in cas.intermediates()]
    assert {c.subject for c in intermediates} == set(CA_NAMES.values())
    for intermediate in intermediates:
        intermediate.verify_directly_issued_by(root)

    by_name = {c.subject: c for c in intermediates}
    crls = [x509.load_der_x509_crl(der) for der in cas.crls()]
    licensed = [crl for crl in crls if crl.issuer in by_name]
    assert len(licensed) == len(CA_NAMES)
    for crl in licensed:
        issuer_key = by_name[crl.issuer].public_key()
        assert isinstance(issuer_key, rsa.RSAPublicKey)
        assert crl.is_signature_valid(issuer_key)


def test_revoke_unknown_serial_fails(cas: CertificateAuthorities) -> None:
    with pytest.raises(KeyError):
        cas.revoke(12345)
