"""The directory: every commune by code or unaccented name; officers added, edited,
deactivated, imported and exported; duty hours and who is on duty now."""

import io

from db.models import AuditLog, Officer
from tests.admin import login, post
from tests.helpers import count, rows


def test_communes_are_found_by_unaccented_name_or_code(client, accounts):
    login(client, accounts.admin)
    page = client.get("/admin/communes?q=hoang hoa").get_data(as_text=True)
    assert "Xã Hoằng Hóa" in page and "15865" in page
    assert "Xã Hoằng Hóa" in client.get("/admin/communes?q=15865").get_data(as_text=True)
    everything = client.get("/admin/communes").get_data(as_text=True)
    assert "<small>3321</small>" in everything
    for path in ("/admin/communes?q=³", "/admin/officers?q=³", "/admin/?province=³"):
        assert client.get(path).status_code == 200  # not a number: no 500


def test_a_supervisor_adds_and_edits_an_officer_of_their_province(client, rt, accounts):
    login(client, accounts.supervisor)
    form = {"name": "Trung uy Le Van B", "phone": "0912 000 111", "kind": "commune",
            "commune_code": "15865", "priority": "1", "duty_start": "22:00",
            "duty_end": "06:00", "active": "y"}
    response = post(client, "/admin/officers/new", form)
    assert response.status_code == 302
    [added] = rows(rt.engine, Officer, Officer.name == "Trung uy Le Van B")
    assert (added.phone, added.province_code, added.duty_start) == ("+84912000111", 38, "22:00")
    post(client, f"/admin/officers/{added.id}", {**form, "priority": "3"})
    assert rows(rt.engine, Officer, Officer.id == added.id)[0].priority == 3
    roster = client.get("/admin/officers?q=15865").get_data(as_text=True)
    assert "22:00–06:00" in roster and "Trung uy Le Van B" in roster
    post(client, f"/admin/officers/{added.id}/active")
    assert rows(rt.engine, Officer, Officer.id == added.id)[0].active is False
    assert count(rt.engine, AuditLog, AuditLog.action.in_(("officer_saved",
                                                             "officer_active"))) == 3


def test_a_supervisor_cannot_place_an_officer_outside_their_province(client, rt, accounts):
    login(client, accounts.supervisor)
    form = {"name": "Ngoai tinh", "phone": "0912000222", "kind": "commune",
            "commune_code": "4", "active": "y"}
    page = post(client, "/admin/officers/new", form).get_data(as_text=True)
    assert "Ngoài tỉnh của bạn." in page
    assert not rows(rt.engine, Officer, Officer.name == "Ngoai tinh")
    bad = post(client, "/admin/officers/new", {**form, "commune_code": "15865",
                                                "duty_start": "25:00"}).get_data(as_text=True)
    assert "Dùng dạng GG:PP" in bad


def test_officers_go_out_and_come_back_in_as_csv(client, rt, accounts):
    login(client, accounts.admin)
    exported = client.get("/admin/officers.csv").get_data(as_text=True)
    assert exported.startswith("name,phone,kind,commune_code")
    changed = exported.replace("Công an Xã Hoằng Hóa", "Cong an Hoang Hoa (moi)")
    upload = {"file": (io.BytesIO(changed.encode()), "officers.csv")}
    response = post(client, "/admin/officers/import", upload, follow_redirects=True,
                    content_type="multipart/form-data")
    assert "Đã tạo 0, cập nhật 168." in response.get_data(as_text=True)
    assert rows(rt.engine, Officer, Officer.commune_code == 15865)[0].name == \
        "Cong an Hoang Hoa (moi)"
    broken = {"file": (io.BytesIO(b"name,phone\nX,not a phone\n"), "bad.csv")}
    page = post(client, "/admin/officers/import", broken, follow_redirects=True,
                content_type="multipart/form-data").get_data(as_text=True)
    assert "Dòng 2: phone" in page
