"""Officer-side fixtures and helpers shared by the officer SMS tests."""

import pytest

from db.models import Officer, Tip
from tests.helpers import reply_of, rows, run_worker, sms


def officer_of(engine, commune: int) -> Officer:
    """The first demo officer of a commune."""
    return rows(engine, Officer, Officer.commune_code == commune)[0]


def officer_says(client, settings, rt, text: str, commune: int = 15865) -> str:
    """An SMS from that commune's officer; returns the reply."""
    return reply_of(sms(client, settings, text, sender=officer_of(rt.engine, commune).phone))


@pytest.fixture
def tip(client, settings, rt) -> Tip:
    """A dispatched tip for Xa Hoang Hoa (15865)."""
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    run_worker(rt.redis)
    return rows(rt.engine, Tip)[0]
