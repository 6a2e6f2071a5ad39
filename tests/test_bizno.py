"""사업자등록번호 check digit: public vectors, their one-digit mutations, and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.domain import bizno
from simulator.domain.errors import Refusal

VALID = ["124-81-00998", "220-81-62517", "120-81-47521", "107-86-14075"]


@pytest.mark.parametrize("number", VALID)
def test_public_numbers_are_valid(number: str) -> None:
    assert bizno.is_valid(number)
    assert bizno.parse(number) == number.replace("-", "")


@pytest.mark.parametrize("number", VALID)
@pytest.mark.parametrize("delta", range(1, 10))
def test_changing_the_last_digit_makes_it_invalid(number: str, delta: int) -> None:
    changed = number[:-1] + str((int(number[-1]) + delta) % 10)
    assert not bizno.is_valid(changed)
    with pytest.raises(Refusal) as refused:
        bizno.parse(changed)
    assert refused.value.code == "bizno_checksum"


def test_ninth_digit_rule_matters() -> None:
    # 220-81-62517 has d9 = 1: without the ⌊d9·5/10⌋ term its check digit would differ for d9 >= 2.
    assert bizno.check_digit("120814752") == 1
    assert bizno.check_digit("107861407") == 5


def test_full_width_digits_are_the_same_number() -> None:
    assert bizno.parse("１２４－８１－００９９８".replace("－", "-")) == "1248100998"


@pytest.mark.parametrize("raw", ["", "12481009", "124810099812", "124-81-0099a", "124 81 00998x"])
def test_malformed_numbers_are_refused_in_korean(raw: str) -> None:
    with pytest.raises(Refusal) as refused:
        bizno.parse(raw)
    assert refused.value.code in {"bizno_format", "bizno_checksum"}
    assert "사업자등록번호" in refused.value.message


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_prefix_has_exactly_one_check_digit(prefix: str) -> None:
    valid = [d for d in range(10) if bizno.is_valid(prefix + str(d))]
    assert valid == [bizno.check_digit(prefix)]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8), st.integers(1, 9))
def test_a_single_changed_digit_is_caught_unless_weights_collide(prefix: str, position: int, delta: int) -> None:
    number = prefix + str(bizno.check_digit(prefix))
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    weight = bizno.WEIGHTS[position]
    # A change of one digit shifts the sum by weight*delta (plus the 9th-digit carry); weights 1,3,7
    # are coprime to 10, so the check digit always notices.
    if weight in (1, 3, 7):
        assert not bizno.is_valid(changed)


def test_display_format() -> None:
    assert bizno.display("1248100998") == "124-81-00998"
