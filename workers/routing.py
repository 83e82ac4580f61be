"""Who should receive a tip: the commune's officers, then a duty desk; duty hours first."""

from datetime import time

from sqlalchemy import Integer, Row, and_, bindparam, or_, select

from db.models import Officer, OfficerKind, Tip
from db.roster import on_duty
from db.session import Unit

_OFFICERS = Officer.__table__
_O = _OFFICERS.c
# Built once (its compiled form is reused): a tip without a commune or province matches no
# commune officer or province desk, as `= NULL` matches nothing.
_CHAIN = (select(_OFFICERS).where(_O.active, or_(
    _O.kind == OfficerKind.NATIONAL_DESK,
    and_(_O.kind == OfficerKind.COMMUNE, _O.commune_code == bindparam("commune", type_=Integer)),
    and_(_O.kind == OfficerKind.PROVINCE_DESK,
         _O.province_code == bindparam("province", type_=Integer)),
)).order_by(_O.priority, _O.id))


def chain(session: Unit, tip: Tip | Row, local: time | None = None) -> list[Row]:
    """Who should get this tip, in order: the commune's officers (on duty first), then the
    province duty desk, or the national desk where the province has none (one query).

    Past the end of the chain an unacknowledged tip is marked overdue for the supervisor.
    The officers are read-only rows (a Core query: no objects to track).
    """
    found = session.execute(_CHAIN, {"commune": tip.commune_code,
                                     "province": tip.province_code}).all()
    by_kind = {kind: [o for o in found if o.kind == kind] for kind in OfficerKind}
    commune = by_kind[OfficerKind.COMMUNE]
    if local is not None:
        commune = sorted(commune, key=lambda o: not on_duty(o, local))
    return commune + (by_kind[OfficerKind.PROVINCE_DESK] or by_kind[OfficerKind.NATIONAL_DESK])


def choose(session: Unit, tip: Tip | Row, tried: set[int], local: time | None = None
           ) -> Row | None:
    """The first officer in the tip's chain who has not had it yet, or None past the end."""
    return next((o for o in chain(session, tip, local) if o.id not in tried), None)
