"""GET /simulator (demo mode only): a resident's feature phone (SMS, USSD, the voice menu by
keypad) and officers' phones, all going through the real, signed webhooks."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from db import handsets
from db.models import Officer, Role
from db.privacy import AddressError, mask, normalize_phone
from gateway import phones as wire
from gateway.admin.access import protect, roles
from gateway.demo import EXAMPLE_COMMUNE
from gateway.services import services

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
bp.before_request(protect)
DEFAULT_PHONE = "+447700900901"  # Ofcom's drama range: reaches nobody
HOTLINE = "+84999000111"
SERVICE_CODE = "*384*123#"


def _wire() -> wire.Wire:
    base = services().settings.public_base_url or request.host_url.rstrip("/")
    return wire.Wire(current_app._get_current_object(), base)


def _phone() -> str:
    return session.get("sim_phone", DEFAULT_PHONE)


def _officer(officer_id: int | None) -> Officer | None:
    """The officer phone asked for (officer logins: only their own), else a default."""
    if current_user.role == Role.OFFICER:
        own = current_user.officer_id
        if officer_id is not None and officer_id != own:
            abort(404)
        officer_id = own
        if own is None:
            return None
    found = handsets.officer(services().engine, current_user.scope.officers(), officer_id,
                             prefer_commune=EXAMPLE_COMMUNE)
    if officer_id is not None and found is None:
        abort(404)
    return found


@bp.get("")
@roles()
def phones():
    """Both phones side by side; the officer's is the one the resident's latest tip went to,
    or else the example commune's (the one the message box suggests)."""
    asked = request.args.get("officer", type=int)
    if asked is None and current_user.role != Role.OFFICER:
        svc = services()
        asked = handsets.latest_tip_officer(svc.engine, svc.keyring, _phone(),
                                            current_user.scope.officers())
    officer = _officer(asked)
    choices = ([] if current_user.role == Role.OFFICER else
               handsets.officers(services().engine, current_user.scope.officers()))
    return render_template("simulator.html", officer=officer, choices=choices,
                           phone=mask(_phone()), ussd=session.get("sim_ussd"),
                           call=session.get("sim_call"), service_code=SERVICE_CODE,
                           reporter_thread=reporter_thread(),
                           officer_thread=officer_thread(officer),
                           reference=latest_reference(officer))


@bp.get("/reporter")
@roles()
def reporter_panel():
    """The resident's SMS thread (refreshed by simulator.js)."""
    return render_template("simulator_thread.html", thread=reporter_thread())


@bp.get("/officer/<int:officer_id>")
@roles()
def officer_panel(officer_id: int):
    """An officer's SMS thread (refreshed by simulator.js)."""
    return render_template("simulator_thread.html", thread=officer_thread(_officer(officer_id)))


@bp.post("/number")
@roles()
def number():
    """Use another number for the resident's phone (never an officer's)."""
    try:
        phone = normalize_phone(request.form.get("phone", ""), services().settings.default_country)
    except AddressError:
        flash(_("Not a phone number."), "error")
        return _back()
    if handsets.is_officer_phone(services().engine, phone):
        flash(_("That is an officer's number."), "error")
        return _back()
    session["sim_phone"] = phone
    session.pop("sim_ussd", None)
    session.pop("sim_call", None)
    return _back()


@bp.post("/sms")
@roles()
def reporter_sms():
    """The resident sends an SMS to the hotline."""
    text = request.form.get("text", "")[:1000]
    svc = services()
    wire.send_sms(_wire(), svc.settings.twilio_auth_token, _phone(), HOTLINE, text)
    return _back_to_tip()


@bp.post("/officer/<int:officer_id>/sms")
@roles()
def officer_sms(officer_id: int):
    """An officer answers from their phone (OK / XONG / HOI ... as typed or tapped)."""
    officer = _officer(officer_id)
    text = request.form.get("text", "")
    if request.form.get("question"):
        text = f"{text} {request.form['question']}"
    wire.send_sms(_wire(), services().settings.twilio_auth_token, officer.phone, HOTLINE,
                    text[:1000])
    return _back(officer.id)



def _back_to_tip():
    """Back to both phones, the officer's being the one the resident's latest tip goes to."""
    if current_user.role == Role.OFFICER:  # an officer login only ever sees its own phone
        return _back()
    svc = services()
    return _back(handsets.latest_tip_officer(svc.engine, svc.keyring, _phone(),
                                             current_user.scope.officers()))


def _back(officer_id: int | None = None):
    officer_id = officer_id or request.form.get("officer", type=int)
    return redirect(url_for("simulator.phones", officer=officer_id) if officer_id
                    else url_for("simulator.phones"))


def reporter_thread() -> list:
    """The resident's SMS thread."""
    svc = services()
    return handsets.reporter_thread(svc.engine, svc.keyring, _phone())


def officer_thread(officer: Officer | None) -> list:
    """An officer's SMS thread."""
    svc = services()
    return handsets.officer_thread(svc.engine, svc.keyring, officer.id) if officer else []


def latest_reference(officer: Officer | None) -> str:
    """For the quick answers: the latest tip dispatched to this officer."""
    return handsets.latest_reference(services().engine, officer.id) if officer else ""


from gateway import simulator_calls  # noqa: E402,F401  (USSD and voice routes on `bp`)
