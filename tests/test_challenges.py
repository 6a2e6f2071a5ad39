"""Certificate challenges are fresh, single use, and spent even by a refused certificate."""

from datetime import timedelta

import pytest

from simulator.domain.errors import Refusal
from simulator.service_layer import certificates
from simulator.service_layer.context import unit_of_work
from simulator.service_layer.ports import PresentedCertificate
from ti24.embedded import build


@pytest.fixture
def ctx():  # type: ignore[no-untyped-def]
    return build().ctx


def test_a_challenge_cannot_be_replayed(ctx) -> None:  # type: ignore[no-untyped-def]
    challenge_id, nonce = certificates.issue_challenge(ctx)
    with unit_of_work(ctx):
        assert certificates.consume(ctx, challenge_id) == nonce
    with pytest.raises(Refusal) as refused, unit_of_work(ctx):
        certificates.consume(ctx, challenge_id)
    assert refused.value.code == "challenge_invalid"


def test_a_refused_certificate_spends_the_challenge(ctx) -> None:  # type: ignore[no-untyped-def]
    challenge_id, _ = certificates.issue_challenge(ctx)
    garbage = PresentedCertificate(b"not a certificate", b"", b"")
    with pytest.raises(Refusal) as first, unit_of_work(ctx):
        certificates.authenticate(ctx, "124-81-00998", challenge_id, garbage)
    assert first.value.code == "cert_invalid"
    with pytest.raises(Refusal) as second, unit_of_work(ctx):
        certificates.authenticate(ctx, "124-81-00998", challenge_id, garbage)
    assert second.value.code == "challenge_invalid"


def test_challenges_expire(ctx) -> None:  # type: ignore[no-untyped-def]
    challenge_id, _ = certificates.issue_challenge(ctx)
    ctx.clock.advance(timedelta(minutes=6))
    with pytest.raises(Refusal) as refused, unit_of_work(ctx):
        certificates.consume(ctx, challenge_id)
    assert refused.value.code == "challenge_expired"
