"""SQLite storage through sqlite-utils: schema, pragmas and one transaction per unit of work."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('일반회원', '간편회원')),
    status TEXT NOT NULL,
    user_id TEXT UNIQUE,
    password_hash TEXT,
    name TEXT NOT NULL,
    birth_date TEXT,
    gender TEXT,
    foreigner INTEGER,
    phone TEXT,
    carrier TEXT,
    email TEXT,
    ci TEXT UNIQUE,
    di TEXT,
    sns_channel TEXT,
    sns_subject TEXT,
    interests TEXT NOT NULL DEFAULT '{}',
    terms_agreed_at TEXT,
    joined_at TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    legacy_role TEXT,
    legacy_company TEXT,
    converted_at TEXT,
    UNIQUE (sns_channel, sns_subject),
    CHECK (kind = '간편회원' OR user_id IS NOT NULL),
    CHECK (kind = '일반회원' OR (sns_channel IS NOT NULL AND sns_subject IS NOT NULL))
);
CREATE TABLE IF NOT EXISTS company_directory (
    bizno TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    representative TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS companies (
    bizno TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    representative TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT '',
    homepage TEXT NOT NULL DEFAULT '',
    admin_password_hash TEXT NOT NULL,
    approval_password_hash TEXT NOT NULL,
    approval_failures INTEGER NOT NULL DEFAULT 0,
    admin_failures INTEGER NOT NULL DEFAULT 0,
    registered_by INTEGER REFERENCES members(id),
    registered_at TEXT NOT NULL,
    scan_file TEXT REFERENCES files(id),
    source TEXT NOT NULL CHECK (source IN ('directory', 'new'))
);
CREATE TABLE IF NOT EXISTS affiliations (
    member_id INTEGER PRIMARY KEY REFERENCES members(id),
    bizno TEXT NOT NULL REFERENCES companies(bizno),
    via TEXT NOT NULL CHECK (via IN ('인증서', '승인비밀번호')),
    since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applications (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    bizno TEXT,
    service TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    applied_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mileage (
    id INTEGER PRIMARY KEY,
    bizno TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS flows (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    step INTEGER NOT NULL,
    member_id INTEGER REFERENCES members(id),
    data TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    subject TEXT NOT NULL CHECK (subject IN ('member', 'company')),
    member_id INTEGER REFERENCES members(id),
    bizno TEXT REFERENCES companies(bizno),
    login_method TEXT NOT NULL,
    company_authenticated_at TEXT,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS challenges (
    id TEXT PRIMARY KEY,
    nonce BLOB NOT NULL,
    created_at TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS throttle (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    started TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
"""


SCHEMA_TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))


class _SchemaTable(sqlite_utils.db.Table):
    def exists(self) -> bool:
        return self.name in SCHEMA_TABLES or super().exists()


class Store(sqlite_utils.Database):
    """sqlite-utils over our fixed schema. ``db["members"]`` normally asks sqlite_master whether the
    name is a view, and every insert asks whether the table exists: 23 of a login's 41 statements.
    The schema's tables are created when the store opens and there are no views, so for them the
    answers are known. (Table objects are still made per use: an insert keeps ``last_pk`` on its
    Table, which must not be shared between threads.)"""

    def __getitem__(self, table_name: str) -> sqlite_utils.db.Table | sqlite_utils.db.View:
        if table_name in SCHEMA_TABLES:
            return self.table(table_name)
        return super().__getitem__(table_name)

    def table(self, table_name: str, **kwargs: object) -> sqlite_utils.db.Table:
        if table_name not in SCHEMA_TABLES:
            return super().table(table_name, **kwargs)
        kwargs.setdefault("strict", self.strict)
        return _SchemaTable(self, table_name, **kwargs)  # type: ignore[arg-type]


def open_database(path: str | Path = ":memory:") -> sqlite_utils.Database:
    """Open (and create) the store: WAL, foreign keys, busy timeout, explicit transactions."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=5.0)
    conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(SCHEMA)
    return Store(conn)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception: all or nothing."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
