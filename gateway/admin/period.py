"""Reading a period and a place from query arguments (dates are local days, inclusive)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import request
from flask_login import current_user

from db import metrics
from db.metrics import Period
from db.session import reading
from flows.text import number
from gateway.services import services

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Chosen:
    """The period as the user chose it (for the form) and as the queries need it."""

    first: date
    last: date
    province_code: int | None
    commune_code: int | None
    period: Period

    def args(self) -> dict:
        """Query arguments that choose this period again (for links and exports)."""
        out = {"from": self.first.isoformat(), "to": self.last.isoformat()}
        if self.province_code is not None:
            out["province"] = self.province_code
        if self.commune_code is not None:
            out["commune"] = self.commune_code
        return out


def zone() -> ZoneInfo:
    """The deployment's local time zone."""
    return ZoneInfo(services().settings.timezone)


def local_day_start(day: date) -> datetime:
    """Midnight of a local day, as an aware datetime."""
    return datetime.combine(day, time(), zone())


def day_arg(name: str) -> date | None:
    """A YYYY-MM-DD query argument, or None."""
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def int_arg(name: str) -> int | None:
    """An integer query argument, or None."""
    return number(request.args.get(name, ""))


def chosen(now: datetime) -> Chosen:
    """The period of ?from=&to=&province=&commune= (default: the last 30 days)."""
    today = now.astimezone(zone()).date()
    last = day_arg("to") or today
    first = day_arg("from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        first, last = last, first
    province, commune = int_arg("province"), int_arg("commune")
    period = Period(local_day_start(first), local_day_start(last + timedelta(days=1)),
                    province, commune)
    return Chosen(first, last, province, commune, period)


def period_report(now: datetime) -> tuple[Chosen, metrics.Report]:
    """The chosen period's report in the user's scope: what the dashboard and the CSV show."""
    svc, choice = services(), chosen(now)
    with reading(svc.engine) as session:
        report = metrics.report(session, svc.settings, current_user.scope.tips(), choice.period,
                                now)
    return choice, report
