"""What every service needs: the store, the clock, hashing and the provider ports."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlite_utils

from ..adapters.hashing import Hasher
from ..adapters.store import transaction
from ..domain import throttle
from ..domain.entitlements import scheme_on
from ..domain.errors import Refusal
from ..domain.model import Kind, LegacyRole, Member, Status, Via
from .ports import BusinessStatusLookup, CertificateVerifier, RealNameVerification, SnsLogin

# Where the current request comes from, set by the web layer around each service call: the
# browser's stable id (``browser``), the page path (``path``), the login token (``token``) and,
# in sandbox mode, the trainee (``trainee``, set by ti24/sandbox.py around the whole request).
# Audit rows carry the browser and trainee ids so a trainer can follow one trainee.
REQUEST_ORIGIN: ContextVar[dict[str, str] | None] = ContextVar("ti24_request_origin", default=None)


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass
class Context:
    db: sqlite_utils.Database
    hasher: Hasher
    clock: Clock
    real_name: RealNameVerification
    sns: SnsLogin
    business_status: BusinessStatusLookup
    certificates: CertificateVerifier

    def now(self) -> datetime:
        return self.clock.now()

    def stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def scheme(self) -> str:
        return scheme_on(self.now().date())

    def audit(self, actor: str, action: str, target: str = "", **detail: Any) -> None:
        origin = REQUEST_ORIGIN.get() or {}
        for key in ("browser", "trainee"):  # the trainee: a sandbox browser (ti24/sandbox.py)
            if origin.get(key):
                detail.setdefault(key, origin[key])
        self.db["audit_log"].insert(
            {"at": self.stamp(), "actor": actor, "action": action, "target": target,
             "detail": json.dumps(detail, ensure_ascii=False, default=str)}
        )


class FailedAttempt(Refusal):
    """A refusal that must still leave a trace: the failure counter in ``table``.``column``
    for row ``key`` goes up (and each limit in ``hits`` counts one attempt for its key) even
    though everything else the request wrote is rolled back."""

    def __init__(self, code: str, message: str, *, table: str | None = None, key: str = "", value: object = None,
                 column: str = "", hits: tuple[tuple[throttle.Limit, str], ...] = ()) -> None:
        super().__init__(code, message)
        self.table, self.key, self.value, self.column = table, key, value, column
        self.hits = hits


class Throttled(Refusal):
    """Too many attempts in a limit's window."""

    def __init__(self, limit: throttle.Limit) -> None:
        super().__init__("too_many_attempts",
                         f"시도 횟수를 초과했습니다. 잠시 후(최대 {limit.minutes}분) 다시 시도해 주세요.")
        self.limit = limit


@contextmanager
def unit_of_work(ctx: Context) -> Iterator[None]:
    """One transaction per request: all or nothing, except failure counters and the audit
    row of the refusal itself (every refusal is recorded here, in one place)."""
    try:
        with transaction(ctx.db):
            yield
    except FailedAttempt as failed:
        with transaction(ctx.db):
            if failed.table:
                ctx.db.execute(
                    f"UPDATE {failed.table} SET {failed.column} = {failed.column} + 1 WHERE {failed.key} = ?",
                    [failed.value],
                )
            for limit, key in failed.hits:
                count_attempt(ctx, limit, key)
            target = f"{failed.table}:{failed.value}" if failed.table else ",".join(limit.name for limit, _ in failed.hits)
            ctx.audit("system", "failed_attempt", target, code=failed.code)
            _record_refusal(ctx, failed)
        raise
    except Refusal as refusal:
        with transaction(ctx.db):
            _record_refusal(ctx, refusal)
        raise


def _record_refusal(ctx: Context, refusal: Refusal) -> None:
    """Audit row ``refused`` (target: the refusal code) by whoever made the request."""
    origin = REQUEST_ORIGIN.get() or {}
    actor = "anonymous"
    row = next(ctx.db["sessions"].rows_where("token = ?", [origin.get("token") or ""]), None)
    if row is not None:
        actor = f"member:{row['member_id']}" if row["subject"] == "member" else f"company:{row['bizno']}"
    ctx.audit(actor, "refused", refusal.code, message=refusal.message, path=origin.get("path", ""))


# --- attempt limits (per client address, per target, per person) -------------------------------

def _bucket_key(key: str) -> str:
    # addresses, names and phone numbers are kept only as digests
    return hashlib.sha256(key.encode()).hexdigest()


def _window(ctx: Context, limit: throttle.Limit, key: str) -> throttle.Window | None:
    row = next(ctx.db["throttle"].rows_where("bucket = ? AND key = ?", [limit.name, _bucket_key(key)]), None)
    return throttle.Window(datetime.fromisoformat(row["started"]), row["count"]) if row else None


