"""Duty hours, and the roster of officers the admin view lists and edits."""

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import Session

from db.audit import Page
from db.models import Commune, Officer, OfficerKind
from flows.directory import name_key
from flows.text import number as as_number  # `number` is a page number here


def on_duty(officer: Officer, local: time) -> bool:
    """Whether local time falls in the officer's duty hours (no hours: always on duty)."""
    if not officer.duty_start or not officer.duty_end:
        return True
    start, end = time.fromisoformat(officer.duty_start), time.fromisoformat(officer.duty_end)
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # a night shift across midnight


@dataclass(frozen=True)
class Entry:
    """One officer as the roster shows it."""

    officer: Officer
    commune: str | None
    on_duty: bool


def officers(session: Session, scope: ColumnElement[bool], local: datetime, q: str = "",
             number: int = 1, per_page: int = 50) -> Page:
    """Officers in scope, by commune then priority, with whether they are on duty now."""
    where = [scope]
    words, code = q.strip(), as_number(q)
    if code is not None:
        where.append(or_(Officer.commune_code == code, Officer.province_code == code))
    elif words:
        where.append(or_(Officer.name.ilike(f"%{words[:60]}%"),
                         Commune.search_name.like(f"%{name_key(words)[:60]}%")))
    base = select(Officer, Commune.name).outerjoin(Commune, Commune.code == Officer.commune_code)
    total = session.execute(select(func.count()).select_from(base.where(*where).subquery())
                            ).scalar_one()
    rows = session.execute(
        base.where(*where).order_by(Officer.kind != OfficerKind.COMMUNE, Officer.commune_code,
                                    Officer.priority, Officer.id)
        .offset((number - 1) * per_page).limit(per_page)).all()
    now = local.time()
    return Page([Entry(o, name, o.active and on_duty(o, now)) for o, name in rows], total,
                number, per_page)


def communes(session: Session, scope: ColumnElement[bool], q: str = "", number: int = 1,
             per_page: int = 50) -> Page:
    """Communes in scope found by GSO code or by name typed without diacritics, with the
    number of active officers each has."""
    where = [scope]
    words, code = q.strip(), as_number(q)
    if code is not None:
        where.append(Commune.code == code)
    elif words:
        where.append(Commune.search_name.like(f"%{name_key(words)[:60]}%"))
    total = session.execute(select(func.count(Commune.code)).where(*where)).scalar_one()
    active = (select(func.count(Officer.id)).where(Officer.commune_code == Commune.code,
                                                   Officer.active).scalar_subquery())
    rows = session.execute(select(Commune, active).where(*where).order_by(Commune.code)
                           .offset((number - 1) * per_page).limit(per_page)).all()
    return Page([tuple(r) for r in rows], total, number, per_page)
