"""The demo's duty-desk logins (db.users.seed_demo): each sees and works its own tips only."""

import pytest

from db import users
from db.models import Officer, OfficerKind, Tip, TipEvent
from db.session import utcnow
from tests.admin import PASSWORD, login, post
from tests.helpers import rows, run_worker, sms
from tests.privacy import REPORTERS

PROVINCE_DESK, NATIONAL_DESK = "truc-ban-38@tinbao.demo", "truc-ban-quoc-gia@tinbao.demo"


@pytest.fixture
def tips(client, settings, rt) -> dict[str, Tip]:
    """The demo's logins, a tip of Thanh Hoa (38) and one of Ha Noi, routed to the national
    desk (Ha Noi has no demo officers)."""
    users.seed_demo(rt.engine, "admin@tinbao.demo", PASSWORD, PASSWORD, utcnow())
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    sms(client, settings, "TIN 00070 trom xe dap o pho co", sender=REPORTERS[1])
    run_worker(rt.redis)
    return {str(t.province_code): t for t in rows(rt.engine, Tip)}


def desk(rt, kind: OfficerKind) -> Officer:
    return rows(rt.engine, Officer, Officer.kind == kind)[0]


def lists_only(client, tip: Tip) -> bool:
    """Whether the tip list shows this one tip and no other."""
    page = client.get("/admin/tips").get_data(as_text=True)
    return '<small id="total">1</small>' in page and tip.reference in page


def test_the_province_desk_works_its_provinces_tips_and_not_another_provinces(client, rt,
                                                                              tips):
    mine, other = tips["38"], tips["1"]
    assert login(client, PROVINCE_DESK).status_code == 302
    assert lists_only(client, mine) and client.get(f"/admin/tips/{mine.id}").status_code == 200
    assert post(client, f"/admin/tips/{mine.id}/acknowledge").status_code == 302
    [ack] = rows(rt.engine, TipEvent, TipEvent.tip_id == mine.id, TipEvent.kind == "acknowledged")
    assert ack.officer_id == desk(rt, OfficerKind.PROVINCE_DESK).id  # acted as the desk
    assert client.get(f"/admin/tips/{other.id}").status_code == 404
    assert post(client, f"/admin/tips/{other.id}/note", {"text": "x"}).status_code == 404
    assert client.get("/admin/users").status_code == 403  # no admin, no supervisor pages
    assert client.get("/admin/officers/new").status_code == 403


def test_the_national_desk_works_the_tips_routed_to_it_and_nothing_else(client, rt, tips):
    routed, local = tips["1"], tips["38"]
    assert routed.officer_id == desk(rt, OfficerKind.NATIONAL_DESK).id
    assert login(client, NATIONAL_DESK).status_code == 302
    assert lists_only(client, routed) and client.get(f"/admin/tips/{routed.id}").status_code == 200
    assert post(client, f"/admin/tips/{routed.id}/note", {"text": "da tiep nhan"}).status_code \
        == 302
    assert "note" in [e.kind for e in rows(rt.engine, TipEvent, TipEvent.tip_id == routed.id)]
    assert client.get(f"/admin/tips/{local.id}").status_code == 404
    assert post(client, f"/admin/tips/{local.id}/note", {"text": "x"}).status_code == 404
    assert client.get("/admin/users").status_code == 403
