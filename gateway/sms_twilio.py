"""POST /webhooks/twilio/sms: Twilio's inbound SMS webhook, answered with TwiML."""

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from flows import Channel
from gateway.inbound import InboundText, take_sms
from gateway.services import services
from gateway.twilio_auth import sid as twilio_sid
from gateway.twilio_auth import twilio_signed

bp = Blueprint("sms_twilio", __name__)
NO_REPLY = str(MessagingResponse())  # an answer that sends nothing (SMS_REPLY=queued)


@bp.post("/webhooks/twilio/sms")
@twilio_signed
def inbound_sms():
    """Store and answer one SMS; dispatch jobs are enqueued after the response is sent. With
    SMS_REPLY=queued: keep it, answer with no message, and a worker replies by SMS."""
    form = request.form
    sid = twilio_sid(form.get("MessageSid") or form.get("SmsSid"))
    if not sid or not form.get("From"):
        return Response("missing MessageSid or From", status=400)
    svc = services()
    received = take_sms(svc, InboundText(
        channel=Channel.SMS,
        provider_id=f"twilio:{sid}",
        sender=form["From"],
        receiver=form.get("To", ""),
        body=form.get("Body", ""),
        reply_provider="twilio",
    ))
    twiml = NO_REPLY
    if received.reply:
        answer = MessagingResponse()
        answer.message(received.reply)
        twiml = str(answer)
    response = Response(twiml, mimetype="application/xml")
    response.call_on_close(lambda: received.after_commit(svc.redis))
    return response
