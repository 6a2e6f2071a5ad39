"""휴대전화 본인인증 (PASS) over HTTP: the site's PortOne-V2-like API and the member's pages
(통신사 선택 → 본인 정보 → SMS 인증번호), wrapping ``fake_providers.phone.PassVerification``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fake_providers.people import CARRIERS, ProviderError, phone_digits, rfc3339
from fake_providers.phone import CODE_TTL, MAX_WRONG_CODES, PassVerification, SmsInbox

from .common import Shared, base_url, is_web_url, json_response, read_json_object, text_field, with_query

__all__ = ["routes"]

_STYLE = {"brand": "PASS 휴대전화 본인인증", "accent": "#e6002d", "on_accent": "#ffffff"}

MSG_CANCELLED = "사용자가 본인인증을 취소했습니다."
MSG_DENIED = "통신사에서 본인인증을 거절했습니다."
MSG_EXPIRED = "인증번호 입력 시간(3분)이 지나 본인인증이 취소되었습니다. 처음부터 다시 시도해 주세요."
MSG_NOT_FOUND = "본인인증 내역을 찾을 수 없습니다."
MSG_AGREE = "본인확인 서비스 이용약관과 개인정보 제3자 제공에 동의해 주세요."


@dataclass
class _Verification:
    id: str
    site_code: str
    return_url: str
    requested_at: datetime
    outcome: str | None  # bound at creation, honoured at the identity (or code) step
    carrier: str | None = None
    txn: str | None = None  # the engine's transaction id
    phone: str = ""
    failure: tuple[str, str] | None = None  # (pgCode, reason) decided by the HTTP layer
    failed_at: datetime | None = None


def _deliver_wrong_code(inbox: SmsInbox, phone: str, moment: datetime) -> None:
    """Make the latest PASS text carry a wrong 6-digit code (next-outcome ``wrong_code``)."""
    correct = inbox.latest_code(phone)
    wrong = f"{(int(correct or '0') + 1 + secrets.randbelow(999_998)) % 1_000_000:06d}"
    messages = getattr(inbox, "_messages", {}).get(phone_digits(phone))
    if messages:
        last = messages[-1]
        messages[-1] = replace(last, text=last.text.replace(f"[{correct}]", f"[{wrong}]"))
    else:
        inbox.deliver(phone, f"[PASS] 본인확인 인증번호 [{wrong}]를 입력해주세요.", moment)


class PassPages:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self._verifications: dict[str, _Verification] = {}

    @property
    def engine(self) -> PassVerification:
        return self.shared.world.phone

    # --- site API ---------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        site_code = self.shared.site_code(request)
        if site_code is None:
            return json_response({"type": "UNAUTHORIZED", "message": "사이트 인증 정보가 올바르지 않습니다."}, 401)
        payload = await read_json_object(request)
        return_url = payload.get("returnUrl") if payload else None
        if not isinstance(return_url, str) or not is_web_url(return_url):
            return json_response(
                {"type": "INVALID_REQUEST", "message": "returnUrl은 http 또는 https 주소여야 합니다."}, 400
            )
        verification = _Verification(
            id=f"identity-verification-{secrets.token_hex(12)}",
            site_code=site_code,
            return_url=return_url,
            requested_at=self.shared.world.now(),
            outcome=self.shared.take_outcome("pass"),
        )
        self._verifications[verification.id] = verification
        auth_url = f"{base_url(request)}/pass/verify/{verification.id}"
        return json_response({"id": verification.id, "authUrl": auth_url}, 201)

    def _result(self, verification: _Verification) -> dict:
        if verification.txn is not None:
            body = self.engine.result(verification.txn, verification.site_code)
        else:
            moment = rfc3339(verification.requested_at)
            body = {
                "status": "READY",
                "id": verification.id,
                "channel": {"pgProvider": "PASS", "type": "LIVE"},
                "requestedAt": moment,
                "updatedAt": moment,
                "statusChangedAt": moment,
                "version": "V2",
            }
        body["id"] = verification.id
        if verification.failure is not None and body["status"] != "VERIFIED":
            pg_code, reason = verification.failure
            moment = rfc3339(verification.failed_at or verification.requested_at)
            for key in ("requestedCustomer", "verifiedCustomer", "verifiedAt", "pgTxId"):
                body.pop(key, None)
            body.update(
                {
                    "status": "FAILED",
                    "updatedAt": moment,
                    "statusChangedAt": moment,
                    "failure": {"reason": reason, "pgCode": pg_code, "pgMessage": reason},
                }
            )
        return body

    async def result(self, request: Request) -> Response:
        site_code = self.shared.site_code(request)
        if site_code is None:
            return json_response({"type": "UNAUTHORIZED", "message": "사이트 인증 정보가 올바르지 않습니다."}, 401)
        verification = self._verifications.get(request.path_params["id"])
        if verification is None or verification.site_code != site_code:
            return json_response({"type": "IDENTITY_VERIFICATION_NOT_FOUND", "message": MSG_NOT_FOUND}, 404)
        return json_response(self._result(verification))

    # --- member pages -----------------------------------------------------------------------

    def _page(self, request: Request, name: str, verification: _Verification, **context: object) -> Response:
        values: dict[str, object] = {
            "title": "휴대전화 본인인증",
            "verification": verification,
            "carriers": CARRIERS,
            "action_base": f"{base_url(request)}/pass/verify/{verification.id}",
            **_STYLE,
        }
        values.update(context)
        return self.shared.page(request, name, values)

    def _back(self, verification: _Verification) -> str:
        return with_query(verification.return_url, {"identityVerificationId": verification.id})

    def _fail(self, verification: _Verification, pg_code: str, reason: str) -> None:
        verification.failure = (pg_code, reason)
        verification.failed_at = self.shared.world.now()

    def _failed_page(self, request: Request, verification: _Verification, message: str) -> Response:
        return self._page(request, "pass_failed.html", verification, message=message, back_url=self._back(verification))

    def _finished(self, verification: _Verification) -> bool:
        if verification.failure is not None:
            return True
        if verification.txn is None:
            return False
        return self.engine.result(verification.txn, verification.site_code)["status"] != "READY"

    def _lookup(self, request: Request) -> _Verification | None:
        return self._verifications.get(request.path_params["id"])

    def _not_found(self, request: Request) -> Response:
        return self.shared.error_page(request, MSG_NOT_FOUND, title="휴대전화 본인인증", status_code=404,
                                      brand=_STYLE["brand"])

    def _done_redirect(self, request: Request, verification: _Verification) -> Response:
        if verification.failure is not None:
            return self._failed_page(request, verification, verification.failure[1])
        return RedirectResponse(self._back(verification), status_code=303)

    async def carrier_page(self, request: Request) -> Response:
        verification = self._lookup(request)
        if verification is None:
            return self._not_found(request)
        if self._finished(verification):
            return self._done_redirect(request, verification)
        if request.method == "GET":
            return self._page(request, "pass_carrier.html", verification)
        form = await request.form()
        if text_field(form, "action") == "cancel":
            self._fail(verification, "CANCELED", MSG_CANCELLED)
            return RedirectResponse(self._back(verification), status_code=303)
        carrier = text_field(form, "carrier")
        if carrier not in CARRIERS:
            return self._page(request, "pass_carrier.html", verification, error="통신사를 선택해 주세요.")
        verification.carrier = carrier
        return RedirectResponse(f"{base_url(request)}/pass/verify/{verification.id}/identity", status_code=303)

    async def identity_page(self, request: Request) -> Response:
        verification = self._lookup(request)
        if verification is None:
            return self._not_found(request)
        if self._finished(verification):
            return self._done_redirect(request, verification)
        if verification.txn is not None:  # the SMS went out already
            return RedirectResponse(f"{base_url(request)}/pass/verify/{verification.id}/code", status_code=303)
        if request.method == "GET":
            if verification.carrier is None:
                return RedirectResponse(f"{base_url(request)}/pass/verify/{verification.id}", status_code=303)
            return self._page(request, "pass_identity.html", verification, form={})
        form = await request.form()
        if text_field(form, "action") == "cancel":
            self._fail(verification, "CANCELED", MSG_CANCELLED)
            return RedirectResponse(self._back(verification), status_code=303)
        carrier = text_field(form, "carrier") or verification.carrier
        if carrier not in CARRIERS:
            return RedirectResponse(f"{base_url(request)}/pass/verify/{verification.id}", status_code=303)
        verification.carrier = carrier
        values = {name: text_field(form, name) for name in ("name", "birth_date", "phone")}
        if form.get("agree") != "on":
            return self._page(request, "pass_identity.html", verification, form=values, error=MSG_AGREE)
        outcome = verification.outcome
        if outcome == "cancel":
            self._fail(verification, "CANCELED", MSG_CANCELLED)
            return RedirectResponse(self._back(verification), status_code=303)
        if outcome == "deny":
            self._fail(verification, "DENIED", MSG_DENIED)
            return self._failed_page(request, verification, MSG_DENIED)
        try:
            verification.txn = self.engine.start(
                verification.site_code, carrier, values["name"], values["birth_date"], values["phone"]
            )
        except ProviderError as error:
            return self._page(request, "pass_identity.html", verification, form=values, error=error.message)
        verification.phone = values["phone"]
        if outcome == "wrong_code":
            _deliver_wrong_code(self.shared.world.inbox, values["phone"], self.shared.world.now())
        return RedirectResponse(f"{base_url(request)}/pass/verify/{verification.id}/code", status_code=303)

    def _code_page(self, request: Request, verification: _Verification, **context: object) -> Response:
        return self._page(
            request,
            "pass_code.html",
            verification,
            minutes=int(CODE_TTL.total_seconds() // 60),
            max_wrong=MAX_WRONG_CODES,
            sms_url=with_query(f"{base_url(request)}/pass/sms", {"phone": phone_digits(verification.phone)}),
            **context,
        )

    async def code_page(self, request: Request) -> Response:
        verification = self._lookup(request)
        if verification is None:
            return self._not_found(request)
        if self._finished(verification):
            return self._done_redirect(request, verification)
        if verification.txn is None:
            return RedirectResponse(f"{base_url(request)}/pass/verify/{verification.id}", status_code=303)
        if request.method == "GET":
            return self._code_page(request, verification)
        form = await request.form()
        if text_field(form, "action") == "cancel":
            self._fail(verification, "CANCELED", MSG_CANCELLED)
            return RedirectResponse(self._back(verification), status_code=303)
        if verification.outcome == "timeout":
            self._fail(verification, "EXPIRED", MSG_EXPIRED)
            return self._failed_page(request, verification, MSG_EXPIRED)
        try:
            self.engine.confirm(verification.txn, text_field(form, "code"))
        except ProviderError as error:
            if error.code == "wrong_code":
                return self._code_page(request, verification, error=error.message)
            if error.code == "code_expired":
                self._fail(verification, "EXPIRED", MSG_EXPIRED)
                return self._failed_page(request, verification, MSG_EXPIRED)
            if error.code == "already_verified":
                return RedirectResponse(self._back(verification), status_code=303)
            return self._failed_page(request, verification, error.message)
        return RedirectResponse(self._back(verification), status_code=303)

    async def resend(self, request: Request) -> Response:
        verification = self._lookup(request)
        if verification is None:
            return self._not_found(request)
        if self._finished(verification) or verification.txn is None:
            return RedirectResponse(f"{base_url(request)}/pass/verify/{verification.id}/code", status_code=303)
        moment = self.shared.world.now()
        sent = self.shared.world.inbox.entries(verification.phone)
        if sent and moment - sent[-1].sent_at > CODE_TTL:
            self._fail(verification, "EXPIRED", MSG_EXPIRED)
            return self._failed_page(request, verification, MSG_EXPIRED)
        try:
            self.engine.resend(verification.txn)
        except ProviderError as error:
            return self._code_page(request, verification, error=error.message)
        return self._code_page(request, verification, notice="인증번호를 다시 보냈습니다.")

    # --- the member's phone: text messages --------------------------------------------------

    async def sms_page(self, request: Request) -> Response:
        phone = request.query_params.get("phone", "").strip()
        entries = self.shared.world.inbox.entries(phone) if phone else []
        return self.shared.page(
            request,
            "sms.html",
            {"title": "문자 메시지", "phone": phone, "entries": list(reversed(entries)), **_STYLE,
             "brand": "휴대폰 문자 메시지"},
        )


def routes(shared: Shared) -> list[BaseRoute]:
    """Routes mounted at ``/pass``."""
    pages = PassPages(shared)
    return [
        Route("/identity-verifications", pages.create, methods=["POST"]),
        Route("/identity-verifications/{id}", pages.result, methods=["GET"]),
        Route("/verify/{id}", pages.carrier_page, methods=["GET", "POST"]),
        Route("/verify/{id}/identity", pages.identity_page, methods=["GET", "POST"]),
        Route("/verify/{id}/code", pages.code_page, methods=["GET", "POST"]),
        Route("/verify/{id}/resend", pages.resend, methods=["POST"]),
        Route("/sms", pages.sms_page, methods=["GET"]),
    ]
