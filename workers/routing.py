"""Who should receive a tip: the commune's officers, then a duty desk; duty hours first."""

from datetime import time

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from db.models import Officer, OfficerKind, Tip
from db.roster import on_duty


def chain(session: Session, tip: Tip, local: time | None = None) -> list[Officer]:
    """Who should get this tip, in order: the commune's officers (on duty first), then the
    province duty desk, or the national desk where the province has none (one query).

    Past the end of the chain an unacknowledged tip is marked overdue for the supervisor.
    """
    wanted = [Officer.kind == OfficerKind.NATIONAL_DESK]
    if tip.commune_code is not None:
        wanted.append(and_(Officer.kind == OfficerKind.COMMUNE,
                           Officer.commune_code == tip.commune_code))
    if tip.province_code is not None:
        wanted.append(and_(Officer.kind == OfficerKind.PROVINCE_DESK,
                           Officer.province_code == tip.province_code))
    found = session.execute(select(Officer).where(Officer.active, or_(*wanted))
                            .order_by(Officer.priority, Officer.id)).scalars().all()
    by_kind = {kind: [o for o in found if o.kind == kind] for kind in OfficerKind}
    commune = by_kind[OfficerKind.COMMUNE]
    if local is not None:
        commune = sorted(commune, key=lambda o: not on_duty(o, local))
    return commune + (by_kind[OfficerKind.PROVINCE_DESK] or by_kind[OfficerKind.NATIONAL_DESK])


def choose(session: Session, tip: Tip, tried: set[int], local: time | None = None
           ) -> Officer | None:
    """The first officer in the tip's chain who has not had it yet, or None past the end."""
    return next((o for o in chain(session, tip, local) if o.id not in tried), None)
