"""The simulator's USSD and voice phone: a session or a call kept in the browser session."""

from flask import flash, request, session
from flask_babel import gettext as _

from gateway import phones as wire
from gateway.admin.access import roles
from gateway.services import services
from gateway.simulator import HOTLINE, SERVICE_CODE, _back, _back_to_tip, _phone, _wire, bp

MAX_SAID = 600


def ussd_secret() -> str:
    """USSD_SECRET of this deployment ('' where USSD is not configured)."""
    return services().settings.ussd_secret


@bp.post("/ussd")
@roles()
def ussd():
    """Dial the service code (new session) or answer the screen shown."""
    state = session.get("sim_ussd") or {}
    if request.form.get("dial") or not state or state.get("final"):
        state = {"id": wire.new_session_id(), "answers": []}
    else:
        state["answers"].append(request.form.get("answer", "").strip()[:160])
    try:
        screen = wire.ussd(_wire(), ussd_secret(), state["id"], _phone(), SERVICE_CODE,
                           "*".join(state["answers"]))
    except wire.Unavailable:
        flash(_("USSD is not available on this server."), "error")
        session.pop("sim_ussd", None)
        return _back()
    state.update(screen=screen.text[:400], final=screen.final)
    session["sim_ussd"] = state
    return _back_to_tip() if screen.final else _back()


@bp.post("/call")
@roles()
def call():
    """Call the hotline, press keys, stay silent, or hang up."""
    token, state = services().settings.twilio_auth_token, session.get("sim_call")
    what = request.form.get("do", "")
    try:
        if what == "dial" or not state:
            sid, step = wire.start_call(_wire(), token, _phone(), HOTLINE)
            state = {"sid": sid}
        elif what == "hangup" or not (state.get("action") or state.get("silence")):
            session.pop("sim_call", None)
            return _back()
        else:
            step = _answer(token, state, what)
    except wire.Unavailable:
        flash(_("The voice hotline is not available on this server."), "error")
        session.pop("sim_call", None)
        return _back()
    state.update(said=" ".join(step.said)[:MAX_SAID], action=step.action, record=step.record,
                 silence=step.silence, ended=step.action is None and step.silence is None)
    session["sim_call"] = state
    return _back_to_tip() if state["ended"] else _back()


def _answer(token: str, state: dict, what: str) -> wire.CallStep:
    """Keys for a <Gather>, a short test recording for a <Record>, or silence."""
    form = wire.call_form(state["sid"], _phone(), HOTLINE)
    if what == "silence" or not state.get("action"):
        return wire.voice(_wire(), token, state["silence"], form)
    if state.get("record"):
        # No microphone here: the recording is a stand-in URL, as Twilio would post one.
        form.update(RecordingUrl=f"{request.host_url}static/simulator-recording.wav",
                    RecordingSid=wire.new_sid("RE"), RecordingDuration="3")
    else:
        form["Digits"] = "".join(c for c in request.form.get("digits", "") if c in "0123456789*#")
    return wire.voice(_wire(), token, state["action"], form)
