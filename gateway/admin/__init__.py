"""The admin view under /admin: sessions, CSRF, language, and its blueprints."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask, render_template, request, session
from flask_babel import Babel
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from db.settings import Settings
from gateway.admin.access import csrf, login_manager
from gateway.admin.labels import LABELS, duration_label

LANGUAGES = ("vi", "en")
# Pages that carry tip data or forms: never cached, never framed.
PROTECTED = ("/admin", "/simulator")


def select_locale() -> str:
    """Vietnamese unless the user switched to English."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "vi"


def init_app(app: Flask, settings: Settings) -> None:
    """Configure sessions, CSRF, logins and translations; register the admin blueprints."""
    app.config.update(
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_NAME="tinbao_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_CHECK_DEFAULT=False,  # webhooks are signed instead; admin routes call protect()
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(languages=LANGUAGES, demo=settings.demo)
    app.context_processor(lambda: {"lang": select_locale()})
    app.jinja_env.globals.update(LABELS)
    zone = ZoneInfo(settings.timezone)
    app.jinja_env.filters["local"] = lambda t, f="%d/%m/%Y %H:%M": (
        t.astimezone(zone).strftime(f) if t else "")
    app.jinja_env.filters["duration"] = duration_label

    from gateway.admin import auth, dashboard, directory, reports, tips, users

    for module in (auth, dashboard, tips, reports, directory, users):
        app.register_blueprint(module.bp)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _page_error)
    app.after_request(_headers)


def _csrf_error(error: CSRFError):
    return render_template("admin/error.html", code=400, message=error.description), 400


def _page_error(error: HTTPException):
    """A person's error (a page that is not there or not theirs, a form sent twice) in their
    language and the admin's look; webhooks and the API keep the plain answer."""
    if not request.path.startswith(PROTECTED) or error.code is None or error.code < 400:
        return error
    messages = {
        403: _("Your account may not do this."),
        404: _("This page does not exist, or it is not among what your account may see."),
        405: _("This address does not take that kind of request."),
    }
    message = messages.get(error.code, error.name)
    return render_template("admin/error.html", code=error.code, message=message), error.code


def _headers(response):
    if request.path.startswith(PROTECTED):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
