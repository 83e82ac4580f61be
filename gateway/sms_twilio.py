"""POST /webhooks/twilio/sms: Twilio's inbound SMS webhook, answered with TwiML."""

from collections.abc import Mapping

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from flows import Channel
from gateway.inbound import InboundText, take_sms
from gateway.services import services
from gateway.twilio_auth import sid as twilio_sid
from gateway.twilio_auth import twilio_signed

bp = Blueprint("sms_twilio", __name__)
PATH = "/webhooks/twilio/sms"
NO_REPLY = str(MessagingResponse())  # an answer that sends nothing (SMS_REPLY=queued)


@bp.post(PATH)
@twilio_signed
def inbound_sms():
    """Store and answer one SMS; dispatch jobs are enqueued after the response is sent. With
    SMS_REPLY=queued: keep it, answer with no message, and a worker replies by SMS."""
    msg = message_of(request.form)
    if msg is None:
        return Response("missing MessageSid or From", status=400)
    svc = services()
    received = take_sms(svc, msg)
    twiml = NO_REPLY
    if received.reply:
        answer = MessagingResponse()
        answer.message(received.reply)
        twiml = str(answer)
    response = Response(twiml, mimetype="application/xml")
    response.call_on_close(lambda: received.after_commit(svc.redis))
    return response


def message_of(form: Mapping[str, str]) -> InboundText | None:
    """The SMS Twilio's form carries; None without a well-formed sid or a sender (400)."""
    sid = twilio_sid(form.get("MessageSid") or form.get("SmsSid"))
    if not sid or not form.get("From"):
        return None
    return InboundText(channel=Channel.SMS, provider_id=f"twilio:{sid}", sender=form["From"],
                       receiver=form.get("To", ""), body=form.get("Body", ""),
                       reply_provider="twilio")
