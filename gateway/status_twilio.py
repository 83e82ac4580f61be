"""POST /webhooks/twilio/status: delivery reports for our outbound SMS (signed by Twilio)."""

from flask import Blueprint, Response, request

from db import delivery
from gateway.reports import apply_report
from gateway.services import services
from gateway.twilio_auth import sid as twilio_sid
from gateway.twilio_auth import twilio_signed
from workers.queues import enqueue_quietly

bp = Blueprint("status_twilio", __name__)


@bp.post("/webhooks/twilio/status")
@twilio_signed
def status_callback():
    """Apply a status forward-only; an undelivered officer dispatch is re-routed at once."""
    sid = twilio_sid(request.form.get("MessageSid") or request.form.get("SmsSid"))
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    mapped = delivery.TWILIO.get(status.lower())
    if not sid or mapped is None:
        return Response("unknown status", status=400)
    error = request.form.get("ErrorCode")
    svc = services()
    jobs = apply_report(svc, mapped, f"twilio error {error}" if error else None, provider_id=sid)
    response = Response(status=204)
    if jobs:
        response.call_on_close(lambda: enqueue_quietly(svc.redis, jobs))
    return response
