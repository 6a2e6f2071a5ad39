"""Certificate ceremonies: a single-use challenge, then verification of the signed answer."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from ..domain import bizno as bizno_rules
from ..domain.errors import Refusal
from .context import Context, FailedAttempt, new_token, unit_of_work
from .ports import CertificateFacts, PresentedCertificate

CHALLENGE_TTL = timedelta(minutes=5)


def issue_challenge(ctx: Context) -> tuple[str, bytes]:
    """A fresh nonce the certificate plug-in must sign."""
    challenge_id, nonce = new_token(), secrets.token_bytes(32)
    with unit_of_work(ctx):
        ctx.db["challenges"].insert({"id": challenge_id, "nonce": nonce, "created_at": ctx.stamp()})
    return challenge_id, nonce


def consume(ctx: Context, challenge_id: str) -> bytes:
    """Mark the challenge used; must run inside the caller's transaction."""
    row = next(ctx.db["challenges"].rows_where("id = ?", [challenge_id]), None)
    if row is None or row["used"]:
        raise Refusal("challenge_invalid", "인증 요청이 유효하지 않습니다. [기업인증하기]를 다시 눌러 주세요.")
    if ctx.now() - datetime.fromisoformat(row["created_at"]) > CHALLENGE_TTL:
        raise Refusal("challenge_expired", "인증 요청 시간이 지났습니다. 다시 시도해 주세요.")
    ctx.db["challenges"].update(challenge_id, {"used": 1})
    return row["nonce"]


def authenticate(ctx: Context, bizno: str, challenge_id: str, presented: PresentedCertificate) -> CertificateFacts:
    """Verify a 기업 범용인증서 for ``bizno``; must run inside the caller's unit of work.
    The challenge is spent even when the certificate is refused (no second try with it)."""
    nonce = consume(ctx, challenge_id)
    try:
        return ctx.certificates.verify(presented, nonce, bizno_rules.parse(bizno), ctx.now())
    except Refusal as refused:
        raise FailedAttempt(refused.code, refused.message, table="challenges", key="id", value=challenge_id,
                            column="used") from refused
