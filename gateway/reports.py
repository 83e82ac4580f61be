"""Delivery reports from any provider: applied forward-only; an undelivered dispatch re-routes."""

from db import delivery
from db.models import OutboundStatus
from db.session import statements, utcnow
from gateway.services import Services
from workers.queues import undelivered_job


def apply_report(svc: Services, status: OutboundStatus, error: str | None = None, *,
                 provider_id: str | None = None, outbound_id: int | None = None) -> list:
    """Record one report (by the provider's id or ours); returns the jobs to enqueue after commit.

    A dispatch that ends undelivered or failed goes to the next officer (`undelivered_job`);
    a repeated or out-of-order report changes nothing and queues nothing.
    """
    now = utcnow()
    with statements(svc.engine) as session:
        if outbound_id is not None:
            msg = delivery.record_outbound(session, outbound_id, status, now, error)
        else:
            msg = delivery.record(session, provider_id or "", status, now, error)
        reroute = (msg is not None and msg.purpose == "dispatch"
                   and status in delivery.NOT_DELIVERED)
        outbound_id = msg.id if msg is not None else None
    return [undelivered_job(outbound_id)] if reroute else []
