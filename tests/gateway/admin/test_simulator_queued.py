"""The phone simulator with SMS_REPLY=queued: the answer comes once a worker has taken the
message, and each reply shows once, after the message it answers."""

import pytest

from db.models import Officer, Tip
from tests.admin import OFFICER_COMMUNE, login, post
from tests.conftest import make_settings
from tests.helpers import rows, run_worker
from tests.privacy import REPORTERS


@pytest.fixture
def settings(database_url, redis_url):
    """Demo mode, SMS answered by the workers."""
    return make_settings(database_url, redis_url, TINBAO_DEMO="1", SMS_REPLY="queued")


def test_the_resident_sees_the_reply_once_a_worker_has_sent_it(client, rt, accounts):
    login(client, accounts.admin)
    post(client, "/simulator/number", {"phone": REPORTERS[0]})
    post(client, "/simulator/sms", {"text": "TIN 15865 co nguoi ban ma tuy o bai song"})
    assert "Da nhan tin bao" not in client.get("/simulator/reporter").get_data(as_text=True)
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    resident = client.get("/simulator/reporter").get_data(as_text=True)
    assert resident.count(f"Da nhan tin bao {tip.reference}") == 1
    assert resident.index("TIN 15865 co nguoi") < resident.index("Da nhan tin bao")
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    post(client, f"/simulator/officer/{officer.id}/sms", {"text": f"OK {tip.reference}"})
    run_worker(rt.redis)
    phone = client.get(f"/simulator/officer/{officer.id}").get_data(as_text=True)
    assert phone.count(f"Da ghi nhan: ban tiep nhan tin bao {tip.reference}") == 1
