"""The ceiling of the webhook benchmarks: bare Flask endpoints under the same gunicorn settings
that parse the form and return a fixed answer (no signature, database or Redis)."""

from flask import Flask, Response, request

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'


def create_app() -> Flask:
    """The bare app."""
    app = Flask(__name__)

    @app.post("/webhooks/twilio/sms")
    def sms():
        request.form.get("Body")  # parse the form, as the real webhook must
        return Response(TWIML, mimetype="application/xml")

    @app.post("/webhooks/twilio/status")
    def status():
        request.form.get("MessageStatus")  # parse the form, as the real webhook must
        return Response(status=204)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
