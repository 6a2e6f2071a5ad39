"""The 기업 범용인증서 round trip through the provider's certificate dialog (the plug-in).

1. A CSRF-checked POST on our side issues a single-use challenge (services) and a random
   handle, then sends the browser to ``B/ca/dialog?challenge=…&bizno=…&return=…``.
2. The dialog POSTs ``certificate``/``signature``/``random_num`` (or ``error=cancel``) back to
   ``/certificate/return/{handle}``. That POST is cross-site, so it carries no SameSite=Lax
   cookie and no CSRF token: it is accepted once per handle and only records what came back.
3. It answers 303 to ``/certificate/complete/{handle}``; that top-level GET carries the session
   cookie, must come from the browser that started the round trip, and runs the purpose's
   service call (which consumes the challenge, single use, and verifies the signature over it).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import Refusal
from ..service_layer import certificates
from ..service_layer.ports import PresentedCertificate
from .common import action, call, config, ctx_of, flash, page, path, redirect, render, text
from .security import browser

PENDING_SECONDS = 10 * 60
CANCELLED = "인증서 선택이 취소되었습니다. 다시 진행하려면 버튼을 다시 눌러 주세요."
INVALID = "인증 요청이 유효하지 않거나 이미 처리되었습니다. 처음부터 다시 진행해 주세요."


@dataclass
class CertificatePending:
    handle: str
    uid: str  # the browser that started it
    purpose: str
    challenge_id: str
    bizno: str
    back: str  # where to show the outcome when refused or cancelled
    data: dict[str, Any] = field(default_factory=dict)
    created: float = field(default_factory=time.monotonic)
    returned: bool = False
    cancelled: bool = False
    presented: PresentedCertificate | None = None


CertificateHandler = Callable[[Request, CertificatePending], Awaitable[Response]]


def _pending(request: Request) -> dict[str, CertificatePending]:
    table: dict[str, CertificatePending] = config(request).certificates
    now = time.monotonic()
    for handle in [h for h, p in table.items() if now - p.created > PENDING_SECONDS]:
        del table[handle]
    return table


async def start(request: Request, *, purpose: str, bizno: str, back: str,
                data: dict[str, Any] | None = None) -> Response:
    """Open the certificate dialog for ``bizno`` (10 digits); ``purpose`` names the handler."""
    challenge_id, nonce = await call(request, certificates.issue_challenge, ctx_of(request))
    handle = secrets.token_urlsafe(32)
    _pending(request)[handle] = CertificatePending(handle, browser(request).uid, purpose, challenge_id, bizno, back,
                                                   dict(data or {}))
    query = urlencode({
        "challenge": base64.urlsafe_b64encode(nonce).decode(),
        "bizno": bizno,
        "return": str(request.url_for("certificate_return", handle=handle)),
    })
    return redirect(f"{config(request).providers_base_url.rstrip('/')}/ca/dialog?{query}")


def _b64(value: str) -> bytes:
    cleaned = "".join(value.split()).replace("-", "+").replace("_", "/")
    return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)


async def certificate_return(request: Request) -> Response:
    """The dialog's auto-submitted form (cross-site POST): it arrives without our cookie, so it
    must not be given a new one (that would replace the member's session)."""
    request.state.no_session_cookie = True
    pending = _pending(request).get(request.path_params["handle"])
    if pending is None or pending.returned:
        return await render(request, "error.html", {"title": "기업인증"}, status=400, alert=INVALID)
    pending.returned = True
    form = await request.form()
    if text(form, "error") or not text(form, "certificate", limit=100_000):
        pending.cancelled = True
    else:
        try:
            pending.presented = PresentedCertificate(
                _b64(text(form, "certificate", limit=100_000)),
                _b64(text(form, "signature", limit=100_000)),
                _b64(text(form, "random_num", limit=10_000)),
            )
        except (binascii.Error, ValueError):
            pending.cancelled = True
    return redirect(path(request, "certificate_complete", handle=pending.handle))


async def certificate_complete(request: Request) -> Response:
    """Back in our origin with the session cookie: run the purpose's service call."""
    table = _pending(request)
    pending = table.get(request.path_params["handle"])
    if pending is None or not pending.returned or pending.uid != browser(request).uid:
        return await render(request, "error.html", {"title": "기업인증"}, status=400, alert=INVALID)
    del table[pending.handle]
    if pending.cancelled or pending.presented is None:
        flash(request, CANCELLED, kind="alert")
        return redirect(pending.back)
    handler: CertificateHandler = config(request).certificate_purposes[pending.purpose]
    try:
        return await handler(request, pending)
    except Refusal as refusal:
        flash(request, refusal.message, kind="alert")
        return redirect(pending.back)


routes = [
    action("/certificate/return/{handle}", certificate_return, csrf=False),
    page("/certificate/complete/{handle}", certificate_complete),
]
