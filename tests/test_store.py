"""Storage guarantees the services rely on."""

import sqlite3

import pytest

from simulator.adapters.hashing import CHEAP, SERVING, Hasher
from simulator.adapters.store import open_database, transaction


def member(**extra: object) -> dict:
    return {"kind": "일반회원", "status": "active", "name": "홍길동", "joined_at": "2026-01-01", **extra}


def test_one_general_member_per_verified_person() -> None:
    db = open_database()
    db["members"].insert(member(user_id="first_id", ci="C" * 88))
    with pytest.raises(sqlite3.IntegrityError):
        db["members"].insert(member(user_id="second_id", ci="C" * 88))


def test_one_simple_member_per_sns_account() -> None:
    db = open_database()
    simple = {"kind": "간편회원", "status": "active", "name": "홍길동", "joined_at": "2026-01-01",
              "sns_channel": "kakao", "sns_subject": "42"}
    db["members"].insert(simple)
    with pytest.raises(sqlite3.IntegrityError):
        db["members"].insert(simple)


def test_one_company_per_bizno_and_affiliations_need_a_company() -> None:
    db = open_database()
    company = {"bizno": "1248100998", "name": "삼성전자", "representative": "대표", "admin_password_hash": "x",
               "approval_password_hash": "y", "registered_at": "t", "source": "directory"}
    db["companies"].insert(company)
    with pytest.raises(sqlite3.IntegrityError):
        db["companies"].insert(company)
    member_id = db["members"].insert(member(user_id="some_id")).last_pk
    with pytest.raises(sqlite3.IntegrityError):
        db["affiliations"].insert({"member_id": member_id, "bizno": "2208162517", "via": "인증서", "since": "t"})


def test_transaction_is_all_or_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = open_database(tmp_path / "ti24.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(RuntimeError), transaction(db):
        db["members"].insert(member(user_id="first_id"))
        raise RuntimeError("crash in the middle")
    assert db["members"].count == 0


def test_serving_hash_uses_owasp_argon2id_parameters() -> None:
    hasher = Hasher(SERVING)
    assert hasher.parameters == (2, 19456, 1)
    stored = hasher.hash("Trade-Invest24")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify(stored, "Trade-Invest24") and not hasher.verify(stored, "trade-invest24")


def test_missing_account_is_checked_against_a_dummy_hash() -> None:
    hasher = Hasher(CHEAP)
    assert hasher.verify(None, "ti24-dummy-password") is False
