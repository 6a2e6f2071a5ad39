"""Real-name verification inside a flow: the site opens it, the member completes it at the
provider, and only the verification this flow opened is accepted back (bound to the request)."""

from __future__ import annotations

from datetime import date

from ..domain.errors import Refusal
from ..domain.model import REAL_NAME_METHODS
from .context import Context
from .ports import VerificationStart, VerifiedPerson

SIMPLE = "simple"


def begin(ctx: Context, data: dict, method: str, return_url: str) -> VerificationStart:
    """휴대전화 or 신용카드: open the verification; the member goes to ``auth_url``."""
    if method not in REAL_NAME_METHODS or method == SIMPLE:
        raise Refusal("verification_method_unknown", "휴대전화, 신용카드, 간편인증 중에서 선택해 주세요.")
    started = ctx.real_name.begin(method, return_url)
    data["verification"] = {"method": method, "id": started.id}
    return started


def request_simple(ctx: Context, data: dict, app: str, name: str, birth_date: date, phone: str) -> VerificationStart:
    """간편인증: the chosen app pushes a request to the member's phone."""
    if not name.strip() or not phone.strip():
        raise Refusal("simple_auth_input", "이름, 생년월일, 휴대폰번호를 모두 입력해 주세요.")
    started = ctx.real_name.request_simple(app, name.strip(), birth_date, phone.strip())
    data["verification"] = {"method": SIMPLE, "id": started.id}
    return started


def take(ctx: Context, data: dict, method: str, verification_id: str) -> VerifiedPerson:
    """The result of the verification this flow opened — never another one."""
    opened = data.get("verification")
    if opened is None or opened != {"method": method, "id": verification_id}:
        raise Refusal("verification_not_requested", "이 절차에서 요청한 본인인증이 아닙니다. 본인인증을 다시 진행해 주세요.")
    person = ctx.real_name.fetch_result(method, verification_id)
    del data["verification"]
    return person
