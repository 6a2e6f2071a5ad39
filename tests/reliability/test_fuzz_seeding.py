"""Issue 7 item 7: the simulator's only JSON endpoints — the declared seeding endpoint ``/_ti24/*`` of
a test-mode server — have no OpenAPI document, so hypothesis fuzzes them: any JSON (or not JSON at
all), and objects with the expected keys holding any values. Never a server error; every refusal is a
JSON ``{"code", "message"}`` with a Korean message.

Found and fixed on the way: a missing key, a wrong type, an unknown (구) role, a duplicate (구) ID,
a naive or malformed time, a clock set or moved outside the years a certificate can carry (0001 or
9999 crashed the rebuild of the providers) each answered 500.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.adapters.asgi_transport import SyncASGITransport
from ti24.testmode import SEED_PREFIX, TOKEN_HEADER, SimulatorUnderTest

EXAMPLES = int(os.environ.get("TI24_FUZZ_EXAMPLES", "60"))
HANGUL = re.compile("[가-힣]")
ORIGIN = "http://sut.test"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers() | finite | st.text(max_size=40) | st.sampled_from(
    ["2024-05-01T10:00:00+09:00", "2024-05-01T10:00:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00",
     "124-81-00998", "1248100998", "old_member1", "Trade-Invest24!", "개인회원", "기업회원", "기업관리자", "1e308"])
FIELDS = {
    "reset": ["now"],
    "clock": ["set", "advance_seconds"],
    "directory-companies": ["bizno", "name", "representative", "address"],
    "legacy-members": ["user_id", "password", "name", "email", "phone", "role", "bizno", "joined_at"],
}


def shaped(endpoint: str) -> st.SearchStrategy[object]:
    keys = FIELDS[endpoint]
    return st.fixed_dictionaries({}, optional={k: scalars for k in keys}) | json_values


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    sut = SimulatorUnderTest(ORIGIN, token="fuzz")
    with httpx.Client(transport=SyncASGITransport(sut, raise_app_exceptions=False), base_url=ORIGIN,
                      headers={TOKEN_HEADER: "fuzz"}) as http:
        yield http


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert HANGUL.search(response.json()["message"]), response.text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), endpoint=st.sampled_from(["clock", "directory-companies", "legacy-members"]))
def test_seeding_endpoint_never_fails(client: httpx.Client, data: st.DataObject, endpoint: str) -> None:
    body = data.draw(shaped(endpoint))
    _check(client.post(f"{SEED_PREFIX}/{endpoint}", json=body))


@settings(max_examples=max(5, EXAMPLES // 6), deadline=None, suppress_health_check=list(HealthCheck))
@given(body=shaped("reset") | st.binary(max_size=40))
def test_reset_never_fails(client: httpx.Client, body: object) -> None:
    """(Rarer: a valid reset rebuilds the whole embedded simulator and its providers.)"""
    sent = {"content": body} if isinstance(body, bytes) else {"json": body}
    _check(client.post(f"{SEED_PREFIX}/reset", **sent))  # type: ignore[arg-type]


@given(raw=st.binary(max_size=60))
@settings(max_examples=max(10, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck))
def test_bodies_that_are_not_json(client: httpx.Client, raw: bytes) -> None:
    for endpoint in ("clock", "directory-companies", "legacy-members"):
        _check(client.post(f"{SEED_PREFIX}/{endpoint}", content=raw))
