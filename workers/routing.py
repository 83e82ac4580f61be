"""Who should receive a tip: the commune's officers, then a duty desk; duty hours first."""

from datetime import time

from sqlalchemy import Row, and_, or_, select
from sqlmodel import Session

from db.models import Officer, OfficerKind, Tip
from db.roster import on_duty

_OFFICERS = Officer.__table__


def chain(session: Session, tip: Tip | Row, local: time | None = None) -> list[Row]:
    """Who should get this tip, in order: the commune's officers (on duty first), then the
    province duty desk, or the national desk where the province has none (one query).

    Past the end of the chain an unacknowledged tip is marked overdue for the supervisor.
    The officers are read-only rows (a Core query: no objects to track).
    """
    officer = _OFFICERS.c
    wanted = [officer.kind == OfficerKind.NATIONAL_DESK]
    if tip.commune_code is not None:
        wanted.append(and_(officer.kind == OfficerKind.COMMUNE,
                           officer.commune_code == tip.commune_code))
    if tip.province_code is not None:
        wanted.append(and_(officer.kind == OfficerKind.PROVINCE_DESK,
                           officer.province_code == tip.province_code))
    found = session.execute(select(_OFFICERS).where(officer.active, or_(*wanted))
                            .order_by(officer.priority, officer.id)).all()
    by_kind = {kind: [o for o in found if o.kind == kind] for kind in OfficerKind}
    commune = by_kind[OfficerKind.COMMUNE]
    if local is not None:
        commune = sorted(commune, key=lambda o: not on_duty(o, local))
    return commune + (by_kind[OfficerKind.PROVINCE_DESK] or by_kind[OfficerKind.NATIONAL_DESK])


def choose(session: Session, tip: Tip | Row, tried: set[int], local: time | None = None
           ) -> Row | None:
    """The first officer in the tip's chain who has not had it yet, or None past the end."""
    return next((o for o in chain(session, tip, local) if o.id not in tried), None)
