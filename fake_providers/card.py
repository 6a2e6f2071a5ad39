"""신용카드 본인확인 by the seven designated card companies (앱카드 / ARS / 카드사 홈페이지).

The site starts a transaction; the card holder confirms it in the card app, answers the ARS call
or logs in at the card company (``approve``) or refuses (``deny``); the site reads the result in
an iamport-like card-authentication shape (``unique_key`` = CI, ``unique_in_site`` = DI).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from fake_providers.people import (
    CARD_COMPANIES,
    Person,
    PersonRegistry,
    ProviderError,
    parse_birth_date,
    phone_digits,
)

__all__ = ["CARD_COMPANIES", "CARD_METHODS", "CARD_TIMEOUT", "CardVerification", "ProviderError"]

CARD_METHODS = ("앱카드", "ARS", "카드사 홈페이지")

# How long the holder has to confirm in the app / answer the ARS call. [U] not published.
CARD_TIMEOUT = timedelta(minutes=5)

KST = timezone(timedelta(hours=9), "KST")

MSG_NOT_FOUND = "본인인증 내역을 찾을 수 없습니다."


@dataclass
class _Transaction:
    id: str
    site_code: str
    company: str
    method: str
    person: Person
    requested_at: datetime
    state: str = "pending"  # pending | certified | denied
    certified_at: datetime | None = None


class CardVerification:
    def __init__(self, registry: PersonRegistry, now: Callable[[], datetime]) -> None:
        self.registry = registry
        self.now = now
        self._transactions: dict[str, _Transaction] = {}

    def start(
        self,
        site_code: str,
        company: str,
        method: str,
        name: str,
        birth_date: date | str,
        phone: str,
    ) -> str:
        if company not in CARD_COMPANIES:
            raise ProviderError("unknown_card_company", "본인확인을 제공하지 않는 카드사입니다.")
        if method not in CARD_METHODS:
            raise ProviderError("unknown_method", "지원하지 않는 카드 본인확인 방식입니다.")
        try:
            person = self.registry.find(name, parse_birth_date(birth_date), phone)
        except ValueError:
            person = None
        if person is None or company not in person.cards:
            raise ProviderError(
                "card_not_found",
                f"입력하신 정보로 등록된 {company}카드가 없습니다. 카드사에 등록된 정보를 확인해주세요.",
            )
        txn = _Transaction(
            id=f"imp_{secrets.randbelow(10**12):012d}",
            site_code=site_code,
            company=company,
            method=method,
            person=person,
            requested_at=self.now(),
        )
        self._transactions[txn.id] = txn
        return txn.id

    def _pending(self, txn_id: str) -> _Transaction:
        txn = self._transactions.get(txn_id)
        if txn is None:
            raise ProviderError("not_found", MSG_NOT_FOUND)
        if txn.state != "pending":
            raise ProviderError("already_finished", "이미 처리된 본인인증 요청입니다.")
        if self.now() - txn.requested_at > CARD_TIMEOUT:
            raise ProviderError("expired", "본인인증 요청 시간이 만료되었습니다. 다시 시도해주세요.")
        return txn

    def approve(self, txn_id: str) -> None:
        """The holder confirms (app card approval, ARS card password digits, card-site login)."""
        txn = self._pending(txn_id)
        txn.state = "certified"
        txn.certified_at = self.now()

    def deny(self, txn_id: str) -> None:
        txn = self._pending(txn_id)
        txn.state = "denied"

    def _state(self, txn: _Transaction) -> str:
        if txn.state == "pending" and self.now() - txn.requested_at > CARD_TIMEOUT:
            return "expired"
        return txn.state

    # GET /certifications/{imp_uid}  (the ``response`` object of the iamport envelope)
    def result(self, txn_id: str, site_code: str) -> dict:
        txn = self._transactions.get(txn_id)
        if txn is None or txn.site_code != site_code:
            raise ProviderError("not_found", MSG_NOT_FOUND)
        state = self._state(txn)
        certified = state == "certified"
        person = txn.person
        body: dict = {
            "imp_uid": txn.id,
            "merchant_uid": None,
            "pg_provider": "card",
            "card_company": txn.company,
            "method": txn.method,
            "certified": certified,
            "certified_at": int(txn.certified_at.timestamp()) if txn.certified_at else 0,
            # simulator extension: why ``certified`` is false ("pending" | "denied" | "expired")
            "fail_reason": None if certified else state,
            "name": None,
            "gender": None,
            "birth": None,
            "birthday": None,
            "foreigner": None,
            "phone": None,
            "carrier": None,
            "unique_key": None,
            "unique_in_site": None,
        }
        if certified:
            born = person.birth_date
            body.update(
                {
                    "name": person.name,
                    "gender": "male" if person.gender == "M" else "female",
                    "birth": int(datetime(born.year, born.month, born.day, tzinfo=KST).timestamp()),
                    "birthday": born.isoformat(),
                    "foreigner": person.foreigner,
                    "phone": phone_digits(person.phone),
                    "unique_key": person.ci,
                    "unique_in_site": person.di(txn.site_code),
                }
            )
        return body
