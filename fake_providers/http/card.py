"""신용카드 본인인증 over HTTP: the site's iamport-like API and the member's pages
(카드사 선택 → 인증 방식 → 본인 정보 → 카드 앱/ARS 승인), wrapping ``fake_providers.card``."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fake_providers.card import CARD_COMPANIES, CARD_METHODS, CardVerification
from fake_providers.people import ProviderError

from .common import Shared, base_url, is_web_url, json_response, read_json_object, text_field, with_query

__all__ = ["routes"]

_STYLE = {"brand": "신용카드 본인인증", "accent": "#24408e", "on_accent": "#ffffff"}

MSG_NOT_FOUND = "본인인증 내역을 찾을 수 없습니다."
MSG_UNAUTHORIZED = "사이트 인증 정보가 올바르지 않습니다."
# Why ``certified`` is false, as the site is told (``fail_reason`` → message).
FAIL_MESSAGES = {
    "pending": "본인인증이 아직 완료되지 않았습니다.",
    "denied": "카드 소유자가 본인인증을 거절했습니다.",
    "cancelled": "사용자가 본인인증을 취소했습니다.",
    "expired": "본인인증 요청 시간이 만료되었습니다.",
}

_APPROVE_TEXT = {
    "앱카드": "휴대폰의 카드 앱에 본인인증 요청을 보냈습니다. 카드 앱에서 요청 내용을 확인하고 승인해 주세요.",
    "ARS": "카드사에서 전화(ARS)를 걸었습니다. 안내에 따라 카드 비밀번호 앞 2자리를 눌러 주세요.",
    "카드사 홈페이지": "카드사 홈페이지에 로그인하여 본인인증 요청을 승인해 주세요.",
}


@dataclass
class _Certification:
    id: str
    site_code: str
    return_url: str
    requested_at: datetime
    outcome: str | None
    company: str | None = None
    method: str | None = None
    txn: str | None = None
    fail_reason: str | None = None  # set by the HTTP layer: cancelled | expired


class CardPages:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self._certifications: dict[str, _Certification] = {}

    @property
    def engine(self) -> CardVerification:
        return self.shared.world.card

    # --- site API ---------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        site_code = self.shared.site_code(request)
        if site_code is None:
            return json_response({"code": -1, "message": MSG_UNAUTHORIZED, "response": None}, 401)
        payload = await read_json_object(request)
        return_url = payload.get("returnUrl") if payload else None
        if not isinstance(return_url, str) or not is_web_url(return_url):
            return json_response(
                {"code": -1, "message": "returnUrl은 http 또는 https 주소여야 합니다.", "response": None}, 400
            )
        new_id = f"imp_{secrets.randbelow(10**12):012d}"
        while new_id in self._certifications:
            new_id = f"imp_{secrets.randbelow(10**12):012d}"
        certification = _Certification(
            new_id, site_code, return_url, self.shared.world.now(), self.shared.take_outcome("card")
        )
        self._certifications[new_id] = certification
        return json_response({"id": new_id, "authUrl": f"{base_url(request)}/card/certify/{new_id}"}, 201)

    def _response(self, certification: _Certification) -> dict:
        if certification.txn is not None:
            body = self.engine.result(certification.txn, certification.site_code)
        else:
            body = {
                "imp_uid": certification.id,
                "merchant_uid": None,
                "pg_provider": "card",
                "card_company": certification.company,
                "method": certification.method,
                "certified": False,
                "certified_at": 0,
                "fail_reason": "pending",
                **dict.fromkeys(
                    ("name", "gender", "birth", "birthday", "foreigner", "phone", "carrier",
                     "unique_key", "unique_in_site")
                ),
            }
        body["imp_uid"] = certification.id
        if certification.fail_reason is not None and not body["certified"]:
            body["fail_reason"] = certification.fail_reason
        return body

    async def result(self, request: Request) -> Response:
        site_code = self.shared.site_code(request)
        if site_code is None:
            return json_response({"code": -1, "message": MSG_UNAUTHORIZED, "response": None}, 401)
        certification = self._certifications.get(request.path_params["id"])
        if certification is None or certification.site_code != site_code:
            return json_response({"code": -1, "message": MSG_NOT_FOUND, "response": None}, 404)
        body = self._response(certification)
        if body["certified"]:
            return json_response({"code": 0, "message": None, "response": body})
        message = FAIL_MESSAGES.get(str(body["fail_reason"]), "본인인증이 완료되지 않았습니다.")
        return json_response({"code": -1, "message": message, "response": body})

    # --- member pages -----------------------------------------------------------------------

    def _lookup(self, request: Request) -> _Certification | None:
        return self._certifications.get(request.path_params["id"])

    def _page(self, request: Request, name: str, certification: _Certification, **context: object) -> Response:
        values: dict[str, object] = {
            "title": "신용카드 본인인증",
            "certification": certification,
            "companies": CARD_COMPANIES,
            "methods": CARD_METHODS,
            "action_base": f"{base_url(request)}/card/certify/{certification.id}",
            **_STYLE,
        }
        values.update(context)
        return self.shared.page(request, name, values)

    def _back(self, certification: _Certification) -> str:
        return with_query(certification.return_url, {"imp_uid": certification.id})

    def _finished(self, certification: _Certification) -> bool:
        if certification.fail_reason is not None:
            return True
        return certification.txn is not None and self._response(certification)["fail_reason"] != "pending"

    def _cancel(self, certification: _Certification) -> Response:
        certification.fail_reason = "cancelled"
        if certification.txn is not None:
            with contextlib.suppress(ProviderError):
                self.engine.deny(certification.txn)
        return RedirectResponse(self._back(certification), status_code=303)

    def _go(self, request: Request, certification: _Certification, step: str = "") -> Response:
        suffix = f"/{step}" if step else ""
        return RedirectResponse(f"{base_url(request)}/card/certify/{certification.id}{suffix}", status_code=303)

    async def _start(self, request: Request) -> tuple[_Certification, dict] | Response:
        """Common preamble of every member page: lookup, finished check, form and cancel."""
        certification = self._lookup(request)
        if certification is None:
            return self.shared.error_page(
                request, MSG_NOT_FOUND, title="신용카드 본인인증", status_code=404, brand=_STYLE["brand"]
            )
        if self._finished(certification):
            return RedirectResponse(self._back(certification), status_code=303)
        if request.method != "POST":
            return certification, {}
        form = dict(await request.form())
        if text_field(form, "action") == "cancel":
            return self._cancel(certification)
        return certification, form

    async def company_page(self, request: Request) -> Response:
        started = await self._start(request)
        if isinstance(started, Response):
            return started
        certification, form = started
        if request.method == "GET":
            return self._page(request, "card_company.html", certification)
        company = text_field(form, "company")
        if company not in CARD_COMPANIES:
            return self._page(request, "card_company.html", certification, error="카드사를 선택해 주세요.")
        certification.company = company
        return self._go(request, certification, "method")

    async def method_page(self, request: Request) -> Response:
        started = await self._start(request)
        if isinstance(started, Response):
            return started
        certification, form = started
        if certification.company is None:
            return self._go(request, certification)
        if request.method == "GET":
            return self._page(request, "card_method.html", certification)
        method = text_field(form, "method")
        if method not in CARD_METHODS:
            return self._page(request, "card_method.html", certification, error="인증 방식을 선택해 주세요.")
        certification.method = method
        return self._go(request, certification, "identity")

    async def identity_page(self, request: Request) -> Response:
        started = await self._start(request)
        if isinstance(started, Response):
            return started
        certification, form = started
        if certification.company is None or certification.method is None:
            return self._go(request, certification, "method" if certification.company else "")
        if certification.txn is not None:
            return self._go(request, certification, "confirm")
        if request.method == "GET":
            return self._page(request, "card_identity.html", certification, form={})
        values = {name: text_field(form, name) for name in ("name", "birth_date", "phone")}
        try:
            certification.txn = self.engine.start(
                certification.site_code,
                certification.company,
                certification.method,
                values["name"],
                values["birth_date"],
                values["phone"],
            )
        except ProviderError as error:
            return self._page(request, "card_identity.html", certification, form=values, error=error.message)
        return self._go(request, certification, "confirm")

    async def confirm_page(self, request: Request) -> Response:
        started = await self._start(request)
        if isinstance(started, Response):
            return started
        certification, form = started
        if certification.txn is None:
            return self._go(request, certification, "identity")
        if request.method == "GET":
            return self._page(
                request, "card_confirm.html", certification, text=_APPROVE_TEXT[certification.method or "앱카드"]
            )
        action = text_field(form, "action")
        outcome = certification.outcome
        if outcome == "cancel":
            return self._cancel(certification)
        if outcome == "timeout":
            certification.fail_reason = "expired"
            return self._page(
                request, "card_failed.html", certification,
                message=FAIL_MESSAGES["expired"], back_url=self._back(certification),
            )
        try:
            if action == "deny" or outcome == "deny":
                self.engine.deny(certification.txn)
            elif action == "approve":
                self.engine.approve(certification.txn)
            else:
                return self._page(
                    request, "card_confirm.html", certification,
                    text=_APPROVE_TEXT[certification.method or "앱카드"], error="승인 또는 거절을 선택해 주세요.",
                )
        except ProviderError as error:
            if error.code == "expired":
                certification.fail_reason = "expired"
            return self._page(
                request, "card_failed.html", certification, message=error.message, back_url=self._back(certification)
            )
        return RedirectResponse(self._back(certification), status_code=303)


def routes(shared: Shared) -> list[BaseRoute]:
    """Routes mounted at ``/card``."""
    pages = CardPages(shared)
    return [
        Route("/certifications", pages.create, methods=["POST"]),
        Route("/certifications/{id}", pages.result, methods=["GET"]),
        Route("/certify/{id}", pages.company_page, methods=["GET", "POST"]),
        Route("/certify/{id}/method", pages.method_page, methods=["GET", "POST"]),
        Route("/certify/{id}/identity", pages.identity_page, methods=["GET", "POST"]),
        Route("/certify/{id}/confirm", pages.confirm_page, methods=["GET", "POST"]),
    ]
