"""Delivery reports from any provider: applied forward-only; an undelivered dispatch re-routes."""

from db import delivery
from db.models import OutboundStatus
from db.session import transaction, utcnow
from gateway.services import Services
from workers.queues import undelivered_job


def apply_report(svc: Services, provider_id: str, status: OutboundStatus,
                 error: str | None = None) -> list:
    """Record one report in its own transaction; returns the jobs to enqueue after commit.

    A dispatch that ends undelivered or failed goes to the next officer (`undelivered_job`);
    a repeated or out-of-order report changes nothing and queues nothing.
    """
    with transaction(svc.engine) as session:
        msg = delivery.record(session, provider_id, status, utcnow(), error)
        reroute = (msg is not None and msg.purpose == "dispatch"
                   and status in delivery.NOT_DELIVERED)
        outbound_id = msg.id if msg is not None else None
    return [undelivered_job(outbound_id)] if reroute else []
