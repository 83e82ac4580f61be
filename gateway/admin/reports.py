"""CSV exports: the period report per commune (the dashboard's figures) and the tip list."""

import csv
import io
from datetime import datetime

from flask import Blueprint, Response, stream_with_context
from flask_login import current_user

from db import metrics, tiplist
from db.session import reading, utcnow
from gateway.admin.access import log_now, protect, roles
from gateway.admin.period import period_report, zone
from gateway.admin.tips import tip_filter
from gateway.services import services

bp = Blueprint("admin_reports", __name__, url_prefix="/admin/reports")
bp.before_request(protect)
COLUMNS = ("commune_code", "commune", "received", "valuable", "processed", "overdue",
           "sla_breaches") + tuple(f"{q}_{s}_min" for s in metrics.STAGES
                                   for q in ("median", "p90"))


def minutes(value: float | None) -> str:
    """Seconds as minutes with one decimal, as the dashboard shows them ('' when unknown)."""
    return "" if value is None else f"{value / 60:.1f}"


def report_rows(report: metrics.Report) -> list[list]:
    """The per-commune lines of the period report, then the total."""
    lines = []
    for row in [*report.communes, report.total]:
        times = [minutes(row.times.get(s, (None, None))[i]) for s in metrics.STAGES
                 for i in range(2)]
        key = row.key if row is not report.total else "total"
        lines.append([key if key is not None else "", row.label, row.received, row.valuable,
                      row.processed, row.overdue, row.breaches, *times])
    return lines


@bp.get("/communes.csv")
@roles()
def communes_csv():
    """Per commune: received, valuable, processed, overdue, breaches, median/p90 times."""
    choice, report = period_report(utcnow())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(report_rows(report))
    log_now("export", "report_communes", **choice.args())
    return _csv(out.getvalue(), f"tinbao-communes-{choice.first}-{choice.last}.csv")


@bp.get("/tips.csv")
@roles()
def tips_csv():
    """The filtered tip list, every matching tip (streamed)."""
    svc, now, filt, scope = services(), utcnow(), tip_filter(), current_user.scope.tips()
    local = zone()

    def generate():
        with reading(svc.engine) as session:
            yield from tiplist.export(session, scope, filt, now, local)

    log_now("export", "tips", q=filt.q, status=filt.status)
    stamp = datetime.now(local).strftime("%Y%m%d-%H%M")
    return _csv(stream_with_context(generate()), f"tinbao-tips-{stamp}.csv")


def _csv(body, filename: str) -> Response:
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
