"""Credential policies. The manual fixes only the approval password (6 digits); the ID
and password rules are derived (catalogue entries marked derived) from OWASP ASVS 5.0
§6.2 and NIST SP 800-63B, since the manual does not state them."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise

from .errors import Refusal
from .throttle import Limit

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{5,19}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 64
APPROVAL_PASSWORD = re.compile(r"^[0-9]{6}$")
# Consecutive failures before an authenticator is disabled (NIST 800-63B §3.2.2 caps it at 100).
MAX_LOGIN_FAILURES = 5
# 승인 비밀번호 (10^6 values): 5 consecutive failures lock it for the company until the admin changes it.
MAX_APPROVAL_FAILURES = 5
# One person's failed 승인 비밀번호 entries, over all companies (spraying), per day.
APPROVAL_FAILURES_PER_PERSON = Limit("approval_person", 10, timedelta(hours=24))
# Unknown IDs / 사업자등록번호 lock like real ones, so a lock reveals nothing (no enumeration).
UNKNOWN_LOGIN_FAILURES = Limit("login_unknown", MAX_LOGIN_FAILURES, timedelta(hours=24))
UNKNOWN_COMPANY_FAILURES = Limit("company_login_unknown", MAX_LOGIN_FAILURES, timedelta(hours=24))
# Per client address (web layer) and per target (services): attempts, not only failures.
APPROVAL_PER_ADDRESS = Limit("approval_address", 20, timedelta(minutes=10))
FIND_ID_PER_ADDRESS = Limit("find_id_address", 30, timedelta(minutes=10))
FIND_ID_PER_TARGET = Limit("find_id_target", 10, timedelta(hours=1))
RESET_PER_ADDRESS = Limit("reset_address", 30, timedelta(minutes=10))
RESET_PER_TARGET = Limit("reset_target", 10, timedelta(hours=1))
COMMON_PASSWORDS = frozenset(
    {"password", "password1", "12345678", "123456789", "qwerty123", "1q2w3e4r", "1q2w3e4r!", "abcd1234",
     "kotra1234", "iloveyou", "11111111", "00000000", "qwertyui", "asdf1234", "zxcv1234"}
)


def check_user_id(user_id: str) -> str:
    if not ID_PATTERN.match(user_id):
        raise Refusal("id_policy", "아이디는 영문 소문자로 시작하는 6~20자의 영문 소문자, 숫자, 밑줄(_)만 사용할 수 있습니다.")
    return user_id


def check_password(password: str, *, user_id: str = "") -> str:
    if len(password) < PASSWORD_MIN:
        raise Refusal("password_short", f"비밀번호는 {PASSWORD_MIN}자 이상이어야 합니다.")
    if len(password) > PASSWORD_MAX:
        raise Refusal("password_long", f"비밀번호는 {PASSWORD_MAX}자 이하여야 합니다.")
    if password.lower() in COMMON_PASSWORDS:
        raise Refusal("password_common", "너무 흔한 비밀번호입니다. 다른 비밀번호를 입력해 주세요.")
    if user_id and user_id.lower() in password.lower():
        raise Refusal("password_contains_id", "비밀번호에 아이디를 포함할 수 없습니다.")
    return password


def check_approval_password(value: str) -> str:
    if not APPROVAL_PASSWORD.match(value):
        raise Refusal("approval_password_format", "승인 비밀번호는 숫자 6자리로 입력해 주세요.")
    return value


def check_new_approval_password(value: str) -> str:
    """Setting an approval password: 6 digits, and not one anyone would guess first."""
    check_approval_password(value)
    steps = {int(b) - int(a) for a, b in pairwise(value)}
    if len(set(value)) == 1 or steps in ({1}, {-1}):
        raise Refusal("approval_password_weak", "같은 숫자나 연속된 숫자로만 된 승인 비밀번호는 사용할 수 없습니다.")
    return value


def mask_user_id(user_id: str) -> str:
    """An ID as shown by 아이디 찾기: the first half stays, the rest becomes ``*``
    (at least two characters are hidden), so a found ID is recognisable but not given away."""
    shown = min(max(1, len(user_id) // 2), max(0, len(user_id) - 2))
    return user_id[:shown] + "*" * (len(user_id) - shown)
