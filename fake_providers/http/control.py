"""The control API: what a test harness uses to set up the outside world (people, SNS accounts,
businesses, certificates), to read the fake phones' text messages and to make the next
transaction of a provider end in a chosen way. Described by ``GET /control/openapi.json``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jsonschema
from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fake_providers.ca import PRODUCTS, normalize_bizno
from fake_providers.nts import BUSINESS_STATUS, TAX_TYPES
from fake_providers.people import CARD_COMPANIES, CARRIERS, SIMPLE_AUTH_APPS, AlreadyRegistered, Person, phone_digits
from fake_providers.seeded import SeededFaker

from .common import OUTCOMES, Shared, WalletEntry, base_url, json_response, read_json_object

__all__ = ["openapi_document", "routes"]

PERSON_FIELDS = ("name", "birth_date", "gender", "carrier", "phone", "cards", "apps", "foreigner", "email")
PERSON_UPDATABLE = ("carrier", "cards", "apps", "email")
CONDITIONS = ("expired", "not_yet_valid", "untrusted")


def _error(status: int, code: str, message: str) -> Response:
    return json_response({"error": code, "message": message}, status)


def person_json(person: Person, site_code: str) -> dict[str, Any]:
    return {
        "name": person.name,
        "birth_date": person.birth_date.isoformat(),
        "gender": person.gender,
        "foreigner": person.foreigner,
        "phone": person.phone,
        "carrier": person.carrier,
        "email": person.email,
        "cards": list(person.cards),
        "apps": list(person.apps),
        "ci": person.ci,
        "di": person.di(site_code),
    }


class Control(SeededFaker):
    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self._faker_seed = shared.world.seed

    async def _body(self, request: Request) -> dict[str, Any] | Response:
        """The JSON body, checked against this operation's schema in the OpenAPI document."""
        payload = await read_json_object(request)
        if payload is None:
            return _error(400, "bad_request", "요청 본문이 올바른 JSON 객체가 아닙니다.")
        route = request.scope.get("route")
        validator = BODY_VALIDATORS.get((f"/control{getattr(route, 'path', '')}", request.method.lower()))
        error = jsonschema.exceptions.best_match(validator.iter_errors(payload)) if validator else None
        if error is None:
            return payload
        if error.validator == "additionalProperties":
            unknown = sorted(set(payload) - set(error.schema.get("properties", {})))
            return _error(400, "unknown_field", f"알 수 없는 항목입니다: {', '.join(unknown)}")
        where = "/".join(str(part) for part in error.absolute_path) or "본문"
        return _error(400, "bad_request", f"{where}: 문서(/control/openapi.json)의 형식에 맞지 않습니다 ({error.message}).")

    async def persons(self, request: Request) -> Response:
        payload = await self._body(request)
        if isinstance(payload, Response):
            return payload
        unknown = sorted(set(payload) - set(PERSON_FIELDS))
        if unknown:
            return _error(400, "unknown_field", f"알 수 없는 항목입니다: {', '.join(unknown)}")
        overrides: dict[str, object] = {key: value for key, value in payload.items() if value is not None}
        for key in ("cards", "apps"):
            value = overrides.get(key)
            if value is not None:
                if not isinstance(value, list):
                    return _error(400, "bad_request", f"{key}는 목록이어야 합니다.")
                overrides[key] = tuple(value)
        try:
            person = self.shared.world.people.new_person(**overrides)
        except AlreadyRegistered as exc:
            return _error(409, "person_exists", f"이미 등록된 사람이거나 휴대폰번호입니다: {exc}")
        except (ValueError, TypeError) as exc:
            return _error(400, "invalid_person", f"사람을 등록할 수 없습니다: {exc}")
        return json_response(person_json(person, self.shared.world.site_code), 201)

    async def update_person(self, request: Request) -> Response:
        """Change what the providers know of a person: a new carrier, cards, apps or email."""
        payload = await self._body(request)
        if isinstance(payload, Response):
            return payload
        unknown = sorted(set(payload) - set(PERSON_UPDATABLE))
        if unknown:
            return _error(400, "unknown_field", f"바꿀 수 없는 항목입니다: {', '.join(unknown)}")
        person = self.shared.world.people.by_phone(request.path_params["phone"])
        if person is None:
            return _error(404, "person_not_found", "해당 휴대폰번호로 등록된 사람이 없습니다.")
        changes = {key: tuple(value) if isinstance(value, list) else value for key, value in payload.items()}
        try:
            person = self.shared.world.people.change(person, **changes)
        except (ValueError, TypeError) as exc:
            return _error(400, "invalid_person", f"사람 정보를 바꿀 수 없습니다: {exc}")
        return json_response(person_json(person, self.shared.world.site_code), 200)

    async def sns_accounts(self, request: Request) -> Response:
        payload = await self._body(request)
        if isinstance(payload, Response):
            return payload
        channel = payload.get("channel")
        world = self.shared.world
        if channel not in world.sns:
            return _error(400, "unknown_channel", "channel은 kakao, naver, google, facebook 중 하나여야 합니다.")
        person = None
        phone = payload.get("phone")
        if phone:
            person = world.people.by_phone(str(phone))
            if person is None:
                return _error(404, "person_not_found", "해당 휴대폰번호로 등록된 사람이 없습니다.")
        account = world.sns[str(channel)].create_account(person)
        return json_response(
            {
                "channel": channel,
                "subject": account.subject,
                "login_id": account.login_id,
                "password": account.password,
                "name": account.name,
                "email": account.email,
                "phone": account.phone,
            },
            201,
        )

    async def businesses(self, request: Request) -> Response:
        payload = await self._body(request)
        if isinstance(payload, Response):
            return payload
        status = str(payload.get("status", "01"))
        tax_type = str(payload.get("tax_type_cd", "01"))
        if status not in BUSINESS_STATUS:
            return _error(400, "bad_status", "status는 \"01\"(계속), \"02\"(휴업), \"03\"(폐업) 중 하나여야 합니다.")
        if tax_type not in TAX_TYPES:
            return _error(400, "bad_tax_type", "tax_type_cd가 올바르지 않습니다.")
        end_dt = str(payload.get("end_dt") or "")
        if status == "03" and not end_dt:
            end_dt = (self.shared.world.now().date() - timedelta(days=30)).strftime("%Y%m%d")
        try:
            business = self.shared.world.nts.add(
                str(payload.get("b_no", "")),
                str(payload.get("name") or self._faker.company()),
                str(payload.get("representative") or self._faker.name()),
                status,
                tax_type,
                end_dt,
            )
        except ValueError as exc:
            return _error(400, "bad_b_no", str(exc))
        return json_response(
            {
                "b_no": business.bizno,
                "name": business.name,
                "representative": business.representative,
                "status": business.status_code,
                "b_stt": BUSINESS_STATUS[business.status_code],
                "tax_type_cd": business.tax_type_cd,
                "end_dt": business.end_dt,
            },
            201,
        )

    async def certificates(self, request: Request) -> Response:
        payload = await self._body(request)
        if isinstance(payload, Response):
            return payload
        world = self.shared.world
        product = payload.get("product")
        if product not in PRODUCTS:
            return _error(400, "unknown_product", f"알 수 없는 인증서 상품입니다: {product}")
        try:
            bizno = normalize_bizno(str(payload.get("bizno", "")))
        except ValueError:
            return _error(400, "bad_bizno", "사업자등록번호는 10자리 숫자여야 합니다.")
        holder_name = payload.get("holder_name")
        password = payload.get("password")
        if not isinstance(holder_name, str) or not holder_name.strip():
            return _error(400, "bad_request", "holder_name(인증서 사용자 이름)이 필요합니다.")
        if not isinstance(password, str) or not password:
            return _error(400, "bad_request", "password(인증서 암호)가 필요합니다.")
        condition = payload.get("condition")
        if condition is not None and condition not in CONDITIONS:
            return _error(400, "bad_condition", "condition은 expired, not_yet_valid, untrusted 중 하나여야 합니다.")
        now = world.now()
        options: dict[str, Any] = {}
        if condition == "expired":
            options = {"not_before": now - timedelta(days=366), "not_after": now - timedelta(days=1)}
        elif condition == "not_yet_valid":
            options = {"not_before": now + timedelta(days=1), "not_after": now + timedelta(days=366)}
        elif condition == "untrusted":
            options = {"untrusted": True}
        try:
            bundle = world.cas.issue(
                str(product), bizno=bizno, holder_name=holder_name.strip(), password=password, **options
            )
        except ValueError as exc:  # e.g. a name X.509 cannot hold
            return _error(400, "bad_request", f"인증서를 발급할 수 없습니다: {exc}")
        holder = str(payload.get("holder") or holder_name.strip())
        self.shared.add_certificate(WalletEntry(bundle, password, holder))
        certificate = x509.load_der_x509_certificate(bundle.sign_cert_der)
        files = f"{base_url(request)}/ca/certificates/{bundle.serial}"
        return json_response(
            {
                "serial": str(bundle.serial),
                "holder": holder,
                "product": bundle.product,
                "bizno": bundle.bizno,
                "subject": certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value,
                "issuer": certificate.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value,
                "not_before": certificate.not_valid_before_utc.isoformat(),
                "not_after": certificate.not_valid_after_utc.isoformat(),
                "files": {
                    "signCert.der": f"{files}/signCert.der",
                    "signPri.key": f"{files}/signPri.key",
                    "cert.p12": f"{files}/cert.p12",
                },
            },
            201,
        )

    async def revoke(self, request: Request) -> Response:
        serial = str(request.path_params["serial"])
        if not serial.isdigit():
            return _error(404, "certificate_not_found", "발급하지 않은 인증서 일련번호입니다.")
        try:
            self.shared.world.cas.revoke(int(serial))
        except KeyError:
            return _error(404, "certificate_not_found", "발급하지 않은 인증서 일련번호입니다.")
        return json_response({"serial": serial, "revoked": True})

    async def sms(self, request: Request) -> Response:
        phone = request.path_params["phone"]
        inbox = self.shared.world.inbox
        return json_response(
            {
                "phone": phone_digits(phone),
                "messages": [
                    {"sender": sms.sender, "text": sms.text, "sent_at": sms.sent_at.isoformat()}
                    for sms in inbox.entries(phone)
                ],
                "latest_code": inbox.latest_code(phone),
            }
        )

    async def next_outcome(self, request: Request) -> Response:
        payload = await self._body(request)
        if isinstance(payload, Response):
            return payload
        provider = payload.get("provider")
        outcome = payload.get("outcome")
        if provider not in OUTCOMES:
            return _error(400, "unknown_provider", f"provider는 {', '.join(OUTCOMES)} 중 하나여야 합니다.")
        if outcome not in OUTCOMES[str(provider)]:
            allowed = ", ".join(OUTCOMES[str(provider)])
            return _error(400, "unknown_outcome", f"{provider}에 지정할 수 있는 outcome은 {allowed}입니다.")
        self.shared.set_outcome(str(provider), str(outcome))
        return json_response({"provider": provider, "outcome": outcome})

    async def redirect_uris(self, request: Request) -> Response:
        payload = await self._body(request)
        if isinstance(payload, Response):
            return payload
        channel = payload.get("channel")
        uri = payload.get("redirect_uri")
        world = self.shared.world
        if channel not in world.sns_clients:
            return _error(400, "unknown_channel", "channel은 kakao, naver, google, facebook 중 하나여야 합니다.")
        if not isinstance(uri, str) or not uri.strip():
            return _error(400, "bad_request", "redirect_uri가 필요합니다.")
        world.register_redirect(str(channel), uri)
        client_id = world.sns_clients[str(channel)][0]
        return json_response(
            {
                "channel": channel,
                "client_id": client_id,
                "redirect_uris": list(world.sns[str(channel)].redirect_uris(client_id)),
            },
            201,
        )

    async def openapi(self, request: Request) -> Response:
        return json_response(openapi_document(base_url(request)))


