"""The matrices: one data file, in agreement with the catalogue cell for cell."""

from datetime import date

import pytest

from simulator.domain.entitlements import LEGACY, NEW, matrix, scheme_on
from simulator.domain.errors import Refusal
from steps.catalogue import load_requirements


def catalogue_cells(prefix: str) -> dict[tuple[str, str], bool]:
    cells = {}
    for requirement in load_requirements():
        if requirement["id"].startswith(prefix):
            row = requirement["wording"]
            for column, mark in requirement["cells"].items():
                cells[(row, column)] = mark == "O"
    return cells


@pytest.mark.parametrize(("scheme", "prefix", "rows"), [(NEW, "MTX-N", 5), (LEGACY, "MTX-O", 5)])
def test_matrix_matches_catalogue(scheme: str, prefix: str, rows: int) -> None:
    m = matrix(scheme)
    expected = catalogue_cells(prefix)
    assert len(expected) == rows * 4
    for service, row in m.row_of.items():
        for column in m.columns:
            wording = next(r for (r, c) in expected if c == column and r.startswith(row.split(" (")[0]))
            assert m.allows(service, column) == expected[(wording, column)], (service, column)


def test_scheme_changes_on_2023_05_22() -> None:
    assert scheme_on(date(2023, 5, 21)) == LEGACY
    assert scheme_on(date(2023, 5, 22)) == NEW


def test_refusal_names_service_and_class() -> None:
    with pytest.raises(Refusal) as refused:
        matrix(NEW).require("기타 서비스 신청", "간편회원")
    assert "간편회원" in refused.value.message and "기타 서비스 신청" in refused.value.message
    matrix(NEW).require("온라인 상담", "간편회원")


def test_unknown_service_is_refused() -> None:
    with pytest.raises(Refusal):
        matrix(NEW).allows("해외출장", "간편회원")
