"""Delivery reports only move a message forward; repeats and late reports change nothing."""

from db import delivery
from db.models import OutboundMessage, OutboundStatus
from db.session import transaction, utcnow
from tests.helpers import rows, run_worker, sms


def _sent_dispatch(client, settings, rt) -> OutboundMessage:
    sms(client, settings, "TIN 15865 trom bo")
    run_worker(rt.redis)
    return next(m for m in rows(rt.engine, OutboundMessage) if m.purpose == "dispatch")


def test_statuses_move_forward_only(client, settings, rt):
    msg = _sent_dispatch(client, settings, rt)
    seen = []
    for status in ("queued", "sending", "delivered", "sent", "delivered", "failed"):
        with transaction(rt.engine) as session:
            changed = delivery.record(session, msg.provider_id, delivery.TWILIO[status], utcnow(),
                                      "30003")
            seen.append(changed.status.value if changed else None)
    assert seen == [None, None, "delivered", None, None, None]
    assert rows(rt.engine, OutboundMessage, OutboundMessage.id == msg.id)[0].status == \
        OutboundStatus.DELIVERED


def test_an_unknown_provider_id_is_ignored(rt):
    with transaction(rt.engine) as session:
        assert delivery.record(session, "SMnope", OutboundStatus.FAILED, utcnow()) is None