# ------------------------------------------------------------------------------------------
# OpenAPI 3.1 (hand-maintained: keep in step with ``routes`` below; a test checks the paths)

# ------------------------------------------------------------------------------------------


def _json_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


_ERROR = {"$ref": "#/components/schemas/Error"}
_STR = {"type": "string"}
# The certificate's common name is "<holder_name>()<20-digit serial>", at most 64 UTF-8 bytes: 14
# characters of the Basic Multilingual Plane (3 bytes each, e.g. Hangul) always fit.
_HOLDER_NAME = {"type": "string", "maxLength": 14,
                "allOf": [{"pattern": "\\S"}, {"pattern": "^[\\u0000-\\ud7ff\\ue000-\\uffff]+$"}],
                "description": "인증서 사용자 이름 (기업명 등, 14자 이하)"}
_BIZNO = {"type": "string", "pattern": "^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$", "description": "사업자등록번호 10자리"}


def openapi_document(base: str) -> dict[str, Any]:
    person_input = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "birth_date": {"type": "string", "format": "date", "description": "YYYY-MM-DD"},
            "gender": {"enum": ["M", "F"]},
            "carrier": {"enum": list(CARRIERS)},
            "phone": {"type": "string", "pattern": "^01[016789]-?[0-9]{3,4}-?[0-9]{4}$",
                      "description": "010-1234-5678 또는 01012345678"},
            "cards": {"type": "array", "items": {"enum": list(CARD_COMPANIES)}},
            "apps": {"type": "array", "items": {"enum": list(SIMPLE_AUTH_APPS)}, "description": "간편인증 앱"},
            "foreigner": {"type": "boolean"},
            "email": _STR,
        },
    }
    for key, value in person_input["properties"].items():  # null means "let the fake choose"
        person_input["properties"][key] = {"anyOf": [value, {"type": "null"}]}
    person = {
        "type": "object",
        "properties": {
            "name": _STR, "birth_date": {"type": "string", "format": "date"}, "gender": _STR,
            "foreigner": {"type": "boolean"}, "phone": _STR, "carrier": _STR, "email": _STR,
            "cards": {"type": "array", "items": _STR}, "apps": {"type": "array", "items": _STR},
            "ci": {"type": "string", "description": "연계정보 (88자 base64)"},
            "di": {"type": "string", "description": "이 사이트(KOTRA-TI24)의 중복가입확인정보"},
        },
    }
    paths: dict[str, Any] = {
        "/control/persons": {"post": {
            "summary": "가짜 사람(통신사·카드사·간편인증 앱이 아는 사람)을 만듭니다",
            "requestBody": _json_body(person_input),
            "responses": {"201": _answer("만든 사람", person), "400": _answer("잘못된 항목", _ERROR),
                          "409": _answer("이미 있는 사람 또는 휴대폰번호", _ERROR)},
        }},
        "/control/persons/{phone}": {"patch": {
            "summary": "사람의 통신사, 카드, 간편인증 앱, 이메일을 바꿉니다",
            "parameters": [{"name": "phone", "in": "path", "required": True, "schema": _STR}],
            "requestBody": _json_body({
                "type": "object", "additionalProperties": False,
                "properties": {k: person_input["properties"][k] for k in ("carrier", "cards", "apps", "email")},
            }),
            "responses": {"200": _answer("바뀐 사람", person), "400": _answer("잘못된 항목", _ERROR),
                          "404": _answer("없는 사람", _ERROR)},
        }},
        "/control/sns-accounts": {"post": {
            "summary": "SNS 계정을 만듭니다 (phone이 있으면 그 사람의 계정)",
            "requestBody": _json_body({
                "type": "object", "required": ["channel"],
                "properties": {"channel": {"enum": ["kakao", "naver", "google", "facebook"]}, "phone": _STR},
            }),
            "responses": {
                "201": _answer("로그인 아이디와 비밀번호", {
                    "type": "object",
                    "properties": {"channel": _STR, "subject": _STR, "login_id": _STR, "password": _STR,
                                   "name": _STR, "email": _STR, "phone": {"type": ["string", "null"]}},
                }),
                "400": _answer("알 수 없는 channel", _ERROR),
                "404": _answer("그 휴대폰번호의 사람이 없음", _ERROR),
            },
        }},
        "/control/businesses": {"post": {
            "summary": "국세청에 사업자를 등록(또는 상태 변경)합니다",
            "requestBody": _json_body({
                "type": "object", "required": ["b_no"],
                "properties": {
                    "b_no": _BIZNO,
                    "name": _STR, "representative": _STR,
                    "status": {"enum": ["01", "02", "03"], "description": "01 계속, 02 휴업, 03 폐업 (기본 01)"},
                    "tax_type_cd": {"enum": sorted(TAX_TYPES)}, "end_dt": {"type": "string", "description": "폐업일 YYYYMMDD"},
                },
            }),
            "responses": {"201": _answer("등록한 사업자", {"type": "object"}), "400": _answer("잘못된 항목", _ERROR)},
        }},
        "/control/certificates": {"post": {
            "summary": "인증서를 발급해 지갑(holder)에 넣습니다",
            "requestBody": _json_body({
                "type": "object", "required": ["product", "bizno", "holder_name", "password"],
                "properties": {
                    "product": {"enum": list(PRODUCTS)},
                    "bizno": _BIZNO, "holder_name": _HOLDER_NAME,
                    "password": {"type": "string", "minLength": 1},
                    "holder": {"type": "string", "description": "지갑 이름 (기본: holder_name)"},
                    "condition": {"enum": list(CONDITIONS)},
                },
            }),
            "responses": {
                "201": _answer("발급한 인증서", {
                    "type": "object",
                    "properties": {"serial": {"type": "string", "description": "10진수 일련번호"}, "holder": _STR,
                                   "product": _STR, "bizno": _STR, "subject": _STR, "issuer": _STR,
                                   "not_before": _STR, "not_after": _STR, "files": {"type": "object"}},
                }),
                "400": _answer("잘못된 항목", _ERROR),
            },
        }},
        "/control/certificates/{serial}/revoke": {"post": {
            "summary": "인증서를 폐지합니다 (발급 인증기관의 CRL에 올라갑니다)",
            "parameters": [{"name": "serial", "in": "path", "required": True, "schema": _STR}],
            "responses": {
                "200": _answer("폐지함", {"type": "object", "properties": {"serial": _STR, "revoked": {"type": "boolean"}}}),
                "404": _answer("발급하지 않은 인증서", _ERROR),
            },
        }},
        "/control/sms/{phone}": {"get": {
            "summary": "그 휴대폰이 받은 문자 메시지와 마지막 인증번호",
            "parameters": [{"name": "phone", "in": "path", "required": True, "schema": _STR}],
            "responses": {"200": _answer("문자 메시지", {
                "type": "object",
                "properties": {
                    "phone": _STR,
                    "messages": {"type": "array", "items": {
                        "type": "object", "properties": {"sender": _STR, "text": _STR, "sent_at": _STR}}},
                    "latest_code": {"type": ["string", "null"]},
                },
            }), "404": _answer("그런 주소가 없음 (예: 줄바꿈이 든 번호)", _ERROR)},
        }},
        "/control/next-outcome": {"post": {
            "summary": "그 제공자의 다음 거래 하나를 지정한 방식으로 끝나게 합니다 (한 번만 적용)",
            "description": (
                "cancel: 회원이 화면/앱에서 취소, deny: 거절, timeout: 제공자가 만료로 응답, "
                "wrong_code: SMS에 틀린 인증번호가 담김 (pass만). 제공자별 허용 값: "
                + "; ".join(f"{name}: {', '.join(values)}" for name, values in OUTCOMES.items())
            ),
            "requestBody": _json_body({
                "type": "object", "required": ["provider", "outcome"],
                "properties": {"provider": {"enum": list(OUTCOMES)},
                               "outcome": {"enum": ["cancel", "deny", "timeout", "wrong_code"]}},
                "oneOf": [{"properties": {"provider": {"const": name}, "outcome": {"enum": list(values)}}}
                          for name, values in OUTCOMES.items()],
            }),
            "responses": {"200": _answer("지정함", {"type": "object"}), "400": _answer("허용되지 않는 값", _ERROR)},
        }},
        "/control/redirect-uris": {"post": {
            "summary": "시뮬레이터 클라이언트에 redirect URI를 추가 등록합니다",
            "requestBody": _json_body({
                "type": "object", "required": ["channel", "redirect_uri"],
                "properties": {"channel": {"enum": ["kakao", "naver", "google", "facebook"]},
                               "redirect_uri": {"type": "string", "pattern": "^https?://[!-~]+$"}},
            }),
            "responses": {"201": _answer("등록된 redirect URI 목록", {"type": "object"}),
                          "400": _answer("잘못된 항목", _ERROR)},
        }},
        "/control/openapi.json": {"get": {
            "summary": "이 문서",
            "responses": {"200": _answer("OpenAPI 3.1 문서", {"type": "object"})},
        }},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ti24 가짜 제공자 제어 API",
            "version": "1.0",
            "description": "시험 하네스가 외부 세계(사람, SNS 계정, 사업자, 인증서)를 준비하고 결과를 조종하는 API입니다.",
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["error", "message"],
            "properties": {"error": _STR, "message": {"type": "string", "description": "한국어 설명"}},
        }}},
    }


def _body_validators() -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    """One JSON Schema validator (formats checked) per operation with a JSON body: the document
    is the single source of what each control endpoint accepts."""
    validators = {}
    for path, operations in openapi_document("").get("paths", {}).items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                validators[(path, method)] = jsonschema.Draft202012Validator(
                    body["schema"], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validators


BODY_VALIDATORS = _body_validators()


def routes(shared: Shared) -> list[BaseRoute]:
    """Routes mounted at ``/control``."""
    control = Control(shared)
    return [
        Route("/persons", control.persons, methods=["POST"]),
        Route("/persons/{phone}", control.update_person, methods=["PATCH"]),
        Route("/sns-accounts", control.sns_accounts, methods=["POST"]),
        Route("/businesses", control.businesses, methods=["POST"]),
        Route("/certificates", control.certificates, methods=["POST"]),
        Route("/certificates/{serial}/revoke", control.revoke, methods=["POST"]),
        Route("/sms/{phone}", control.sms, methods=["GET"]),
        Route("/next-outcome", control.next_outcome, methods=["POST"]),
        Route("/redirect-uris", control.redirect_uris, methods=["POST"]),
        Route("/openapi.json", control.openapi, methods=["GET"]),
    ]
