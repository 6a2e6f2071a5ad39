"""국세청 사업자등록정보 상태조회 (data.go.kr #15081808), POST /api/nts-businessman/v1/status.

``status(body, service_key)`` answers ``(http_status, json_body)`` exactly like the real endpoint,
including the odcloud gateway's own error shape for an unknown service key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["BUSINESS_STATUS", "MAX_NUMBERS", "TAX_TYPES", "UNREGISTERED_MESSAGE", "NtsBusinessRegistry"]

MAX_NUMBERS = 100

BUSINESS_STATUS = {"01": "계속사업자", "02": "휴업자", "03": "폐업자"}

TAX_TYPES = {
    "01": "부가가치세 일반과세자",
    "02": "부가가치세 간이과세자",
    "03": "부가가치세 과세특례자",
    "04": "부가가치세 면세사업자",
    "05": "수익사업을 영위하지 않는 비영리법인이거나 고유번호가 부여된 단체,국가기관 등",
    "06": "고유번호가 부여된 단체",
    "07": "부가가치세 간이과세자(세금계산서 발급사업자)",
}

UNREGISTERED_MESSAGE = "국세청에 등록되지 않은 사업자등록번호입니다."


@dataclass(frozen=True)
class Business:
    bizno: str  # 10 digits
    name: str
    representative: str
    status_code: str  # "01" | "02" | "03"
    tax_type_cd: str = "01"
    end_dt: str = ""  # 폐업일 YYYYMMDD


def _digits(bizno: str) -> str:
    return bizno.replace("-", "").strip()


class NtsBusinessRegistry:
    def __init__(self, service_key: str) -> None:
        self.service_key = service_key
        self._businesses: dict[str, Business] = {}

    def add(
        self,
        bizno: str,
        name: str,
        representative: str,
        status_code: str,
        tax_type_cd: str = "01",
        end_dt: str = "",
    ) -> Business:
        """Register a business (or replace its record, e.g. when it closes: status "03" + end_dt)."""
        digits = _digits(bizno)
        if len(digits) != 10 or not digits.isdigit():
            raise ValueError(f"사업자등록번호는 10자리 숫자여야 합니다: {bizno}")
        if status_code not in BUSINESS_STATUS:
            raise ValueError(f"unknown b_stt_cd: {status_code}")
        if tax_type_cd not in TAX_TYPES:
            raise ValueError(f"unknown tax_type_cd: {tax_type_cd}")
        business = Business(digits, name, representative, status_code, tax_type_cd, end_dt)
        self._businesses[digits] = business
        return business

    def remove(self, bizno: str) -> None:
        """The number disappears from the register (answers as unregistered afterwards)."""
        self._businesses.pop(_digits(bizno), None)

    def get(self, bizno: str) -> Business | None:
        return self._businesses.get(_digits(bizno))

    def _entry(self, b_no: str) -> tuple[bool, dict]:
        business = self._businesses.get(_digits(b_no))
        if business is None:
            return False, {
                "b_no": b_no,
                "b_stt": "",
                "b_stt_cd": "",
                "tax_type": UNREGISTERED_MESSAGE,
                "tax_type_cd": "",
                "end_dt": "",
                "utcc_yn": "",
                "tax_type_change_dt": "",
                "invoice_apply_dt": "",
                "rbf_tax_type": "",
                "rbf_tax_type_cd": "",
            }
        return True, {
            "b_no": b_no,
            "b_stt": BUSINESS_STATUS[business.status_code],
            "b_stt_cd": business.status_code,
            "tax_type": TAX_TYPES[business.tax_type_cd],
            "tax_type_cd": business.tax_type_cd,
            "end_dt": business.end_dt,
            "utcc_yn": "N",
            "tax_type_change_dt": "",
            "invoice_apply_dt": "",
            "rbf_tax_type": "해당없음",
            "rbf_tax_type_cd": "99",
        }

    # POST /api/nts-businessman/v1/status?serviceKey=...
    def status(self, body: bytes | str | dict, service_key: str) -> tuple[int, dict]:
        if service_key != self.service_key:
            return 401, {"code": -4, "msg": "등록되지 않은 인증키 입니다."}
        if isinstance(body, dict):
            payload: object = body
        else:
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return 400, {"status_code": "BAD_JSON_REQUEST"}
        if not isinstance(payload, dict):
            return 400, {"status_code": "BAD_JSON_REQUEST"}
        numbers = payload.get("b_no")
        if (
            not isinstance(numbers, list)
            or not numbers
            or not all(isinstance(number, str) and number for number in numbers)
        ):
            return 411, {"status_code": "REQUEST_DATA_MALFORMED"}
        if len(numbers) > MAX_NUMBERS:
            return 413, {"status_code": "TOO_LARGE_REQUEST"}
        data = []
        matched = 0
        for number in numbers:
            found, entry = self._entry(number)
            matched += found
            data.append(entry)
        return 200, {"request_cnt": len(numbers), "match_cnt": matched, "status_code": "OK", "data": data}
