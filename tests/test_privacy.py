"""After real traffic from every test reporter, no number is in the database, logs or outbox.

Every test also runs this check on its own database and log output (tests/conftest.py);
this one drives the most varied traffic through one database, on the Twilio path.
"""

import logging

from flask import Flask, Response

from db.models import OutboundMessage
from tests import privacy
from tests.fake_twilio import twilio_error
from tests.helpers import rows, run_worker, sms
from tests.summary import FIGURES
from workers.sweep import sweep

CONVERSATIONS = [
    ["TIN 15865 co nguoi la mat cho hang cam o thon 3"],
    ["TIN", "2", "hoang hao", "1", "trom xe may"],
    ["co nguoi ban ma tuy o bai song, so dien thoai cua no la 0977000111"],
    ["HELP", "TIP", "7", "0", "someone keeps calling me from +84977000222"],
    ["huy hoai tai san", "HUY"],
]


def test_no_reporter_number_survives_a_day_of_traffic(client, settings, twilio_rt, fake_twilio,
                                                      caplog):
    caplog.set_level(logging.DEBUG)
    fake_twilio.answer(twilio_error(500, 20500, "x"), (201, None),
                       twilio_error(400, 21211, f"The 'To' number {privacy.REPORTERS[2]} is "
                                                "not a valid phone number."))
    for number, messages in zip(privacy.REPORTERS, CONVERSATIONS, strict=True):
        for text in messages:
            sms(client, settings, text, sender=number)
    run_worker(twilio_rt.redis)
    sweep()
    run_worker(twilio_rt.redis)
    sent_to = {r["form"]["To"] for r in fake_twilio.requests}
    assert set(privacy.REPORTERS) & sent_to  # reporters were really answered...
    for msg in rows(twilio_rt.engine, OutboundMessage):
        privacy.assert_text_clean(f"{msg.body} {msg.last_error} {msg.address}", "outbox")
    privacy.assert_no_reporter_numbers(settings.database_url)  # ...yet nothing kept the numbers
    privacy.assert_text_clean(caplog.text, "captured logs")


def test_streamed_responses_such_as_csv_exports_are_scanned_too():
    app = Flask(__name__)
    privacy.watch(app)
    app.add_url_rule("/export", view_func=lambda: Response(
        (f"{line}\n" for line in ("reference,details", "123456,no number here")),
        mimetype="text/csv"))
    before = FIGURES["privacy_responses"]
    response = app.test_client().get("/export")
    assert response.is_streamed and response.get_data(as_text=True).startswith("reference")
    assert FIGURES["privacy_responses"] == before + 1
