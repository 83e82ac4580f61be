"""POST /webhooks/twilio/voice and its action URLs: the voice hotline on the tip flow, in TwiML."""

import logging

from flask import Blueprint, Response, abort, request, send_from_directory

from db import calls, recordings
from db.conversations import Turn
from db.session import Conflict, transaction, utcnow
from db.settings import AUDIO_SUFFIXES
from flows import Channel, InputKind
from flows.text import clean
from gateway import twiml_voice
from gateway.inbound import InboundText, jobs_for, receive_text
from gateway.services import services
from gateway.twilio_auth import sid, twilio_signed
from workers.queues import enqueue_quietly

bp = Blueprint("voice_twilio", __name__)
log = logging.getLogger(__name__)
VOICE = "/webhooks/twilio/voice"
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@bp.post(VOICE)
@twilio_signed
def incoming_call():
    """A call comes in: the greeting and the language choice."""
    return _hop(0, InputKind.START, "")


@bp.post(VOICE + "/step")
@twilio_signed
def step():
    """The answer to hop `n`: keys pressed, words spoken, a recording, or nothing at all."""
    hop = request.args.get("n", type=int)
    if hop is None or hop < 1:
        return Response("missing hop number", status=400)
    form = request.form
    if request.args.get("noinput"):
        return _hop(hop, InputKind.NO_INPUT, "")
    if form.get("RecordingUrl"):
        duration = (form.get("RecordingDuration") or "").strip()
        if not (duration.isascii() and duration.isdigit() and int(duration) > 0):
            return _hop(hop, InputKind.NO_INPUT, "")
        url = clean(form["RecordingUrl"])
        return _hop(hop, InputKind.RECORDING, url, {"url": url})
    answer = form.get("Digits") or form.get("SpeechResult") or ""
    return _hop(hop, InputKind.TEXT if answer else InputKind.NO_INPUT, answer)


def _hop(hop: int, kind: InputKind, body: str, data: dict | None = None) -> Response:
    form = request.form
    call_sid, caller = sid(form.get("CallSid")), form.get("From") or form.get("Caller") or ""
    if not call_sid or not caller:
        return Response("missing CallSid or From", status=400)
    svc = services()
    voice = twiml_voice.Voice.of(svc.settings)
    received = receive_text(svc, InboundText(
        channel=Channel.VOICE,
        provider_id=recordings.hop_id(call_sid, hop),
        sender=caller,
        receiver=form.get("To", ""),
        body=body,
        conversation=call_sid,
        kind=kind,
        data=data or {},
    ), render=lambda turn: twiml_voice.render(turn.step, hop + 1, voice))
    return _answer(received.reply, received.jobs)


@bp.post(VOICE + "/status")
@twilio_signed
def call_status():
    """The call ended: file whatever it holds now, rather than after its timeout."""
    call_sid = sid(request.form.get("CallSid"))
    if not call_sid:
        return Response("missing CallSid", status=400)
    if request.form.get("CallStatus") not in ENDED:
        return Response(status=204)
    key, event = f"voice:{call_sid}", recordings.hop_id(call_sid, "end")
    return _callback(lambda session, env, now: calls.end_call(session, env, key, event, now))


@bp.post(VOICE + "/recording")
@twilio_signed
def recording_status():
    """A recording is ready: it stays with its call whatever the order of the callbacks."""
    form = request.form
    call_sid, url = sid(form.get("CallSid")), clean(form.get("RecordingUrl", ""))
    if not call_sid or not url or not sid(form.get("RecordingSid")):
        return Response("missing CallSid, RecordingSid or RecordingUrl", status=400)
    if form.get("RecordingStatus", "completed") != "completed":
        return Response(status=204)
    key, event = f"voice:{call_sid}", f"twilio:{form['RecordingSid']}"
    return _callback(
        lambda session, env, now: calls.note_recording(session, env, key, event, url, now))


def _callback(apply) -> Response:
    """Run a call event in one transaction; enqueue its jobs after the response."""
    svc = services()
    env = svc.env
    for _ in range(3):
        try:
            with transaction(svc.engine) as session:
                turn: Turn = apply(session, env, utcnow())
            return _answer("", jobs_for(turn), status=204)
        except Conflict:
            log.info("concurrent call event; re-reading")
    raise RuntimeError("call event could not be stored")


def _answer(body: str, jobs: list, status: int = 200) -> Response:
    svc = services()
    response = Response(body, status=status, mimetype="application/xml")
    if jobs:
        response.call_on_close(lambda: enqueue_quietly(svc.redis, jobs))
    return response


@bp.get("/voice/prompts/<language>/<name>")
def prompt_audio(language: str, name: str):
    """A recorded prompt from the prompts folder (what <Play> fetches)."""
    folder = services().settings.voice_prompts_dir
    if not folder or not name.endswith(AUDIO_SUFFIXES):
        abort(404)
    return send_from_directory(folder, f"{language}/{name}")
