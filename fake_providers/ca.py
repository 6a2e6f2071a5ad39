"""Fake Korean licensed certificate authorities (NPKI / 공동인증서) issuing real X.509.

This module is the *CA world*: it has its own product catalogue and knows nothing about
the simulator. Certificates are genuine DER X.509 signed with RSA-2048 keys, chained
to a test KISA root, carrying the certificate-policy OID of the product, and binding
the 사업자등록번호 through the VID in subjectAltName (KCAC.TS.SIVID):

    VID = SHA256(SHA256(DER(HashContent { idn PrintableString, randomNum BIT STRING })))

The private key is delivered NPKI-style as ``signPri.key``: a PKCS#8
EncryptedPrivateKeyInfo protected with PBES2 (PBKDF2-HMAC-SHA1 + SEED-CBC). The
decrypted PrivateKeyInfo carries the identification random number R in its
``attributes [0]`` (OID 1.2.410.200004.10.1.1.3).

Keys come from per-process pools so a world is cheap to build and issuing takes a few
milliseconds. Consequence: two ``CertificateAuthorities`` instances in one process share
CA names *and* keys, so a certificate from one chains to the other's root. Use
``untrusted=True`` for a CA nobody trusts.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.decrepit.ciphers.algorithms import SEED
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.x509.oid import NameOID
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import char, namedtype, tag, univ

# --------------------------------------------------------------------------------------
# OIDs
# --------------------------------------------------------------------------------------

OID_IDENTIFY_DATA = "1.2.410.200004.10.1.1"  # id-kisa-identifyData (SAN otherName type-id)
OID_VID = "1.2.410.200004.10.1.1.1"
OID_RANDOM_NUM = "1.2.410.200004.10.1.1.3"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_HMAC_SHA1 = "1.2.840.113549.2.7"
OID_SEED_CBC = "1.2.410.200004.1.4"

PBKDF2_ITERATIONS = 2048

# Host of the CAs' published URLs written into certificates (CRL distribution point
# ``http://ca.test/<slug>/crl``, CPS ``http://ca.test/<slug>/cps.html``). The HTTP fake
# providers serve these under ``<base>/ca/<slug>/…``: map ``http://ca.test/`` to ``<base>/ca/``.
CA_PUBLIC_BASE = "http://ca.test"


# --------------------------------------------------------------------------------------
# Product catalogue (the CA world's own table)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """A certificate product a licensed CA sells."""

    ca: str  # organisation (O=) of the issuing licensed CA
    policy_oid: str
    corporate: bool


PRODUCTS: dict[str, Product] = {
    # 기업 범용인증서 and corporate restricted-use products (17)
    "한국정보인증(법인)": Product("KICA", "1.2.410.200004.5.2.1.1", True),
    "전자인증(법인)": Product("CrossCert", "1.2.410.200004.5.4.1.2", True),
    "증권전산(법인)": Product("SignKorea", "1.2.410.200004.5.1.1.7", True),
    "한국전산원(기관)": Product("NCASign", "1.2.410.200004.5.3.1.1", True),
    "금융결제원(법인)": Product("yessign", "1.2.410.200005.1.1.5", True),
    "한국전산원(법인)": Product("NCASign", "1.2.410.200004.5.3.1.2", True),
    "한국무역정보통신(법인)": Product("TradeSign", "1.2.410.200012.1.1.3", True),
    "금융결제원 은행/보험(법인)": Product("yessign", "1.2.410.200005.1.1.2", True),
    "금융결제원 증권 (법인)": Product("yessign", "1.2.410.200005.1.1.6.4", True),
    "금융결제원 은행 (법인)": Product("yessign", "1.2.410.200005.1.1.6.5", True),
    "금융결제원 기업뱅킹 (법인)": Product("yessign", "1.2.410.200005.1.1.6.1", True),
    "금융결제원 법인업무(법인)": Product("yessign", "1.2.410.200005.1.1.7.1", True),
    "금융결제원 조달청 원클릭 (법인)": Product("yessign", "1.2.410.200005.1.1.6.3", True),
    "전자인증 용도제한 (법인)": Product("CrossCert", "1.2.410.200004.5.4.1.5", True),
    "한국무역정보통신 특수목적 (법인)": Product("TradeSign", "1.2.410.200012.1.1.101", True),
    "한국무역정보통신 용도제한 전자무역 (법인)": Product("TradeSign", "1.2.410.200012.1.1.9", True),
    "정보인증전자세금융 (법인)": Product("KICA", "1.2.410.200004.5.2.1.6.257", True),
    # personal products (not accepted for 소속기업 인증)
    "금융결제원 개인 범용": Product("yessign", "1.2.410.200005.1.1.1", False),
    "한국정보인증 개인 범용": Product("KICA", "1.2.410.200004.5.2.1.2", False),
    "금융결제원 개인 용도제한": Product("yessign", "1.2.410.200005.1.1.4", False),
}

CORPORATE_PRODUCTS: tuple[str, ...] = tuple(label for label, p in PRODUCTS.items() if p.corporate)
PERSONAL_PRODUCTS: tuple[str, ...] = tuple(label for label, p in PRODUCTS.items() if not p.corporate)


# --------------------------------------------------------------------------------------
# Distinguished names
# --------------------------------------------------------------------------------------


def _name(cn: str, ou: str, o: str, c: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, c),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


ROOT_NAME = _name("KISA RootCA (TEST)", "Korea Certification Authority Central", "KISA", "KR")

# Licensed CA intermediates (TEST-marked versions of the real DN patterns).
CA_NAMES: dict[str, x509.Name] = {
    "yessign": _name("yessignCA-TEST Class 2", "AccreditedCA", "yessign", "kr"),
    "KICA": _name("signGATE FTCA04", "AccreditedCA", "KICA", "KR"),
    "SignKorea": _name("SignKorea TEST CA3", "AccreditedCA", "SignKorea", "KR"),
    "CrossCert": _name("CrossCertTestCA2", "AccreditedCA", "CrossCert", "KR"),
    "TradeSign": _name("TestTradeSignCA", "AccreditedCA", "TradeSign", "KR"),
    "NCASign": _name("NCASignCA-TEST", "AccreditedCA", "NCASign", "KR"),
}

UNTRUSTED_ROOT_NAME = _name("사설 Root CA (TEST)", "Private", "사설인증", "KR")
UNTRUSTED_CA_NAME = _name("사설 CA (TEST)", "Private", "사설인증", "KR")
UNTRUSTED_ORG = "사설인증"


# --------------------------------------------------------------------------------------
# ASN.1 (pyasn1) structures
# --------------------------------------------------------------------------------------


def _context(n: int) -> tag.Tag:
    """Context-specific constructed tag [n] (explicit tags, and implicit tags on SET)."""
    return tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, n)


class AlgorithmIdentifier(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("algorithm", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("parameters", univ.Any()),
    )


class HashContent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("idn", char.PrintableString()),
        namedtype.NamedType("randomNum", univ.BitString()),
    )


class VirtualIdValue(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("hashAlg", AlgorithmIdentifier()),
        namedtype.NamedType("virtualID", univ.OctetString().subtype(explicitTag=_context(0))),
    )


class UserInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("idType", univ.ObjectIdentifier()),
        namedtype.NamedType("idValue", VirtualIdValue()),
    )


class UserInfos(univ.SequenceOf):
    componentType = UserInfo()


class IdentifyData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("realName", char.UTF8String()),
        namedtype.NamedType("userInfo", UserInfos()),
    )


class AttributeValues(univ.SetOf):
    componentType = univ.Any()


class Attribute(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("type", univ.ObjectIdentifier()),
        namedtype.NamedType("values", AttributeValues()),
    )


class Attributes(univ.SetOf):
    componentType = Attribute()


class PrivateKeyInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("privateKeyAlgorithm", AlgorithmIdentifier()),
        namedtype.NamedType("privateKey", univ.OctetString()),
        namedtype.OptionalNamedType("attributes", Attributes().subtype(implicitTag=_context(0))),
    )


class Pbkdf2Params(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("salt", univ.OctetString()),
        namedtype.NamedType("iterationCount", univ.Integer()),
        namedtype.OptionalNamedType("keyLength", univ.Integer()),
        namedtype.OptionalNamedType("prf", AlgorithmIdentifier()),
    )


class Pbes2Params(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("keyDerivationFunc", AlgorithmIdentifier()),
        namedtype.NamedType("encryptionScheme", AlgorithmIdentifier()),
    )


class EncryptedPrivateKeyInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("encryptionAlgorithm", AlgorithmIdentifier()),
        namedtype.NamedType("encryptedData", univ.OctetString()),
    )


def _decode_exact(data: bytes, spec: univ.Asn1Item) -> univ.Asn1Item:
    value, rest = der_decoder.decode(data, asn1Spec=spec)
    if rest:
        raise ValueError("trailing data after ASN.1 value")
    return value


# --------------------------------------------------------------------------------------
# VID and signPri.key helpers (shared with the fake plug-in)
# --------------------------------------------------------------------------------------


def normalize_bizno(bizno: str) -> str:
    digits = bizno.replace("-", "").strip()
    if len(digits) != 10 or not digits.isdigit():
        raise ValueError(f"사업자등록번호는 10자리 숫자여야 합니다: {bizno!r}")
    return digits


def compute_vid(idn: str, random_num: bytes) -> bytes:
    """VID = SHA256(SHA256(DER(HashContent{idn, randomNum})))."""
    content = HashContent()
    content["idn"] = idn
    content["randomNum"] = univ.BitString.fromOctetString(random_num)
    once = hashlib.sha256(der_encoder.encode(content)).digest()
    return hashlib.sha256(once).digest()


def identify_data_der(real_name: str, vid: bytes) -> bytes:
    """DER of IdentifyData (the value inside otherName's [0] EXPLICIT)."""
    hash_alg = AlgorithmIdentifier()
    hash_alg["algorithm"] = univ.ObjectIdentifier(OID_SHA256)
    id_value = VirtualIdValue()
    id_value["hashAlg"] = hash_alg
    id_value["virtualID"] = univ.OctetString(vid).subtype(explicitTag=_context(0))
    info = UserInfo()
    info["idType"] = univ.ObjectIdentifier(OID_VID)
    info["idValue"] = id_value
    infos = UserInfos()
    infos.append(info)
    data = IdentifyData()
    data["realName"] = real_name
    data["userInfo"] = infos
    return der_encoder.encode(data)


def _seed_key(password: str, salt: bytes, iterations: int, length: int) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA1(), length=length, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def encrypt_private_key(private_key: rsa.RSAPrivateKey, random_num: bytes, password: str) -> bytes:
    """Build signPri.key: PBES2(PBKDF2-HMAC-SHA1, SEED-CBC) over PrivateKeyInfo + randomNum."""
    pkcs1 = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    rsa_alg = AlgorithmIdentifier()
    rsa_alg["algorithm"] = univ.ObjectIdentifier(OID_RSA_ENCRYPTION)
    rsa_alg["parameters"] = univ.Any(der_encoder.encode(univ.Null("")))

    values = AttributeValues()
    values.append(univ.Any(der_encoder.encode(univ.BitString.fromOctetString(random_num))))
    attribute = Attribute()
    attribute["type"] = univ.ObjectIdentifier(OID_RANDOM_NUM)
    attribute["values"] = values
    attributes = Attributes().subtype(implicitTag=_context(0))
    attributes.append(attribute)

    info = PrivateKeyInfo()
    info["version"] = 0
    info["privateKeyAlgorithm"] = rsa_alg
    info["privateKey"] = pkcs1
    info["attributes"] = attributes
    plain = der_encoder.encode(info)

    salt = os.urandom(8)
    iv = os.urandom(16)
    key = _seed_key(password, salt, PBKDF2_ITERATIONS, 16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(SEED(key), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()

    kdf_params = Pbkdf2Params()
    kdf_params["salt"] = salt
    kdf_params["iterationCount"] = PBKDF2_ITERATIONS
    kdf_params["keyLength"] = 16
    kdf_alg = AlgorithmIdentifier()
    kdf_alg["algorithm"] = univ.ObjectIdentifier(OID_PBKDF2)
    kdf_alg["parameters"] = univ.Any(der_encoder.encode(kdf_params))
    enc_alg = AlgorithmIdentifier()
    enc_alg["algorithm"] = univ.ObjectIdentifier(OID_SEED_CBC)
    enc_alg["parameters"] = univ.Any(der_encoder.encode(univ.OctetString(iv)))
    pbes2 = Pbes2Params()
    pbes2["keyDerivationFunc"] = kdf_alg
    pbes2["encryptionScheme"] = enc_alg
    outer_alg = AlgorithmIdentifier()
    outer_alg["algorithm"] = univ.ObjectIdentifier(OID_PBES2)
    outer_alg["parameters"] = univ.Any(der_encoder.encode(pbes2))

    epki = EncryptedPrivateKeyInfo()
    epki["encryptionAlgorithm"] = outer_alg
    epki["encryptedData"] = encrypted
    return der_encoder.encode(epki)


def decrypt_private_key(sign_pri_key: bytes, password: str) -> tuple[rsa.RSAPrivateKey, bytes | None]:
    """Open signPri.key; return the RSA key and R (None if the key carries none).

    Raises ValueError if the file is not PBES2/SEED or the password does not open it.
    """
    epki = _decode_exact(sign_pri_key, EncryptedPrivateKeyInfo())
    outer = epki["encryptionAlgorithm"]
    if str(outer["algorithm"]) != OID_PBES2:
        raise ValueError(f"unsupported signPri.key encryption {outer['algorithm']}")
    pbes2 = _decode_exact(bytes(outer["parameters"]), Pbes2Params())
    kdf_alg = pbes2["keyDerivationFunc"]
    enc_alg = pbes2["encryptionScheme"]
    if str(kdf_alg["algorithm"]) != OID_PBKDF2 or str(enc_alg["algorithm"]) != OID_SEED_CBC:
        raise ValueError("unsupported PBES2 parameters")
    kdf_params = _decode_exact(bytes(kdf_alg["parameters"]), Pbkdf2Params())
    if kdf_params["prf"].isValue and str(kdf_params["prf"]["algorithm"]) != OID_HMAC_SHA1:
        raise ValueError("unsupported PBKDF2 PRF")
    length = int(kdf_params["keyLength"]) if kdf_params["keyLength"].isValue else 16
    iv = bytes(_decode_exact(bytes(enc_alg["parameters"]), univ.OctetString()))
    key = _seed_key(password, bytes(kdf_params["salt"]), int(kdf_params["iterationCount"]), length)

    decryptor = Cipher(SEED(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(bytes(epki["encryptedData"])) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()  # ValueError on a wrong password

    try:
        info = _decode_exact(plain, PrivateKeyInfo())
        # The key was just opened with the right password; skipping OpenSSL's RSA
        # consistency check keeps signing at ~1 ms instead of ~28 ms.
        private_key = serialization.load_der_private_key(
            bytes(info["privateKey"]), password=None, unsafe_skip_rsa_key_validation=True
        )
    except Exception as exc:  # pyasn1 errors are not ValueError subclasses
        raise ValueError("decrypted data is not a private key") from exc
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError("signPri.key does not hold an RSA key")

    random_num: bytes | None = None
    if info["attributes"].isValue:
        for attribute in info["attributes"]:
            if str(attribute["type"]) == OID_RANDOM_NUM and len(attribute["values"]) > 0:
                bits = _decode_exact(bytes(attribute["values"][0]), univ.BitString())
                random_num = bits.asOctets()
    return private_key, random_num


# --------------------------------------------------------------------------------------
# Key pools (per process)
# --------------------------------------------------------------------------------------

_POOL_LOCK = threading.Lock()
_CA_KEYS: dict[str, rsa.RSAPrivateKey] = {}
_SUBSCRIBER_POOL_SIZE = 8
_SUBSCRIBER_KEYS: list[rsa.RSAPrivateKey] = []
_subscriber_cursor = itertools.count()


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_key(role: str) -> rsa.RSAPrivateKey:
    with _POOL_LOCK:
        if role not in _CA_KEYS:
            _CA_KEYS[role] = _new_key()
        return _CA_KEYS[role]


# CA certificates, made once per process and day: their validity (ten years back, twenty ahead) is
# anchored at the start of the world's UTC day, so every world of that day gets the same ones.
# Signing nine CA certificates for every world was a tenth of a world's set-up.
_CA_CERTIFICATES: dict[tuple[str, str, datetime], x509.Certificate] = {}


def _day_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _ca_certificate(
    subject: x509.Name, issuer: x509.Name, now: datetime, sign: Callable[[], x509.Certificate]
) -> x509.Certificate:
    key = (subject.rfc4514_string(), issuer.rfc4514_string(), _day_of(now))
    with _POOL_LOCK:
        if key not in _CA_CERTIFICATES:
            _CA_CERTIFICATES[key] = sign()
        return _CA_CERTIFICATES[key]


def _subscriber_key() -> rsa.RSAPrivateKey:
    index = next(_subscriber_cursor) % _SUBSCRIBER_POOL_SIZE
    with _POOL_LOCK:
        while len(_SUBSCRIBER_KEYS) <= index:
            _SUBSCRIBER_KEYS.append(_new_key())
        return _SUBSCRIBER_KEYS[index]


# --------------------------------------------------------------------------------------
# The authorities
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateBundle:
    """What a member stores under NPKI/<CA>/USER/<subject>/: signCert.der + signPri.key."""

    sign_cert_der: bytes
    sign_pri_key: bytes = field(repr=False)
    serial: int
    product: str
    bizno: str


@dataclass
class _Authority:
    org: str
    name: x509.Name
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    slug: str = ""  # ASCII path segment for the CA's URLs
    revoked: dict[int, datetime] = field(default_factory=dict)
    crl_number: int = 0


_CA_VALIDITY_BACK = timedelta(days=3650)
_CA_VALIDITY_FORWARD = timedelta(days=7300)


class CertificateAuthorities:
    """KISA test root, the six licensed CAs and one untrusted 사설 CA."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._root_key = _ca_key("root")
        self._root = self._self_signed(ROOT_NAME, self._root_key)
        self._cas: dict[str, _Authority] = {
            org: self._intermediate(org, name, self._root, self._root_key) for org, name in CA_NAMES.items()
        }
        untrusted_root_key = _ca_key("untrusted-root")
        self._untrusted_root = self._self_signed(UNTRUSTED_ROOT_NAME, untrusted_root_key)
        self._untrusted = self._intermediate(
            UNTRUSTED_ORG, UNTRUSTED_CA_NAME, self._untrusted_root, untrusted_root_key
        )
        self._issued: dict[int, _Authority] = {}

    # -- CA certificates ---------------------------------------------------------------

    def _ca_builder(
        self, subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey
    ) -> x509.CertificateBuilder:
        now = _day_of(self._now())
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _CA_VALIDITY_BACK)
            .not_valid_after(now + _CA_VALIDITY_FORWARD)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        )

    def _self_signed(self, name: x509.Name, key: rsa.RSAPrivateKey) -> x509.Certificate:
        def sign() -> x509.Certificate:
            builder = self._ca_builder(name, name, key).add_extension(
                x509.BasicConstraints(ca=True, path_length=None), critical=True
            )
            return builder.sign(key, hashes.SHA256())

        return _ca_certificate(name, name, self._now(), sign)

    def _intermediate(
        self, org: str, name: x509.Name, parent: x509.Certificate, parent_key: rsa.RSAPrivateKey
    ) -> _Authority:
        key = _ca_key(f"{parent.subject.rfc4514_string()}|{org}")

        def sign() -> x509.Certificate:
            builder = (
                self._ca_builder(name, parent.subject, key)
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(parent_key.public_key()), critical=False
                )
            )
            return builder.sign(parent_key, hashes.SHA256())

        slug = org if org.isascii() else "private-ca"
        return _Authority(org, name, key, _ca_certificate(name, parent.subject, self._now(), sign), slug)

    # -- issuing -----------------------------------------------------------------------

    def issue(
        self,
        product: str,
        *,
        bizno: str,
        holder_name: str,
        password: str,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        untrusted: bool = False,
    ) -> CertificateBundle:
        """Issue a subscriber certificate of ``product`` for the company ``bizno``.

        ``untrusted=True`` issues the same product from the 사설 CA instead of the
        licensed CA (a certificate no relying party should accept).
        """
        if product not in PRODUCTS:
            raise KeyError(f"알 수 없는 인증서 상품입니다: {product!r}")
        spec = PRODUCTS[product]
        idn = normalize_bizno(bizno)
        authority = self._untrusted if untrusted else self._cas[spec.ca]
        now = self._now()
        not_before = not_before if not_before is not None else now - timedelta(days=1)
        not_after = not_after if not_after is not None else now + timedelta(days=365)

        key = _subscriber_key()
        random_num = secrets.token_bytes(20)
        vid = compute_vid(idn, random_num)
        with self._lock:
            serial = x509.random_serial_number() >> 96  # ~64 bits, positive
            while serial in self._issued or serial == 0:
                serial = x509.random_serial_number() >> 96
            self._issued[serial] = authority

        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, authority.org),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "corporation4EC"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{holder_name}(){serial:020d}"),
            ]
        )
        base = f"{CA_PUBLIC_BASE}/{authority.slug}"
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(authority.name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.CertificatePolicies(
                    [x509.PolicyInformation(x509.ObjectIdentifier(spec.policy_oid), [f"{base}/cps.html"])]
                ),
                critical=False,
            )
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.OtherName(
                            x509.ObjectIdentifier(OID_IDENTIFY_DATA), identify_data_der(holder_name, vid)
                        )
                    ]
                ),
                critical=False,
            )
            .add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            full_name=[x509.UniformResourceIdentifier(f"{base}/crl")],
                            relative_name=None,
                            reasons=None,
                            crl_issuer=None,
                        )
                    ]
                ),
                critical=False,
            )
        )
        certificate = builder.sign(authority.key, hashes.SHA256())
        return CertificateBundle(
            sign_cert_der=certificate.public_bytes(serialization.Encoding.DER),
            sign_pri_key=encrypt_private_key(key, random_num, password),
            serial=serial,
            product=product,
            bizno=idn,
        )

    # -- revocation --------------------------------------------------------------------

    def revoke(self, serial: int) -> None:
        """Put ``serial`` on its issuing CA's CRL."""
        with self._lock:
            authority = self._issued.get(serial)
            if authority is None:
                raise KeyError(f"발급하지 않은 인증서 일련번호입니다: {serial}")
            authority.revoked.setdefault(serial, self._now())

    def crl_slugs(self) -> list[str]:
        """URL path segments of every CA publishing a CRL (the six licensed CAs, ``private-ca``)."""
        return [a.slug for a in (*self._cas.values(), self._untrusted)]

    def crl(self, slug: str) -> bytes:
        """A fresh DER CRL of the CA whose URL segment is ``slug``; KeyError if there is none."""
        for authority in (*self._cas.values(), self._untrusted):
            if authority.slug == slug:
                return self._crl(authority)
        raise KeyError(f"알 수 없는 인증기관입니다: {slug!r}")

    def issuer_certificate(self, serial: int) -> bytes:
        """DER of the CA certificate that issued ``serial``; KeyError if this world did not issue it."""
        with self._lock:
            authority = self._issued.get(serial)
        if authority is None:
            raise KeyError(f"발급하지 않은 인증서 일련번호입니다: {serial}")
        return authority.certificate.public_bytes(serialization.Encoding.DER)

    def crls(self) -> list[bytes]:
        """Fresh DER CRLs, one per CA (licensed CAs and the 사설 CA), each signed by its CA."""
        return [self._crl(a) for a in (*self._cas.values(), self._untrusted)]

    def _crl(self, authority: _Authority) -> bytes:
        now = self._now()
        with self._lock:
            authority.crl_number += 1
            number = authority.crl_number
            revoked = dict(authority.revoked)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(authority.name)
            .last_update(now - timedelta(minutes=1))
            .next_update(now + timedelta(days=1))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False
            )
        )
        for serial, when in revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        return builder.sign(authority.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    # -- trust material ----------------------------------------------------------------

    def trust_roots(self) -> list[bytes]:
        """DER of the trusted test KISA root (only)."""
        return [self._root.public_bytes(serialization.Encoding.DER)]

    def intermediates(self) -> list[bytes]:
        """DER of the six licensed CA certificates."""
        return [a.certificate.public_bytes(serialization.Encoding.DER) for a in self._cas.values()]

    def untrusted_chain(self) -> list[bytes]:
        """DER of the 사설 CA and its self-signed root (for negative tests)."""
        return [
            self._untrusted.certificate.public_bytes(serialization.Encoding.DER),
            self._untrusted_root.public_bytes(serialization.Encoding.DER),
        ]
