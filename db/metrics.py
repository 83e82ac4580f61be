"""Period figures for the dashboard and the CSV report (one function, so both always agree):
tips received, valuable, processed; median and 90th percentile response times; SLA breaches
and overdue tips; tips per day and the spread of time to acknowledge.

Times run from the tip's arrival (created_at) to its first dispatch, to its acknowledgement
(an officer's OK, or XONG without OK) and to its resolution. A transferred tip counts for the
commune it ended with. An SLA breach is a dispatch not acknowledged within the category's SLA.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, tuple_
from sqlalchemy import DateTime as SaDateTime
from sqlmodel import Session

from db.actions import OPEN, SETTLED
from db.models import Commune, Officer, Tip, Urgency
from db.settings import Settings

STAGES = ("dispatch", "ack", "resolve")
QUANTILES = (0.5, 0.9)
ACK_BUCKETS = ((300, "< 5 min"), (900, "5-15 min"), (1800, "15-30 min"), (3600, "30-60 min"),
               (4 * 3600, "1-4 h"), (24 * 3600, "4-24 h"), (None, "> 24 h"))


@dataclass(frozen=True)
class Period:
    """Tips created in [start, end), optionally of one province or commune."""

    start: datetime
    end: datetime
    province_code: int | None = None
    commune_code: int | None = None


@dataclass
class Figures:
    """The figures of one group of tips: all of them, a commune, an officer, a category."""

    key: object = None
    label: str = ""
    received: int = 0
    valuable: int = 0
    processed: int = 0
    overdue: int = 0
    breaches: int = 0
    times: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


@dataclass
class Report:
    """Everything the dashboard shows for a period."""

    period: Period
    total: Figures
    channels: list[Figures]
    categories: list[Figures]
    communes: list[Figures]
    officers: list[Figures]
    days: list[tuple[date, int]]
    ack_spread: list[tuple[str, int]]


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def seconds(dialect: str, later, earlier) -> ColumnElement:
    """Seconds from `earlier` to `later` in SQL (NULL when either is NULL)."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    # julianday() is a double of days: ~30 microseconds of noise, so round to milliseconds
    # (else a 300-second wait can land on either side of a 5-minute boundary).
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)


def overdue(now: datetime) -> ColumnElement[bool]:
    """Overdue: nobody acknowledged it along the whole chain, or open past its legal deadline."""
    return or_(Tip.overdue.is_(True),
               and_(Tip.status.in_(OPEN), Tip.legal_deadline_at < stamp(now)))


def breach(dialect: str, settings: Settings, now: datetime) -> ColumnElement[bool]:
    """Dispatched, and acknowledged later than its SLA (or not yet, and the SLA is past)."""
    sla = case((Tip.urgency == Urgency.URGENT, settings.sla_seconds["urgent"]),
               else_=settings.sla_seconds["normal"])
    by_category = [(Tip.category == c, s) for c, s in settings.sla_seconds.items()
                   if c not in ("urgent", "normal") and s]
    if by_category:
        sla = case(*by_category, else_=sla)
    waited = seconds(dialect, func.coalesce(Tip.acknowledged_at, stamp(now)), Tip.dispatched_at)
    return and_(Tip.dispatched_at.is_not(None), waited > sla)


