"""GET /admin/: a period's figures, response times per commune and officer, and charts."""

from flask import Blueprint, render_template
from flask_login import current_user

from db import metrics, queries
from db.session import utcnow
from gateway.admin import charts
from gateway.admin.access import page_number, protect, roles
from gateway.admin.period import period_report
from gateway.services import services

bp = Blueprint("admin_dashboard", __name__, url_prefix="/admin")
bp.before_request(protect)
PER_PAGE = 25


@bp.get("/")
@roles()
def dashboard():
    """The period report of the user's scope."""
    svc = services()
    choice, report = period_report(utcnow())
    provinces = queries.provinces(svc.engine) if current_user.is_admin else []
    number = page_number()
    days = charts.bars([(d.strftime("%d/%m"), n) for d, n in report.days])
    spread = charts.bars(report.ack_spread, max_labels=len(report.ack_spread))
    return render_template(
        "admin/dashboard.html", report=report, choice=choice, provinces=provinces,
        days_chart=days, spread_chart=spread, number=number, per_page=PER_PAGE,
        communes=report.communes[(number - 1) * PER_PAGE:number * PER_PAGE],
        officers=report.officers[:PER_PAGE * 2], stages=metrics.STAGES)
