"""The filtered, paginated tip list of the admin view and its CSV export."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from db.audit import Page
from db.metrics import overdue, stamp
from db.models import Commune, Officer, Tip, TipEvent, TipStatus

CSV_COLUMNS = ("reference", "created_at", "channel", "category", "urgency", "commune_code",
               "commune", "province_code", "status", "valuable", "decision", "overdue",
               "dispatched_at", "acknowledged_at", "resolved_at", "closed_at", "same_case_as",
               "details")


@dataclass(frozen=True)
class TipFilter:
    """What the list shows: every field optional; `q` searches details (or is a reference)."""

    status: str = ""
    commune_code: int | None = None
    province_code: int | None = None
    category: str = ""
    channel: str = ""
    start: datetime | None = None
    end: datetime | None = None
    valuable: str = ""  # "yes", "no", "unset"
    overdue: bool = False
    q: str = ""

    def conditions(self, scope: ColumnElement[bool], now: datetime) -> list:
        """WHERE conditions inside a user's scope."""
        where = [scope]
        if self.status in {s.value for s in TipStatus}:
            where.append(Tip.status == TipStatus(self.status))
        for column, value in ((Tip.commune_code, self.commune_code),
                              (Tip.province_code, self.province_code),
                              (Tip.category, self.category or None),
                              (Tip.channel, self.channel or None)):
            if value is not None:
                where.append(column == value)
        if self.start is not None:
            where.append(Tip.created_at >= stamp(self.start))
        if self.end is not None:
            where.append(Tip.created_at < stamp(self.end))
        valuable = {"yes": Tip.valuable.is_(True), "no": Tip.valuable.is_(False),
                    "unset": Tip.valuable.is_(None)}.get(self.valuable)
        if valuable is not None:
            where.append(valuable)
        if self.overdue:
            where.append(overdue(now))
        words = self.q.strip()
        if words:
            like = Tip.details.ilike(f"%{_escape(words)}%", escape="\\")
            reference = "".join(words.split())
            where.append(or_(like, Tip.reference == reference) if reference.isdigit() else like)
        return where


def inert(text: str) -> str:
    """A reporter's words as a CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")[:100]


def page(session: Session, scope: ColumnElement[bool], filt: TipFilter, now: datetime,
         number: int = 1, per_page: int = 50) -> Page:
    """One page of (tip, commune name), newest first, and the number of matching tips."""
    where = filt.conditions(scope, now)
    total = session.execute(select(func.count(Tip.id)).where(*where)).scalar_one()
    rows = session.execute(
        select(Tip, Commune.name).outerjoin(Commune, Commune.code == Tip.commune_code)
        .where(*where).order_by(Tip.created_at.desc(), Tip.id.desc())
        .offset((number - 1) * per_page).limit(per_page)).all()
    return Page([tuple(r) for r in rows], total, number, per_page)


def export(session: Session, scope: ColumnElement[bool], filt: TipFilter, now: datetime,
           timezone) -> Iterator[str]:
    """The whole filtered list as CSV text, a chunk at a time (times in local time)."""
    where = filt.conditions(scope, now)
    case = aliased(Tip)  # the tip whose case a joined tip is (TRUNG)
    query = (select(Tip, Commune.name, case.reference)
             .outerjoin(Commune, Commune.code == Tip.commune_code)
             .outerjoin(case, case.id == Tip.duplicate_of_id)
             .where(*where).order_by(Tip.created_at.desc(), Tip.id.desc())
             .execution_options(yield_per=1000))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    local = lambda t: t.astimezone(timezone).strftime("%Y-%m-%d %H:%M:%S") if t else ""  # noqa: E731
    for n, (tip, name, case_reference) in enumerate(session.execute(query)):
        writer.writerow([
            tip.reference, local(tip.created_at), tip.channel, tip.category, tip.urgency.value,
            tip.commune_code or "", name or "", tip.province_code or "", tip.status.value,
            {True: "yes", False: "no"}.get(tip.valuable, ""), tip.decision or "",
            "yes" if tip.overdue else "", local(tip.dispatched_at), local(tip.acknowledged_at),
            local(tip.resolved_at), local(tip.closed_at), case_reference or "",
            inert(tip.details),
        ])
        if n % 500 == 499:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def find(session: Session, tip_id: int, lock: bool = False) -> Tip | None:
    """One tip by id (locked for an action)."""
    query = select(Tip).where(Tip.id == tip_id)
    return session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


def event_count(session: Session, tip_id: int) -> int:
    """How many events a tip's timeline has (an action that did something adds one)."""
    return session.execute(select(func.count(TipEvent.id)).where(TipEvent.tip_id == tip_id)
                           ).scalar_one()


def assignable(session: Session, tip: Tip, scope: ColumnElement[bool]) -> list[Officer]:
    """Active officers in scope a tip may be reassigned to: its commune's, and the desks."""
    return list(session.execute(
        select(Officer).where(Officer.active, scope)
        .where((Officer.commune_code == tip.commune_code) | (Officer.commune_code.is_(None)))
        .order_by(Officer.kind, Officer.priority, Officer.id).limit(50)).scalars())
