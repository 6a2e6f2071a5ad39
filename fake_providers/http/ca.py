"""The licensed CAs over HTTP: trust material, CRLs, the certificate dialog (the plug-in the
member's browser runs) and NPKI / PKCS#12 export, wrapping ``fake_providers.ca`` and
``fake_providers.cert_plugin``.

Certificates carry ``http://ca.test/<org>/crl`` as their CRL distribution point and
``http://ca.test/<org>/cps.html`` as their CPS; both are served here, so ``http://ca.test/``
maps to ``B/ca/``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from fake_providers.ca import PRODUCTS, decrypt_private_key
from fake_providers.cert_plugin import CertificatePasswordError, sign_challenge

from .common import Shared, WalletEntry, is_web_url, text_field

__all__ = ["routes"]

_STYLE = {"brand": "인증서 선택", "accent": "#1f4e79", "on_accent": "#ffffff"}

MSG_WRONG_PASSWORD = CertificatePasswordError.message  # "인증서 암호가 올바르지 않습니다."
MSG_CHOOSE = "인증서를 선택해 주세요."


def _pem(blobs: list[bytes]) -> bytes:
    return b"".join(
        x509.load_der_x509_certificate(blob).public_bytes(serialization.Encoding.PEM) for blob in blobs
    )


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return ""
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def decode_challenge(value: str) -> bytes | None:
    """base64url (padding optional) → bytes; None if it is not base64url."""
    text = value.strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True)
class _Listed:
    serial: int
    subject: str
    issuer: str
    product: str
    usage: str
    not_after: str
    expired: bool


def _listed(entry: WalletEntry, now: datetime) -> _Listed:
    certificate = x509.load_der_x509_certificate(entry.bundle.sign_cert_der)
    product = PRODUCTS.get(entry.bundle.product)
    outside = not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc
    return _Listed(
        serial=entry.bundle.serial,
        subject=_attribute(certificate.subject, NameOID.COMMON_NAME),
        issuer=_attribute(certificate.issuer, NameOID.ORGANIZATION_NAME),
        product=entry.bundle.product,
        usage="법인" if product is not None and product.corporate else "개인",
        not_after=certificate.not_valid_after_utc.strftime("%Y-%m-%d"),
        expired=outside,
    )


class CaPages:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared

    # --- trust material ---------------------------------------------------------------------

    async def roots(self, request: Request) -> Response:
        return Response(_pem(self.shared.world.cas.trust_roots()), media_type="application/x-pem-file")

    async def intermediates(self, request: Request) -> Response:
        return Response(_pem(self.shared.world.cas.intermediates()), media_type="application/x-pem-file")

    async def crl(self, request: Request) -> Response:
        try:
            der = self.shared.world.cas.crl(request.path_params["org"])
        except KeyError:
            return PlainTextResponse("알 수 없는 인증기관입니다.", status_code=404)
        return Response(der, media_type="application/pkix-crl")

    async def cps(self, request: Request) -> Response:
        org = request.path_params["org"]
        if org not in self.shared.world.cas.crl_slugs():
            return PlainTextResponse("알 수 없는 인증기관입니다.", status_code=404)
        return self.shared.error_page(
            request,
            f"{org} 인증업무준칙(CPS)은 시험용 가짜 인증기관이므로 제공하지 않습니다.",
            title=f"{org} 인증업무준칙",
            status_code=200,
            brand=f"{org} 인증기관",
        )

    # --- the certificate dialog -------------------------------------------------------------

    def _dialog(self, request: Request, values: dict[str, str], error: str = "", status_code: int = 200) -> Response:
        now = self.shared.world.now()
        listed = [_listed(entry, now) for entry in self.shared.wallet(values["holder"])]
        bizno = values["bizno"]
        shown_bizno = f"{bizno[:3]}-{bizno[3:5]}-{bizno[5:]}" if len(bizno) == 10 and bizno.isdigit() else bizno
        return self.shared.page(
            request,
            "ca_dialog.html",
            {"title": "인증서 선택", "values": values, "certificates": listed, "error": error,
             "shown_bizno": shown_bizno, **_STYLE},
            status_code=status_code,
        )

    @staticmethod
    def _values(source: Mapping[str, Any]) -> dict[str, str]:
        return {
            "challenge": text_field(source, "challenge"),
            "bizno": text_field(source, "bizno").replace("-", ""),
            "return": text_field(source, "return"),
            "holder": text_field(source, "holder"),
        }

    def _bad_request(self, request: Request, values: dict[str, str]) -> Response | None:
        if not is_web_url(values["return"]):
            return self.shared.error_page(request, "return 주소가 올바르지 않습니다.", title="인증서 선택",
                                          brand=_STYLE["brand"])
        if decode_challenge(values["challenge"]) in (None, b""):
            return self.shared.error_page(request, "challenge 값이 올바르지 않습니다.", title="인증서 선택",
                                          brand=_STYLE["brand"])
        return None

    def _post_back(self, request: Request, target: str, fields: dict[str, str]) -> Response:
        return self.shared.page(
            request, "autopost.html", {"title": "인증서 제출", "target": target, "fields": fields, **_STYLE}
        )

    async def dialog(self, request: Request) -> Response:
        values = self._values(request.query_params)
        refused = self._bad_request(request, values)
        if refused is not None:
            return refused
        return self._dialog(request, values)

    async def dialog_submit(self, request: Request) -> Response:
        form = await request.form()
        values = self._values(form)
        refused = self._bad_request(request, values)
        if refused is not None:
            return refused
        if text_field(form, "action") == "cancel" or self.shared.take_outcome("ca") == "cancel":
            return self._post_back(request, values["return"], {"error": "cancel"})
        serial_text = text_field(form, "serial")
        entry = None
        if serial_text.isdigit() and int(serial_text) in self.shared.wallets.get(values["holder"], []):
            entry = self.shared.certificates.get(int(serial_text))
        if entry is None:
            return self._dialog(request, values, MSG_CHOOSE)
        password = form.get("password")
        challenge = decode_challenge(values["challenge"]) or b""
        try:
            signed = sign_challenge(entry.bundle, password if isinstance(password, str) else "", challenge)
        except CertificatePasswordError:
            return self._dialog(request, values, MSG_WRONG_PASSWORD)
        fields = {
            "certificate": base64.b64encode(signed.certificate_der).decode("ascii"),
            "signature": base64.b64encode(signed.signature).decode("ascii"),
            "random_num": base64.b64encode(signed.random_num).decode("ascii"),
        }
        return self._post_back(request, values["return"], fields)

    async def dialog_route(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.dialog_submit(request)
        return await self.dialog(request)

    # --- export -----------------------------------------------------------------------------

    def _entry(self, request: Request) -> WalletEntry | None:
        serial = str(request.path_params["serial"])
        return self.shared.certificates.get(int(serial)) if serial.isdigit() else None

    async def export(self, request: Request) -> Response:
        entry = self._entry(request)
        if entry is None:
            return PlainTextResponse("발급하지 않은 인증서입니다.", status_code=404)
        name = request.path_params["name"]
        bundle = entry.bundle
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        if name == "signCert.der":
            return Response(bundle.sign_cert_der, media_type="application/pkix-cert", headers=disposition)
        if name == "signPri.key":
            return Response(bundle.sign_pri_key, media_type="application/octet-stream", headers=disposition)
        if name == "cert.p12":
            key, _random_num = decrypt_private_key(bundle.sign_pri_key, entry.password)
            certificate = x509.load_der_x509_certificate(bundle.sign_cert_der)
            chain = [x509.load_der_x509_certificate(self.shared.world.cas.issuer_certificate(bundle.serial))]
            blob = pkcs12.serialize_key_and_certificates(
                _attribute(certificate.subject, NameOID.COMMON_NAME).encode("utf-8"),
                key,
                certificate,
                chain,
                serialization.BestAvailableEncryption(entry.password.encode("utf-8")),
            )
            return Response(blob, media_type="application/x-pkcs12", headers=disposition)
        return PlainTextResponse("알 수 없는 파일입니다.", status_code=404)


def routes(shared: Shared) -> list[BaseRoute]:
    """Routes mounted at ``/ca``."""
    pages = CaPages(shared)
    return [
        Route("/roots", pages.roots, methods=["GET"]),
        Route("/intermediates", pages.intermediates, methods=["GET"]),
        Route("/dialog", pages.dialog_route, methods=["GET", "POST"]),
        Route("/certificates/{serial}/{name}", pages.export, methods=["GET"]),
        Route("/{org}/crl", pages.crl, methods=["GET"]),
        Route("/{org}/cps.html", pages.cps, methods=["GET"]),
    ]
