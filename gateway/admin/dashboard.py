"""GET /admin/: a period's figures, response times per commune and officer, and charts."""

from flask import Blueprint, render_template
from flask_login import current_user

from db import metrics, queries
from db.audit import Page
from db.session import utcnow
from gateway.admin import charts, labels
from gateway.admin.access import page_number, protect, roles
from gateway.admin.period import period_report
from gateway.services import services

bp = Blueprint("admin_dashboard", __name__, url_prefix="/admin")
bp.before_request(protect)
PER_PAGE = 25  # communes a page
OFFICERS_PER_PAGE = 50


def _page(rows: list, number: int, per_page: int) -> Page:
    return Page(rows[(number - 1) * per_page:number * per_page], len(rows), number, per_page)


@bp.get("/")
@roles()
def dashboard():
    """The period report of the user's scope; communes (?page=) and officers (?opage=) paged."""
    svc = services()
    choice, report = period_report(utcnow())
    provinces = queries.provinces(svc.engine) if current_user.is_admin else []
    communes = _page(report.communes, page_number(), PER_PAGE)
    officers = _page(report.officers, page_number("opage"), OFFICERS_PER_PAGE)
    # Each pager keeps the period, the place and the other table's page.
    args = choice.args()
    commune_args = args | ({"opage": officers.page} if officers.page > 1 else {})
    officer_args = args | ({"page": communes.page} if communes.page > 1 else {})
    days = charts.bars([(d.strftime("%d/%m"), n) for d, n in report.days])
    spread = charts.bars([(labels.band_label(band), n) for band, n in report.ack_spread],
                         max_labels=len(report.ack_spread))
    return render_template(
        "admin/dashboard.html", report=report, choice=choice, provinces=provinces,
        days_chart=days, spread_chart=spread, communes=communes, officers=officers,
        commune_args=commune_args, officer_args=officer_args, stages=metrics.STAGES)
