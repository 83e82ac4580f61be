"""Joining a tip to another's case on the web: the same function as TRUNG by SMS."""

import csv
import io

from tests.admin import login, post
from tests.gateway.test_same_case import report, tip_of
from tests.helpers import run_worker
from tests.privacy import REPORTERS


def test_the_web_joins_tips_as_trung_does_within_the_users_scope(client, settings, rt, accounts):
    first, _ = report(client, settings, "TIN 15865 co song bac o bai song", REPORTERS[0])
    second, _ = report(client, settings, "TIN 15865 danh bac o bai song", REPORTERS[1])
    hanoi, _ = report(client, settings, "TIN 00070 danh bac o pho co", REPORTERS[2])
    run_worker(rt.redis)
    login(client, accounts.supervisor)  # Thanh Hoa's: Ha Noi's tips are not theirs
    target = tip_of(rt, second)
    page = post(client, f"/admin/tips/{target.id}/link", {"reference": hanoi},
                follow_redirects=True).get_data(as_text=True)
    assert f"Không có tin báo {hanoi} trong phạm vi bạn được xem." in page
    assert tip_of(rt, second).duplicate_of_id is None
    post(client, f"/admin/tips/{target.id}/link", {"reference": f" {first[:3]} {first[3:]} "})
    assert tip_of(rt, second).duplicate_of_id == tip_of(rt, first).id
    joined_page = client.get(f"/admin/tips/{target.id}").get_data(as_text=True)
    case_page = client.get(f"/admin/tips/{tip_of(rt, first).id}").get_data(as_text=True)
    assert f'>{first}</a>' in joined_page and "Cùng vụ việc với" in joined_page
    assert f'>{second}</a>' in case_page and "Các tin báo cùng vụ việc" in case_page
    assert "Gộp vào vụ việc của tin báo khác" in joined_page  # the timeline, in words
    export = client.get("/admin/reports/tips.csv").get_data(as_text=True)
    rows_by_reference = {row["reference"]: row for row in csv.DictReader(io.StringIO(export))}
    assert rows_by_reference[second]["same_case_as"] == first
    assert rows_by_reference[first]["same_case_as"] == ""
