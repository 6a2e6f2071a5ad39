"""Member kinds of both schemes, and how a member maps onto a matrix column."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .entitlements import LEGACY, NEW


class Kind(StrEnum):
    GENERAL = "일반회원"
    SIMPLE = "간편회원"


class Via(StrEnum):
    """How a 일반회원 proved membership of the 소속기업."""

    CERTIFICATE = "인증서"
    APPROVAL_PASSWORD = "승인비밀번호"


class LegacyRole(StrEnum):
    """(구) scheme classes."""

    MASTER = "MASTER"
    REGULAR = "정회원"
    ASSOCIATE = "준회원"
    INDIVIDUAL = "개인회원"


class Status(StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"
    LEGACY = "legacy"  # (구) account not yet converted to the new scheme


SNS_CHANNELS = {"kakao": "카카오", "naver": "네이버", "google": "구글", "facebook": "페이스북"}
REAL_NAME_METHODS = {"simple": "간편인증", "phone": "휴대전화 본인인증", "card": "신용카드 인증"}


@dataclass
class Member:
    id: int
    kind: Kind
    name: str
    status: Status
    joined_at: datetime
    user_id: str | None = None
    sns_channel: str | None = None
    company: str | None = None  # bizno of the 소속기업
    via: Via | None = None
    legacy_role: LegacyRole | None = None
    legacy_company: str | None = None
    interests: dict[str, list[str]] = field(default_factory=dict)

    @property
    def type_label(self) -> str:
        """What the menu shows as 회원유형."""
        if self.kind is Kind.SIMPLE:
            return "간편회원"
        return "기업소속 일반회원" if self.company else "일반회원"

    @property
    def channel_label(self) -> str:
        """What the menu shows as 가입채널."""
        if self.kind is Kind.SIMPLE and self.sns_channel:
            return SNS_CHANNELS[self.sns_channel]
        return "KOTRA 무역투자24"


def column(member: Member, scheme: str) -> str:
    """The matrix column a member falls in under ``scheme``."""
    if scheme == NEW:
        if member.kind is Kind.SIMPLE:
            return "간편회원"
        if member.company is None:
            return "소속기업없음"
        return "인증서소속" if member.via is Via.CERTIFICATE else "승인비밀번호소속"
    if scheme == LEGACY:
        return (member.legacy_role or LegacyRole.INDIVIDUAL).value
    raise ValueError(scheme)

