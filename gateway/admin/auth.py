"""Logging in and out (session renewed at login, failures throttled) and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from db.session import transaction, utcnow
from db.users import authenticate
from gateway.admin import LANGUAGES
from gateway.admin.access import account, log, log_now, protect
from gateway.admin.forms import LoginForm
from gateway.services import services

bp = Blueprint("admin_auth", __name__, url_prefix="/admin")
bp.before_request(protect)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; five failures in a row lock an account for 15 minutes."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("admin/login.html", form=form)
    now = utcnow()
    with transaction(services().engine) as db:
        result = authenticate(db, form.email.data, form.password.data, now)
        if result.user is None:
            log(db, "login_failed", form.email.data[:120], now, locked=result.locked)
        else:
            user = account(db, result.user)
    if result.user is None:
        flash(_("Too many failed attempts: try again in 15 minutes.") if result.locked
              else _("Wrong e-mail or password."), "error")
        return render_template("admin/login.html", form=form), 401
    _renew()  # a new session at login: nothing planted before it survives
    session.permanent = True
    login_user(user)
    log_now("login", user.email)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    log_now("logout")
    logout_user()
    _renew()
    return redirect(url_for("admin_auth.login"))


@bp.post("/language")
def language():
    """Switch between Vietnamese and English (kept in the session)."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))


def _renew() -> None:
    """Drop everything in the session but the chosen language (new CSRF token too)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no host) may be redirected to."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and \
                not target.startswith(("//", "/\\")):
            return target
    return url_for("admin_dashboard.dashboard")
