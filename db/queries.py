"""Read-only listings used by the CLI and the admin view."""

from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.models import Commune, Officer, OutboundMessage, Province, Tip, User
from db.session import reading


def officers(engine: Engine, commune_code: int | None = None) -> list[tuple[Officer, str | None]]:
    """Officers with their commune's name, desks first."""
    query = select(Officer, Commune.name).outerjoin(Commune, Commune.code == Officer.commune_code)
    if commune_code is not None:
        query = query.where(Officer.commune_code == commune_code)
    with reading(engine) as session:
        return [tuple(r) for r in session.execute(query.order_by(Officer.kind,
                                                                 Officer.commune_code))]


def outbox(engine: Engine, limit: int = 20) -> list[tuple[OutboundMessage, str | None]]:
    """The latest outbound messages with their tip's reference."""
    query = (select(OutboundMessage, Tip.reference)
             .outerjoin(Tip, Tip.id == OutboundMessage.tip_id)
             .order_by(OutboundMessage.id.desc()).limit(limit))
    with reading(engine) as session:
        return [tuple(r) for r in session.execute(query)]


def provinces(engine: Engine) -> list[Province]:
    """The 34 provinces by name."""
    with reading(engine) as session:
        return list(session.execute(select(Province).order_by(Province.name)).scalars())


def users(engine: Engine) -> list[User]:
    """Every web user, by role then e-mail."""
    with reading(engine) as session:
        return list(session.execute(select(User).order_by(User.role, User.email)).scalars())
