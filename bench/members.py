"""Members straight into the store: rows with a precomputed password hash, in batches."""

from __future__ import annotations

import time
from collections.abc import Iterator

import sqlite_utils

from simulator.domain.model import Kind, Status

PASSWORD = "Bench!Passw0rd-8"


def user_id(index: int) -> str:
    return f"bench{index:07d}"


def rows(count: int, password_hash: str, *, start: int = 0) -> Iterator[dict]:
    for index in range(start, start + count):
        yield {"kind": Kind.GENERAL.value, "status": Status.ACTIVE.value, "user_id": user_id(index),
               "password_hash": password_hash, "name": f"회원{index}", "birth_date": "1980-01-01", "gender": "M",
               "foreigner": 0, "phone": f"010{index:08d}", "carrier": "SKT", "email": f"{user_id(index)}@bench.test",
               "ci": f"bench-ci-{index:07d}", "di": f"bench-di-{index:07d}", "interests": "{}",
               "terms_agreed_at": "2024-01-01T10:00:00+09:00", "joined_at": "2024-01-01T10:00:00+09:00"}


def seed(db: sqlite_utils.Database, count: int, password_hash: str, *, start: int = 0) -> float:
    """Insert ``count`` 일반회원 in one transaction; returns the seconds it took."""
    began = time.perf_counter()
    db.execute("BEGIN")
    try:
        db["members"].insert_all(rows(count, password_hash, start=start), batch_size=2_000)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return time.perf_counter() - began