def within(period: Period, scope: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a period inside a user's scope."""
    where = [scope, Tip.created_at >= stamp(period.start), Tip.created_at < stamp(period.end)]
    if period.province_code is not None:
        where.append(Tip.province_code == period.province_code)
    if period.commune_code is not None:
        where.append(Tip.commune_code == period.commune_code)
    return where


def report(session: Session, settings: Settings, scope: ColumnElement[bool], period: Period,
           now: datetime) -> Report:
    """Every figure of a period: aggregated in SQL on PostgreSQL, in one scan on SQLite."""
    dialect = session.get_bind().dialect.name
    where = within(period, scope)
    if dialect == "postgresql":
        groups, spread = _in_sql(session, settings, where, now), ack_spread(session, dialect,
                                                                            where)
    else:
        from db.metrics_scan import scan

        groups, spread = scan(session, settings, where, now)
    _label(session, groups["commune"], Commune.code, Commune.name)
    _label(session, groups["officer"], Officer.id, Officer.name)
    return Report(
        period, groups["total"].get(None, Figures()),
        channels=_ranked(groups["channel"]), categories=_ranked(groups["category"]),
        communes=_ranked(groups["commune"]), officers=_ranked(groups["officer"]),
        days=days(session, dialect, settings.timezone, where, period), ack_spread=spread,
    )


def _in_sql(session: Session, settings: Settings, where: list, now: datetime) -> dict:
    """{grouping: {key: Figures}}: counts in one GROUPING SETS scan, then percentile_cont
    per total, commune and officer (percentiles over every grouping set cost more)."""
    columns = {"commune": Tip.commune_code, "officer": Tip.officer_id, "channel": Tip.channel,
               "category": Tip.category}
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    query = select(
        func.grouping(*columns.values()), *columns.values(), func.count(Tip.id),
        one(Tip.valuable.is_(True)), one(Tip.status.in_(SETTLED)), one(overdue(now)),
        one(breach("postgresql", settings, now)),
    ).where(*where).group_by(func.grouping_sets(tuple_(), *[tuple_(c) for c in columns.values()]))
    # GROUPING() sets a bit for every column a row is not grouped by (first column: bit 3).
    sets = {15: ("total", None)} | {15 - (8 >> i): (name, i) for i, name in enumerate(columns)}
    groups: dict[str, dict] = {name: {} for name in ("total", *columns)}
    for mask, *values in session.execute(query):
        name, index = sets[mask]
        key = values[index] if index is not None else None
        if values[4]:
            groups[name][key] = Figures(key, str(key or ""), *[int(n or 0) for n in values[4:]])
    for name, column in (("total", None), ("commune", Tip.commune_code),
                         ("officer", Tip.officer_id)):
        _percentiles(session, where, column, groups[name])
    return groups


def _percentiles(session: Session, where: list, column, groups: dict) -> None:
    """Median and p90 of each stage, per group, into the groups' Figures (PostgreSQL)."""
    exprs = [seconds("postgresql", end, Tip.created_at)
             for end in (Tip.dispatched_at, Tip.acknowledged_at, Tip.resolved_at)]
    keys = [column] if column is not None else []
    query = select(*keys, *[func.percentile_cont(q).within_group(e)
                            for e in exprs for q in QUANTILES]).where(*where)
    for row in session.execute(query.group_by(*keys) if keys else query):
        key = row[0] if keys else None
        values = [float(v) if v is not None else None for v in row[len(keys):]]
        if key in groups:
            groups[key].times = {s: (values[2 * i], values[2 * i + 1])
                                 for i, s in enumerate(STAGES)}


def _label(session: Session, groups: dict, key_column, name_column) -> None:
    codes = [k for k in groups if k is not None]
    if codes:
        for key, name in session.execute(select(key_column, name_column)
                                         .where(key_column.in_(codes))):
            groups[key].label = name


def _ranked(groups: dict) -> list[Figures]:
    return sorted(groups.values(), key=lambda f: (-f.received, str(f.key)))


def days(session: Session, dialect: str, timezone: str, where: list,
         period: Period) -> list[tuple[date, int]]:
    """Tips received per local day of the period, days without tips included."""
    zone = ZoneInfo(timezone)
    if dialect == "postgresql":
        day = func.date(func.timezone(timezone, Tip.created_at))
    else:
        offset = period.end.astimezone(zone).utcoffset() or timedelta()
        day = func.date(Tip.created_at, f"{int(offset.total_seconds()):+d} seconds")
    found = {str(d): n for d, n in session.execute(
        select(day, func.count(Tip.id)).where(*where).group_by(day))}
    first = period.start.astimezone(zone).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(zone).date()
    span = range((last - first).days + 1)
    return [(d, found.get(d.isoformat(), 0)) for d in (first + timedelta(n) for n in span)]


def ack_spread(session: Session, dialect: str, where: list) -> list[tuple[str, int]]:
    """How many tips were acknowledged within each time band; last, those not yet."""
    waited = seconds(dialect, Tip.acknowledged_at, Tip.created_at)
    bands, low = [], None
    for high, _ in ACK_BUCKETS:
        cond = [Tip.acknowledged_at.is_not(None)]
        cond += [waited >= low] if low is not None else []
        cond += [waited < high] if high is not None else []
        bands.append(func.sum(case((and_(*cond), 1), else_=0)))
        low = high
    bands.append(func.sum(case((Tip.acknowledged_at.is_(None), 1), else_=0)))
    row = session.execute(select(*bands).where(*where)).one()
    labels = [label for _, label in ACK_BUCKETS] + ["-"]
    return [(label, int(n or 0)) for label, n in zip(labels, row, strict=True)]


def stamp(moment: datetime):
    """A UTC timestamp parameter typed like the columns it is compared with (SQLite keeps
    naive UTC text, so an aware local time must be converted first)."""
    return literal(moment.astimezone(UTC), SaDateTime(timezone=True))
