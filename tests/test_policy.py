"""Credential policies: IDs, passwords and the 6-digit approval password."""

import pytest

from simulator.domain import policy
from simulator.domain.errors import Refusal


@pytest.mark.parametrize("user_id", ["choi_general", "abc123", "a" * 20])
def test_valid_ids(user_id: str) -> None:
    assert policy.check_user_id(user_id) == user_id


@pytest.mark.parametrize("user_id", ["abc", "1choi", "Choi", "choi-general", "a" * 21, ""])
def test_invalid_ids(user_id: str) -> None:
    with pytest.raises(Refusal, match="아이디"):
        policy.check_user_id(user_id)


@pytest.mark.parametrize(("password", "code"), [
    ("Short1!", "password_short"), ("x" * 65, "password_long"), ("password1", "password_common"),
    ("my-choi_general", "password_contains_id"),
])
def test_password_rules(password: str, code: str) -> None:
    with pytest.raises(Refusal) as refused:
        policy.check_password(password, user_id="choi_general")
    assert refused.value.code == code


def test_long_passphrase_allowed() -> None:
    assert policy.check_password("무역투자24 통합회원 비밀번호 문장", user_id="choi_general")


@pytest.mark.parametrize("value", ["739164", "000001", "905172"])
def test_approval_password_is_six_digits(value: str) -> None:
    assert policy.check_approval_password(value) == value


@pytest.mark.parametrize("value", ["73916", "7391645", "73916a", "７３９１６４", " 739164"])
def test_approval_password_format(value: str) -> None:
    with pytest.raises(Refusal, match="숫자 6자리"):
        policy.check_approval_password(value)


@pytest.mark.parametrize("value", ["111111", "123456", "987654", "000000"])
def test_guessable_approval_passwords_cannot_be_set(value: str) -> None:
    with pytest.raises(Refusal) as refused:
        policy.check_new_approval_password(value)
    assert refused.value.code == "approval_password_weak"
