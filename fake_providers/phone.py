"""PASS-style 휴대전화 본인확인 (SMS OTP), answering in the PortOne V2 identity-verification shape.

Flow: the site starts a transaction with the member's carrier, name, birth date and phone number;
the carrier sends a 6-digit code by SMS (delivered to ``SmsInbox``); the member types it in
(``confirm``); the site reads the result (``result``), which only the starting site may do.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from fake_providers.people import (
    CARRIERS,
    Person,
    PersonRegistry,
    ProviderError,
    parse_birth_date,
    phone_digits,
    rfc3339,
)

__all__ = [
    "CODE_TTL",
    "MAX_RESENDS",
    "MAX_WRONG_CODES",
    "OPERATOR_CODES",
    "PassVerification",
    "ProviderError",
    "SmsInbox",
]

CODE_TTL = timedelta(minutes=3)
MAX_WRONG_CODES = 5
MAX_RESENDS = 5  # [U] real limits differ per vendor

# CARRIERS label -> PortOne V2 ``operator`` value.
OPERATOR_CODES: dict[str, str] = {
    "SKT": "SKT",
    "KT": "KT",
    "LG U+": "LGU",
    "알뜰폰(SKT)": "SKT_MVNO",
    "알뜰폰(KT)": "KT_MVNO",
    "알뜰폰(LG U+)": "LGU_MVNO",
}
_CARRIER_BY_OPERATOR = {code: label for label, code in OPERATOR_CODES.items()}

_CODE_IN_TEXT = re.compile(r"\[(\d{6})\]")

MSG_MISMATCH = "입력하신 정보가 통신사 가입 정보와 일치하지 않습니다."
MSG_NOT_FOUND = "본인인증 내역을 찾을 수 없습니다."


@dataclass(frozen=True)
class Sms:
    phone: str  # digits
    sender: str
    text: str
    sent_at: datetime


class SmsInbox:
    """Every text message the fake carriers delivered, per phone number."""

    def __init__(self) -> None:
        self._messages: dict[str, list[Sms]] = {}

    def deliver(self, phone: str, text: str, sent_at: datetime, sender: str = "PASS") -> None:
        digits = phone_digits(phone)
        self._messages.setdefault(digits, []).append(Sms(digits, sender, text, sent_at))

    def messages(self, phone: str) -> list[str]:
        return [sms.text for sms in self._messages.get(phone_digits(phone), [])]

    def entries(self, phone: str) -> list[Sms]:
        return list(self._messages.get(phone_digits(phone), []))

    def latest_code(self, phone: str) -> str | None:
        for sms in reversed(self._messages.get(phone_digits(phone), [])):
            match = _CODE_IN_TEXT.search(sms.text)
            if match:
                return match.group(1)
        return None


@dataclass
class _Transaction:
    id: str
    site_code: str
    person: Person
    requested_at: datetime
    code: str
    code_sent_at: datetime
    status: str = "READY"  # READY | VERIFIED | FAILED
    wrong_codes: int = 0
    resends: int = 0
    status_changed_at: datetime | None = None
    updated_at: datetime | None = None
    verified_at: datetime | None = None
    failure: dict[str, str] = field(default_factory=dict)


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def carrier_label(carrier: str) -> str | None:
    """``"LG U+"`` or ``"LGU"`` → ``"LG U+"``; None if not a carrier."""
    if carrier in CARRIERS:
        return carrier
    return _CARRIER_BY_OPERATOR.get(carrier)


class PassVerification:
    """The carriers' joint 휴대전화 본인확인 service (SMS method)."""

    def __init__(
        self,
        registry: PersonRegistry,
        now: Callable[[], datetime],
        inbox: SmsInbox | None = None,
    ) -> None:
        self.registry = registry
        self.now = now
        self.inbox = inbox if inbox is not None else SmsInbox()
        self._transactions: dict[str, _Transaction] = {}

    # POST /identity-verifications/{id}/send
    def start(self, site_code: str, carrier: str, name: str, birth_date: date | str, phone: str) -> str:
        label = carrier_label(carrier)
        if label is None:
            raise ProviderError("unknown_carrier", "통신사를 선택해주세요.")
        try:
            born = parse_birth_date(birth_date)
        except ValueError:
            raise ProviderError("identity_mismatch", MSG_MISMATCH) from None
        person = self.registry.find(name, born, phone)
        if person is None or person.carrier != label:
            raise ProviderError("identity_mismatch", MSG_MISMATCH)
        moment = self.now()
        txn = _Transaction(
            id=f"identity-verification-{secrets.token_hex(12)}",
            site_code=site_code,
            person=person,
            requested_at=moment,
            code=_new_code(),
            code_sent_at=moment,
            status_changed_at=moment,
            updated_at=moment,
        )
        self._transactions[txn.id] = txn
        self._send_code(txn)
        return txn.id

    def _send_code(self, txn: _Transaction) -> None:
        text = f"[PASS] 본인확인 인증번호 [{txn.code}]를 입력해주세요."
        self.inbox.deliver(txn.person.phone, text, txn.code_sent_at)

    def _get(self, txn_id: str) -> _Transaction:
        txn = self._transactions.get(txn_id)
        if txn is None:
            raise ProviderError("not_found", MSG_NOT_FOUND)
        return txn

    def _fail(self, txn: _Transaction, reason: str) -> None:
        moment = self.now()
        txn.status = "FAILED"
        txn.status_changed_at = moment
        txn.updated_at = moment
        txn.failure = {"reason": reason, "pgCode": "FAILED", "pgMessage": reason}

    # POST /identity-verifications/{id}/resend
    def resend(self, txn_id: str) -> None:
        txn = self._get(txn_id)
        if txn.status == "VERIFIED":
            raise ProviderError("already_verified", "이미 본인인증이 완료되었습니다.")
        if txn.status == "FAILED":
            raise ProviderError(
                "transaction_failed", "본인인증이 취소되었습니다. 처음부터 다시 시도해주세요."
            )
        if txn.resends >= MAX_RESENDS:
            raise ProviderError(
                "too_many_resends", "인증번호 재전송 횟수를 초과했습니다. 처음부터 다시 시도해주세요."
            )
        txn.resends += 1
        txn.code = _new_code()
        txn.code_sent_at = self.now()
        txn.updated_at = txn.code_sent_at
        self._send_code(txn)

    # POST /identity-verifications/{id}/confirm
    def confirm(self, txn_id: str, code: str) -> str:
        """Check the typed code; returns the new status ``"VERIFIED"`` or raises ProviderError."""
        txn = self._get(txn_id)
        if txn.status == "VERIFIED":
            raise ProviderError("already_verified", "이미 본인인증이 완료되었습니다.")
        if txn.status == "FAILED":
            raise ProviderError(
                "transaction_failed", "본인인증이 취소되었습니다. 처음부터 다시 시도해주세요."
            )
        moment = self.now()
        if moment - txn.code_sent_at > CODE_TTL:
            raise ProviderError(
                "code_expired", "인증번호 입력 시간(3분)이 지났습니다. 인증번호를 다시 요청해주세요."
            )
        if not hmac.compare_digest(str(code).strip().encode(), txn.code.encode()):
            txn.wrong_codes += 1
            txn.updated_at = moment
            if txn.wrong_codes >= MAX_WRONG_CODES:
                self._fail(txn, "인증번호 입력 횟수 초과")
                raise ProviderError(
                    "too_many_wrong_codes",
                    f"인증번호를 {MAX_WRONG_CODES}회 잘못 입력하여 본인인증이 취소되었습니다. "
                    "처음부터 다시 시도해주세요.",
                )
            raise ProviderError(
                "wrong_code",
                f"인증번호가 일치하지 않습니다. ({txn.wrong_codes}/{MAX_WRONG_CODES})",
            )
        txn.status = "VERIFIED"
        txn.verified_at = moment
        txn.status_changed_at = moment
        txn.updated_at = moment
        txn.code = ""  # single use
        return txn.status

    # GET /identity-verifications/{id}
    def result(self, txn_id: str, site_code: str) -> dict:
        txn = self._transactions.get(txn_id)
        if txn is None or txn.site_code != site_code:
            raise ProviderError("not_found", MSG_NOT_FOUND)
        body: dict = {
            "status": txn.status,
            "id": txn.id,
            "channel": {"pgProvider": "PASS", "type": "LIVE"},
            "requestedAt": rfc3339(txn.requested_at),
            "updatedAt": rfc3339(txn.updated_at or txn.requested_at),
            "statusChangedAt": rfc3339(txn.status_changed_at or txn.requested_at),
            "version": "V2",
        }
        person = txn.person
        if txn.status == "READY":
            body["requestedCustomer"] = {"name": person.name, "phoneNumber": phone_digits(person.phone)}
        elif txn.status == "FAILED":
            body["failure"] = dict(txn.failure)
        else:
            assert txn.verified_at is not None
            body["verifiedCustomer"] = {
                "name": person.name,
                "operator": OPERATOR_CODES[person.carrier],
                "phoneNumber": phone_digits(person.phone),
                "birthDate": person.birth_date.isoformat(),
                "gender": "MALE" if person.gender == "M" else "FEMALE",
                "isForeigner": person.foreigner,
                "ci": person.ci,
                "di": person.di(txn.site_code),
            }
            body["verifiedAt"] = rfc3339(txn.verified_at)
            body["pgTxId"] = txn.id.removeprefix("identity-verification-")
        return body
