"""The client-side certificate plug-in (인증서 선택 창 / 키보드보안) a member's browser runs.

The member picks a certificate (a ``CertificateBundle`` from the NPKI folder) and types
its password; the plug-in opens ``signPri.key``, signs the server's challenge with
RSA PKCS#1 v1.5 / SHA-256 and sends the certificate, the signature and the
identification random number R (from the private key) to the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from fake_providers.ca import CertificateBundle, decrypt_private_key


class CertificatePasswordError(Exception):
    """The typed password does not open signPri.key."""

    message = "인증서 암호가 올바르지 않습니다."

    def __init__(self) -> None:
        super().__init__(self.message)


@dataclass(frozen=True)
class SignedChallenge:
    """What the plug-in hands to the web page (same fields as PresentedCertificate)."""

    certificate_der: bytes
    signature: bytes
    random_num: bytes


def sign_challenge(bundle: CertificateBundle, password: str, challenge: bytes) -> SignedChallenge:
    """Open ``bundle``'s private key with ``password`` and sign ``challenge``."""
    try:
        private_key, random_num = decrypt_private_key(bundle.sign_pri_key, password)
    except ValueError as exc:
        raise CertificatePasswordError() from exc
    signature = private_key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())
    return SignedChallenge(
        certificate_der=bundle.sign_cert_der,
        signature=signature,
        random_num=random_num if random_num is not None else b"",
    )
