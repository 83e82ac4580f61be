"""The directory: communes (all 3,321, by code or unaccented name), officers and duty roster,
officers added, edited, deactivated, imported and exported as CSV."""

from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from db import officers_csv, roster
from db.models import Commune, Officer, OfficerKind, Role
from db.privacy import AddressError, normalize_phone
from db.session import reading, transaction, utcnow
from gateway.admin.access import MANAGERS, log, log_now, page_number, protect, roles
from gateway.admin.forms import OfficerForm
from gateway.admin.period import zone
from gateway.services import services

bp = Blueprint("admin_directory", __name__, url_prefix="/admin")
bp.before_request(protect)


@bp.get("/communes")
@roles()
def communes():
    """Search communes by GSO code or by name typed without diacritics."""
    q = request.args.get("q", "")
    with reading(services().engine) as session:
        found = roster.communes(session, current_user.scope.communes(), q, page_number())
    return render_template("admin/communes.html", page=found, q=q)


@bp.get("/officers")
@roles()
def officers():
    """Officers and desks in scope with duty hours and who is on duty now."""
    q = request.args.get("q", "")
    with reading(services().engine) as session:
        found = roster.officers(session, current_user.scope.officers(), datetime.now(zone()),
                                q, page_number())
    return render_template("admin/officers.html", page=found, q=q)


@bp.route("/officers/new", methods=["GET", "POST"])
@roles(*MANAGERS)
def officer_new():
    """Add an officer or desk (supervisors: in their province)."""
    return _edit(None)


@bp.route("/officers/<int:officer_id>", methods=["GET", "POST"])
@roles(*MANAGERS)
def officer_edit(officer_id: int):
    """Edit an officer in scope."""
    return _edit(officer_id)


def _edit(officer_id: int | None):
    svc = services()
    with transaction(svc.engine) as session:
        officer = session.get(Officer, officer_id) if officer_id else None
        if officer_id and (officer is None or not current_user.scope.allows_officer(officer)):
            abort(404)
        form = OfficerForm(obj=officer) if request.method == "GET" else OfficerForm()
        if officer is not None and request.method == "GET":
            form.kind.data = officer.kind.value
        problem = _check(session, form) if form.validate_on_submit() else None
        if form.is_submitted() and not form.errors and problem is None:
            officer = officer or Officer(name="", phone="", created_at=utcnow())
            _fill(officer, form, session)
            session.add(officer)
            session.flush()
            log(session, "officer_saved", f"officer:{officer.id}")
            saved = officer.id
        elif problem:
            flash(problem, "error")
    if form.is_submitted() and not form.errors and problem is None:
        flash(_("Saved."), "ok")
        return redirect(url_for("admin_directory.officer_edit", officer_id=saved))
    return render_template("admin/officer_form.html", form=form, officer=officer)


def _check(session, form: OfficerForm) -> str | None:
    """Why the form cannot be saved, or None."""
    try:
        form.phone.data = normalize_phone(form.phone.data, services().settings.default_country)
    except AddressError:
        return _("Not a phone number.")
    kind = OfficerKind(form.kind.data)
    if kind == OfficerKind.COMMUNE:
        commune = session.get(Commune, form.commune_code.data or 0)
        if commune is None:
            return _("Unknown commune code.")
        form.province_code.data = commune.province_code
    if kind == OfficerKind.NATIONAL_DESK and current_user.role != Role.ADMIN:
        return _("Only admins manage the national desk.")
    if current_user.role == Role.SUPERVISOR and \
            form.province_code.data != current_user.scope.province_code:
        return _("Outside your province.")
    return None


def _fill(officer: Officer, form: OfficerForm, session) -> None:
    kind = OfficerKind(form.kind.data)
    officer.name, officer.phone, officer.kind = form.name.data, form.phone.data, kind
    officer.commune_code = form.commune_code.data if kind == OfficerKind.COMMUNE else None
    officer.province_code = (form.province_code.data if kind != OfficerKind.NATIONAL_DESK
                             else None)
    officer.priority = form.priority.data or 0
    officer.duty_start = form.duty_start.data or None
    officer.duty_end = form.duty_end.data or None
    officer.active = bool(form.active.data)


@bp.post("/officers/<int:officer_id>/active")
@roles(*MANAGERS)
def officer_active(officer_id: int):
    """Deactivate (or reactivate) an officer: routing skips inactive officers."""
    with transaction(services().engine) as session:
        officer = session.get(Officer, officer_id)
        if officer is None or not current_user.scope.allows_officer(officer):
            abort(404)
        officer.active = not officer.active
        log(session, "officer_active", f"officer:{officer.id}", active=officer.active)
    return redirect(request.referrer or url_for("admin_directory.officers"))


@bp.get("/officers.csv")
@roles(Role.ADMIN)
def officers_export():
    """Every officer as CSV (the format `tinbao officers import` reads)."""
    log_now("export", "officers")
    return Response(officers_csv.export_csv(services().engine), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="officers.csv"'})


@bp.post("/officers/import")
@roles(Role.ADMIN)
def officers_import():
    """Create or update officers from an uploaded CSV (nothing written if a line is bad)."""
    upload = request.files.get("file")
    text = upload.read().decode("utf-8-sig", "replace") if upload else ""
    svc = services()
    report = officers_csv.import_csv(svc.engine, text, svc.settings.default_country)
    for line, problem in report.errors[:20]:
        flash(_("Line %(line)s: %(problem)s", line=line, problem=problem), "error")
    if not report.errors:
        flash(_("%(created)s created, %(updated)s updated.", created=report.created,
                updated=report.updated), "ok")
        log_now("officers_import", "officers", created=report.created, updated=report.updated)
    return redirect(url_for("admin_directory.officers"))
