"""사업자등록번호 (business registration number): normalisation and check digit."""

from __future__ import annotations

import unicodedata

from .errors import Refusal

WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalize(raw: str) -> str:
    """ASCII digits only, so "124-81-00998", "1248100998" and full-width input are one number."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", raw) if ch in "0123456789")


def _stripped(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).replace("-", "").strip()


def check_digit(first_nine: str) -> int:
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, WEIGHTS, strict=True))
    total += digits[8] * 5 // 10
    return (10 - total % 10) % 10


def is_valid(raw: str) -> bool:
    number = normalize(raw)
    if len(number) != 10 or len(number) != len(_stripped(raw)):
        return False
    return check_digit(number[:9]) == int(number[9])


def parse(raw: str) -> str:
    """The 10-digit number, or a Refusal with the reason in Korean."""
    number = normalize(raw)
    if len(number) != 10 or len(number) != len(_stripped(raw)):
        raise Refusal("bizno_format", "사업자등록번호 10자리를 숫자로 입력해 주세요.")
    if not is_valid(number):
        raise Refusal("bizno_checksum", "유효하지 않은 사업자등록번호입니다. 번호를 다시 확인해 주세요.")
    return number


def display(number: str) -> str:
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"
