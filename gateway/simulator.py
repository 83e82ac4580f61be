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
from sqlalchemy import select

from db.models import (
    InboundMessage,
    Officer,
    OfficerKind,
    OutboundMessage,
    OutboundStatus,
    Reporter,
    Role,
    Tip,
)
from db.privacy import AddressError, Keyring, mask, normalize_phone
from db.session import reading
from gateway import phones as wire
from gateway.admin.access import protect, roles
from gateway.services import services

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
bp.before_request(protect)
DEFAULT_PHONE = "+447700900901"  # Ofcom's drama range: reaches nobody
HOTLINE = "+84999000111"
SERVICE_CODE = "*384*123#"
ARRIVED = (OutboundStatus.SENT, OutboundStatus.DELIVERED)


def _wire() -> wire.Wire:
    base = services().settings.public_base_url or request.host_url.rstrip("/")
    return wire.Wire(current_app._get_current_object(), base)


def _phone() -> str:
    return session.get("sim_phone", DEFAULT_PHONE)


def _officer(officer_id: int | None) -> Officer | None:
    """The officer phone asked for (officer logins: only their own), else a default."""
    with reading(services().engine) as db:
        if current_user.role == Role.OFFICER:
            own = current_user.officer_id
            if officer_id is not None and officer_id != own:
                abort(404)
            return db.get(Officer, own) if own else None
        query = select(Officer).where(Officer.active, current_user.scope.officers())
        if officer_id is not None:
            query = query.where(Officer.id == officer_id)
        else:
            query = query.where(Officer.kind == OfficerKind.COMMUNE)
        officer = db.execute(query.order_by(Officer.commune_code, Officer.id).limit(1)
                             ).scalar_one_or_none()
    if officer_id is not None and officer is None:
        abort(404)
    return officer


@bp.get("")
@roles()
def phones():
    """Both phones side by side."""
    officer = _officer(request.args.get("officer", type=int))
    with reading(services().engine) as db:
        choices = ([] if current_user.role == Role.OFFICER else db.execute(
            select(Officer).where(Officer.active, current_user.scope.officers())
            .order_by(Officer.kind, Officer.commune_code, Officer.id).limit(400)).scalars().all())
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
    with reading(services().engine) as db:
        if db.execute(select(Officer.id).where(Officer.phone == phone)).first():
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
    return _back()


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



def _back(officer_id: int | None = None):
    officer_id = officer_id or request.form.get("officer", type=int)
    return redirect(url_for("simulator.phones", officer=officer_id) if officer_id
                    else url_for("simulator.phones"))


def reporter_thread() -> list[tuple]:
    """(time, side, text) of the resident's SMS: sent, the gateway's replies, notices."""
    svc = services()
    with reading(svc.engine) as db:
        reporter = db.execute(select(Reporter).where(
            Reporter.pseudonym == svc.keyring.pseudonym(_phone()))).scalar_one_or_none()
        if reporter is None:
            return []
        inbound = db.execute(select(InboundMessage).where(
            InboundMessage.reporter_id == reporter.id, InboundMessage.channel == "sms")
            .order_by(InboundMessage.id.desc()).limit(30)).scalars().all()
        outbound = db.execute(select(OutboundMessage).where(
            OutboundMessage.reporter_id == reporter.id, OutboundMessage.status.in_(ARRIVED))
            .order_by(OutboundMessage.id.desc()).limit(30)).scalars().all()
    return _merge(svc.keyring, inbound, outbound)


def officer_thread(officer: Officer | None) -> list[tuple]:
    """(time, side, text) of an officer's SMS: dispatches and notices in, commands out."""
    if officer is None:
        return []
    svc = services()
    with reading(svc.engine) as db:
        inbound = db.execute(select(InboundMessage).where(InboundMessage.officer_id == officer.id)
                             .order_by(InboundMessage.id.desc()).limit(30)).scalars().all()
        outbound = db.execute(select(OutboundMessage).where(
            OutboundMessage.officer_id == officer.id, OutboundMessage.channel == "sms",
            OutboundMessage.status.in_(ARRIVED))
            .order_by(OutboundMessage.id.desc()).limit(30)).scalars().all()
    return _merge(svc.keyring, inbound, outbound)


def _merge(keyring: Keyring, inbound, outbound) -> list[tuple]:
    lines = []
    for msg in inbound:
        lines.append((msg.received_at, 0, "me", msg.body))
        if msg.reply_sealed:
            lines.append((msg.received_at, 1, "them", keyring.unseal(msg.reply_sealed)))
    lines += [(m.sent_at or m.updated_at, 2, "them", m.body) for m in outbound]
    return [(at, side, text) for at, _, side, text in sorted(lines, key=lambda x: (x[0], x[1]))]


def latest_reference(officer: Officer | None) -> str:
    """The reference of the latest tip dispatched to this officer (for the quick answers)."""
    if officer is None:
        return ""
    with reading(services().engine) as db:
        found = db.execute(select(Tip.reference).join(OutboundMessage,
                                                      OutboundMessage.tip_id == Tip.id)
                           .where(OutboundMessage.officer_id == officer.id)
                           .order_by(OutboundMessage.id.desc()).limit(1)).scalar_one_or_none()
    return found or ""


from gateway import simulator_calls  # noqa: E402,F401  (USSD and voice routes on `bp`)