def within_limit(ctx: Context, limit: throttle.Limit, key: str) -> bool:
    return throttle.allows(_window(ctx, limit, key), ctx.now(), limit)


def count_attempt(ctx: Context, limit: throttle.Limit, key: str) -> None:
    """Count one attempt (inside the caller's transaction)."""
    window = throttle.after_attempt(_window(ctx, limit, key), ctx.now(), limit)
    ctx.db["throttle"].upsert({"bucket": limit.name, "key": _bucket_key(key),
                               "started": window.started.isoformat(timespec="seconds"), "count": window.count},
                              pk=("bucket", "key"))


def admit(ctx: Context, limit: throttle.Limit, key: str) -> None:
    """Count one attempt in its own transaction, or refuse once the limit is reached.
    Call it before (never inside) the request's unit of work: the count must stay."""
    with transaction(ctx.db):
        allowed = within_limit(ctx, limit, key)
        if allowed:
            count_attempt(ctx, limit, key)
        else:
            ctx.audit("system", "throttled", limit.name)
    if not allowed:
        raise Throttled(limit)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def member_from_row(db: sqlite_utils.Database, row: dict) -> Member:
    aff = next(db["affiliations"].rows_where("member_id = ?", [row["id"]]), None)
    return Member(
        id=row["id"],
        kind=Kind(row["kind"]),
        name=row["name"],
        status=Status(row["status"]),
        joined_at=datetime.fromisoformat(row["joined_at"]),
        user_id=row["user_id"],
        sns_channel=row["sns_channel"],
        company=aff["bizno"] if aff else None,
        via=Via(aff["via"]) if aff else None,
        legacy_role=LegacyRole(row["legacy_role"]) if row["legacy_role"] else None,
        legacy_company=row["legacy_company"],
        interests=json.loads(row["interests"] or "{}"),
    )


def load_member(db: sqlite_utils.Database, member_id: int) -> Member:
    return member_from_row(db, db["members"].get(member_id))


SESSION_LIFETIME = timedelta(hours=24)  # absolute (ASVS 7.3.2; NIST AAL2 re-authentication)
SESSION_IDLE = timedelta(hours=1)
FLOW_LIFETIME = timedelta(minutes=30)


def live_session(ctx: Context, token: str | None) -> dict | None:
    """The session behind ``token`` unless it is unknown, idle too long or too old."""
    row = next(ctx.db["sessions"].rows_where("token = ?", [token or ""]), None)
    if row is None:
        return None
    now = ctx.now()
    if now - datetime.fromisoformat(row["created_at"]) > SESSION_LIFETIME or \
            now - datetime.fromisoformat(row["last_seen_at"]) > SESSION_IDLE:
        return None
    ctx.db["sessions"].update(row["token"], {"last_seen_at": ctx.stamp()})
    return row


def session_row(ctx: Context, token: str | None, subject: str) -> dict:
    row = live_session(ctx, token)
    if row is None or row["subject"] != subject:
        if subject == "company":
            raise Refusal("company_login_required", "기업정보 관리자로 로그인해 주세요.")
        raise Refusal("login_required", "로그인이 필요합니다.")
    return row


def member_of(ctx: Context, token: str | None) -> Member:
    return load_member(ctx.db, session_row(ctx, token, "member")["member_id"])


def flow_row(ctx: Context, flow_id: str, kind: str) -> dict:
    row = next(ctx.db["flows"].rows_where("id = ? AND kind = ?", [flow_id, kind]), None)
    if row is None or ctx.now() - datetime.fromisoformat(row["created_at"]) > FLOW_LIFETIME:
        raise Refusal("flow_unknown", "진행 중인 절차가 없거나 만료되었습니다. 처음부터 다시 진행해 주세요.")
    row["data"] = json.loads(row["data"])
    return row


def save_flow(ctx: Context, flow_id: str, step: int, data: dict, member_id: int | None = None) -> None:
    ctx.db["flows"].update(
        flow_id,
        {"step": step, "data": json.dumps(data, ensure_ascii=False, default=str),
         **({"member_id": member_id} if member_id is not None else {})},
    )


def start_flow(ctx: Context, kind: str, data: dict | None = None, member_id: int | None = None) -> str:
    flow_id = new_token()
    ctx.db["flows"].insert(
        {"id": flow_id, "kind": kind, "step": 1, "member_id": member_id,
         "data": json.dumps(data or {}, ensure_ascii=False, default=str), "created_at": ctx.stamp()}
    )
    return flow_id
