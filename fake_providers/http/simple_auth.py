"""간편인증 (민간인증서) over HTTP: the site's Barocert-like API and the fake phone app,
wrapping ``fake_providers.simple_auth.SimpleAuth``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fake_providers.people import ProviderError
from fake_providers.simple_auth import STATE_EXPIRED, STATE_REQUESTED, SimpleAuth

from .common import Shared, base_url, json_response, read_json_object, text_field, with_query

__all__ = ["routes"]

_STYLE = {"brand": "간편인증 앱", "accent": "#3d3d8f", "on_accent": "#ffffff"}

MSG_UNAUTHORIZED = "사이트 인증 정보가 올바르지 않습니다."
MSG_EXPIRED = "인증 요청 시간이 만료되었습니다."


class SimpleAuthPages:
    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self._expired: set[str] = set()  # receipts the provider answers as expired (next-outcome timeout)

    @property
    def engine(self) -> SimpleAuth:
        return self.shared.world.simple

    def _state(self, receipt_id: str) -> str:
        state = self.engine.status(receipt_id)
        if receipt_id in self._expired and state == STATE_REQUESTED:
            return STATE_EXPIRED
        return state

    # --- site API ---------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        site_code = self.shared.site_code(request)
        if site_code is None:
            return json_response({"code": "unauthorized", "message": MSG_UNAUTHORIZED}, 401)
        payload = await read_json_object(request)
        if payload is None:
            return json_response({"code": "bad_request", "message": "요청 본문이 올바른 JSON 객체가 아닙니다."}, 400)
        fields = {name: payload.get(name) for name in ("app", "name", "birth_date", "phone")}
        missing = [name for name, value in fields.items() if not isinstance(value, str) or not value.strip()]
        if missing:
            return json_response(
                {"code": "bad_request", "message": f"필수 항목이 없습니다: {', '.join(missing)}"}, 400
            )
        title = payload.get("title")
        options = {"title": title} if isinstance(title, str) and title.strip() else {}
        try:
            receipt_id = self.engine.request(
                site_code,
                str(fields["app"]),
                str(fields["name"]),
                str(fields["birth_date"]),
                str(fields["phone"]),
                **options,
            )
        except ProviderError as error:
            return json_response({"code": error.code, "message": error.message}, 400)
        outcome = self.shared.take_outcome("simple-auth")
        if outcome in ("cancel", "deny"):
            self.engine.deny(receipt_id)
        elif outcome == "timeout":
            self._expired.add(receipt_id)
        return json_response({"receiptID": receipt_id}, 201)

    async def status(self, request: Request) -> Response:
        if self.shared.site_code(request) is None:
            return json_response({"code": "unauthorized", "message": MSG_UNAUTHORIZED}, 401)
        receipt_id = request.path_params["receipt_id"]
        try:
            state = self._state(receipt_id)
        except ProviderError as error:
            return json_response({"code": error.code, "message": error.message}, 404)
        return json_response({"receiptID": receipt_id, "state": state})

    async def result(self, request: Request) -> Response:
        site_code = self.shared.site_code(request)
        if site_code is None:
            return json_response({"code": "unauthorized", "message": MSG_UNAUTHORIZED}, 401)
        receipt_id = request.path_params["receipt_id"]
        if receipt_id in self._expired:
            try:
                state = self._state(receipt_id)
            except ProviderError as error:
                return json_response({"code": error.code, "message": error.message}, 404)
            if state == STATE_EXPIRED:
                return json_response(
                    {"code": "not_completed", "message": f"인증이 완료되지 않았습니다. (상태: {state})"}, 400
                )
        try:
            body = self.engine.result(receipt_id, site_code)
        except ProviderError as error:
            return json_response({"code": error.code, "message": error.message}, 404 if error.code == "not_found" else 400)
        return json_response(body)

    # --- the fake phone app -----------------------------------------------------------------

    def _app_page(self, request: Request, phone: str, **context: object) -> Response:
        pending = [
            item for item in (self.engine.pending(phone) if phone else []) if item["receipt_id"] not in self._expired
        ]
        values: dict[str, object] = {"title": "간편인증 앱", "phone": phone, "pending": pending, **_STYLE}
        values.update(context)
        return self.shared.page(request, "simple_app.html", values)

    async def app_page(self, request: Request) -> Response:
        done = {"approve": "인증 요청을 승인했습니다.", "deny": "인증 요청을 거절했습니다."}
        notice = done.get(request.query_params.get("done", ""), "")
        return self._app_page(request, request.query_params.get("phone", "").strip(), notice=notice)

    async def app_action(self, request: Request) -> Response:
        receipt_id = request.path_params["receipt_id"]
        form = await request.form()
        action = text_field(form, "action")
        phone = text_field(form, "phone")
        try:
            if receipt_id in self._expired and self._state(receipt_id) == STATE_EXPIRED:
                raise ProviderError("expired", MSG_EXPIRED)
            if action == "approve":
                self.engine.approve(receipt_id)
            elif action == "deny":
                self.engine.deny(receipt_id)
            else:
                return self._app_page(request, phone, error="승인 또는 거절을 선택해 주세요.")
        except ProviderError as error:
            return self._app_page(request, phone, error=error.message)
        target = with_query(f"{base_url(request)}/simple-auth/app", {"phone": phone, "done": action})
        return RedirectResponse(target, status_code=303)


def routes(shared: Shared) -> list[BaseRoute]:
    """Routes mounted at ``/simple-auth``."""
    pages = SimpleAuthPages(shared)
    return [
        Route("/requests", pages.create, methods=["POST"]),
        Route("/requests/{receipt_id}", pages.status, methods=["GET"]),
        Route("/requests/{receipt_id}/result", pages.result, methods=["GET"]),
        Route("/app", pages.app_page, methods=["GET"]),
        Route("/app/{receipt_id}", pages.app_action, methods=["POST"]),
    ]
