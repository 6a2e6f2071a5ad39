"""간편인증 (민간인증서) push-to-app identity confirmation, Barocert-like.

The site asks an app (카카오, 네이버, PASS, …) to confirm a person by name, birth date and phone;
the app shows the request (``pending``), the person approves or refuses it, the site polls
``status`` and reads the signer's data once with ``result``.

Value spellings marked [U] (receiverGender, receiverForeign) are not confirmed from Barocert's
documentation.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fake_providers.people import (
    SIMPLE_AUTH_APPS,
    Person,
    PersonRegistry,
    ProviderError,
    parse_birth_date,
    phone_digits,
    rfc3339,
)

__all__ = ["REQUEST_TTL", "SIMPLE_AUTH_APPS", "ProviderError", "SimpleAuth"]

REQUEST_TTL = timedelta(minutes=5)

STATE_REQUESTED = "요청"
STATE_DONE = "완료"
STATE_DENIED = "거절"
STATE_EXPIRED = "만료"

_TELCO_TYPE = {  # PASS app only: Barocert receiverTelcoType [U exact spelling]
    "SKT": "SKT",
    "KT": "KT",
    "LG U+": "LGU",
    "알뜰폰(SKT)": "SKTMVNO",
    "알뜰폰(KT)": "KTMVNO",
    "알뜰폰(LG U+)": "LGUMVNO",
}

MSG_NOT_FOUND = "인증 요청 내역을 찾을 수 없습니다."


@dataclass
class _Request:
    receipt_id: str
    site_code: str
    app: str
    title: str
    person: Person
    requested_at: datetime
    state: str = STATE_REQUESTED
    completed_at: datetime | None = None
    result_read: bool = False


class SimpleAuth:
    def __init__(self, registry: PersonRegistry, now: Callable[[], datetime]) -> None:
        self.registry = registry
        self.now = now
        self._requests: dict[str, _Request] = {}

    # requestIdentity
    def request(
        self,
        site_code: str,
        app: str,
        name: str,
        birth_date: date | str,
        phone: str,
        title: str = "본인확인 요청",
    ) -> str:
        if app not in SIMPLE_AUTH_APPS:
            raise ProviderError("unsupported_app", "지원하지 않는 간편인증 앱입니다.")
        try:
            person = self.registry.find(name, parse_birth_date(birth_date), phone)
        except ValueError:
            person = None
        if person is None:
            raise ProviderError(
                "receiver_not_found",
                f"{app} 인증서 사용자를 찾을 수 없습니다. 이름, 생년월일, 휴대폰번호를 확인해주세요.",
            )
        if app not in person.apps:
            raise ProviderError("certificate_not_issued", f"{app} 인증서가 발급되지 않은 사용자입니다.")
        req = _Request(
            receipt_id=f"{secrets.randbelow(10**32):032d}",
            site_code=site_code,
            app=app,
            title=title,
            person=person,
            requested_at=self.now(),
        )
        self._requests[req.receipt_id] = req
        return req.receipt_id

    def _state(self, req: _Request) -> str:
        if req.state == STATE_REQUESTED and self.now() - req.requested_at > REQUEST_TTL:
            return STATE_EXPIRED
        return req.state

    def _get(self, receipt_id: str) -> _Request:
        req = self._requests.get(receipt_id)
        if req is None:
            raise ProviderError("not_found", MSG_NOT_FOUND)
        return req

    # what the fake phone app shows
    def pending(self, phone: str) -> list[dict]:
        digits = phone_digits(phone)
        return [
            {
                "receipt_id": req.receipt_id,
                "app": req.app,
                "site_code": req.site_code,
                "title": req.title,
                "name": req.person.name,
                "requested_at": rfc3339(req.requested_at),
                "expires_at": rfc3339(req.requested_at + REQUEST_TTL),
            }
            for req in self._requests.values()
            if phone_digits(req.person.phone) == digits and self._state(req) == STATE_REQUESTED
        ]

    def _open(self, receipt_id: str) -> _Request:
        req = self._get(receipt_id)
        state = self._state(req)
        if state == STATE_EXPIRED:
            raise ProviderError("expired", "인증 요청 시간이 만료되었습니다.")
        if state != STATE_REQUESTED:
            raise ProviderError("already_finished", "이미 처리된 인증 요청입니다.")
        return req

    def approve(self, receipt_id: str) -> None:
        """The person signs in the app (PIN / biometrics)."""
        req = self._open(receipt_id)
        req.state = STATE_DONE
        req.completed_at = self.now()

    def deny(self, receipt_id: str) -> None:
        req = self._open(receipt_id)
        req.state = STATE_DENIED

    # getIdentityStatus
    def status(self, receipt_id: str) -> str:
        return self._state(self._get(receipt_id))

    # verifyIdentity: only when 완료, only for the requesting site, only once
    def result(self, receipt_id: str, site_code: str) -> dict:
        req = self._requests.get(receipt_id)
        if req is None or req.site_code != site_code:
            raise ProviderError("not_found", MSG_NOT_FOUND)
        state = self._state(req)
        if state != STATE_DONE:
            raise ProviderError("not_completed", f"인증이 완료되지 않았습니다. (상태: {state})")
        if req.result_read:
            raise ProviderError("already_verified", "이미 검증이 완료된 인증 요청입니다.")
        req.result_read = True
        person = req.person
        body: dict = {
            "receiptID": req.receipt_id,
            "state": 1,
            "app": req.app,
            "receiverName": person.name,
            "receiverYear": f"{person.birth_date.year:04d}",
            "receiverDay": f"{person.birth_date:%m%d}",
            "receiverGender": "MALE" if person.gender == "M" else "FEMALE",  # [U]
            "receiverForeign": "Y" if person.foreigner else "N",  # [U]
            "receiverHP": phone_digits(person.phone),
            "ci": person.ci,
            "di": person.di(req.site_code),
        }
        if req.app == "PASS":
            body["receiverTelcoType"] = _TELCO_TYPE[person.carrier]
        return body
