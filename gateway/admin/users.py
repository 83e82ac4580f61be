"""Admins only: web users (roles, provinces, officer logins) and the audit log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from db import audit, queries, users
from db.models import Role, User
from db.session import transaction, utcnow
from gateway.admin.access import log, page_number, protect, roles
from gateway.admin.forms import UserForm
from gateway.services import services

bp = Blueprint("admin_users", __name__, url_prefix="/admin")
bp.before_request(protect)


@bp.get("/users")
@roles(Role.ADMIN)
def listing():
    """Every web user."""
    return render_template("admin/users.html", users=queries.users(services().engine))


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new():
    """Create a user (what `tinbao users create` does)."""
    return _edit(None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(user_id: int):
    """Change a user's role, scope, password or whether they may log in."""
    return _edit(user_id)


def _edit(user_id: int | None):
    saved = None
    with transaction(services().engine) as session:
        user = session.get(User, user_id) if user_id else None
        if user_id and user is None:
            abort(404)
        form = UserForm(obj=user) if request.method == "GET" else UserForm()
        if user is not None and request.method == "GET":
            form.role.data = user.role.value
        if form.validate_on_submit():
            try:
                saved = _save(session, user, form)
                log(session, "user_saved", f"user:{saved}")
            except users.UserError as error:
                flash(str(error), "error")
    if saved is not None:
        flash(_("Saved."), "ok")
        return redirect(url_for("admin_users.edit", user_id=saved))
    return render_template("admin/user_form.html", form=form, user=user)


def _save(session, user: User | None, form: UserForm) -> int:
    role = Role(form.role.data)
    if user is None:
        return users.create(session, form.email.data, form.password.data, role, utcnow(),
                            name=form.name.data or "", province_code=form.province_code.data,
                            officer_id=form.officer_id.data).id
    users.check_role(session, role, form.province_code.data, form.officer_id.data)
    user.name, user.role, user.active = form.name.data or "", role, bool(form.active.data)
    user.province_code = form.province_code.data if role == Role.SUPERVISOR else None
    user.officer_id = form.officer_id.data if role == Role.OFFICER else None
    if form.password.data:
        user.password_hash = users.hash_password(form.password.data)
        user.failed_logins, user.locked_until = 0, None
    return user.id


@bp.get("/audit")
@roles(Role.ADMIN)
def audit_log():
    """Who did what and when, newest first."""
    action = request.args.get("action", "")
    engine = services().engine
    found = audit.listing(engine, page_number(), action=action)
    actors = audit.user_names(engine, {e.user_id for e in found.items if e.user_id})
    return render_template("admin/audit.html", page=found, action=action, actors=actors)
