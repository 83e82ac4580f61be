"""Names of the RQ timers the database knows about, so any process can cancel them."""

from db.models import Tip


def escalation_id(tip: Tip) -> str:
    """The acknowledgement timer of a tip's current dispatch (RQ job id)."""
    return f"escalate-{tip.id}-{tip.dispatch_round}-{tip.escalation_level}"
