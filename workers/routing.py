"""Who should receive a tip: the commune's officers, then a duty desk; duty hours first."""

from datetime import time

from sqlalchemy import select
from sqlmodel import Session

from db.models import Officer, OfficerKind, Tip
from db.roster import on_duty


def chain(session: Session, tip: Tip, local: time | None = None) -> list[Officer]:
    """Who should get this tip, in order: the commune's officers (on duty first), then the
    province duty desk, or the national desk where the province has none.

    Past the end of the chain an unacknowledged tip is marked overdue for the supervisor.
    """
    officers: list[Officer] = []
    if tip.commune_code is not None:
        commune = _active(session, OfficerKind.COMMUNE, Officer.commune_code == tip.commune_code)
        officers += sorted(commune, key=lambda o: not on_duty(o, local)) if local else commune
    desks = []
    if tip.province_code is not None:
        desks = _active(session, OfficerKind.PROVINCE_DESK,
                        Officer.province_code == tip.province_code)
    return officers + (desks or _active(session, OfficerKind.NATIONAL_DESK))


def _active(session: Session, kind: OfficerKind, *where) -> list[Officer]:
    query = select(Officer).where(Officer.kind == kind, Officer.active, *where)
    return list(session.execute(query.order_by(Officer.priority, Officer.id)).scalars())


def choose(session: Session, tip: Tip, tried: set[int], local: time | None = None
           ) -> Officer | None:
    """The first officer in the tip's chain who has not had it yet, or None past the end."""
    return next((o for o in chain(session, tip, local) if o.id not in tried), None)
