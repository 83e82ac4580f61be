"""Who should receive a tip: the commune's officers, then the province desk, then the nation's."""

from sqlalchemy import select
from sqlmodel import Session

from db.models import Officer, OfficerKind, Tip


def chain(session: Session, tip: Tip) -> list[Officer]:
    """Everyone who may receive this tip, in the order they should get it."""
    officers: list[Officer] = []
    if tip.commune_code is not None:
        officers += _active(session, OfficerKind.COMMUNE, Officer.commune_code == tip.commune_code)
    if tip.province_code is not None:
        officers += _active(session, OfficerKind.PROVINCE_DESK,
                            Officer.province_code == tip.province_code)
    return officers + _active(session, OfficerKind.NATIONAL_DESK)


def _active(session: Session, kind: OfficerKind, *where) -> list[Officer]:
    query = select(Officer).where(Officer.kind == kind, Officer.active, *where)
    return list(session.execute(query.order_by(Officer.priority, Officer.id)).scalars())


def choose(session: Session, tip: Tip, level: int = 0) -> Officer | None:
    """The recipient at escalation `level` (0 = first choice), or None past the end."""
    candidates = chain(session, tip)
    return candidates[level] if level < len(candidates) else None
