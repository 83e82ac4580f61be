"""A supervisor's and an officer's day in a real browser: log in, read the dashboard, filter
the list, act on a tip, export CSV, use the phone simulator, and meet a 404 outside scope."""

import csv

from playwright.sync_api import expect

from db.models import Officer, Tip, TipStatus
from tests import privacy
from tests.admin import OFFICER_COMMUNE, PASSWORD
from tests.browser.conftest import shot
from tests.helpers import rows, run_worker, sms
from tests.privacy import REPORTERS


def log_in(page, server: str, email: str) -> None:
    page.goto(f"{server}/admin/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Tổng quan")).to_be_visible()


def clean(page) -> None:
    privacy.assert_text_clean(page.content(), f"the page at {page.url}")


def test_log_in_read_the_dashboard_filter_act_and_export(page, server, app, settings, rt,
                                                         accounts, tmp_path):
    client = app.test_client()
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    sms(client, settings, "TIN 14797 trom xe may o cho", sender=REPORTERS[1])
    run_worker(rt.redis)
    log_in(page, server, accounts.supervisor)
    expect(page.locator("#received")).to_have_text("2")
    expect(page.locator("figure.chart svg rect.bar").first).to_be_attached()
    clean(page)
    shot(page, "dashboard")

    page.get_by_role("link", name="Tin báo", exact=True).click()
    page.get_by_label("Loại").select_option("ma_tuy")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("#total")).to_have_text("1")
    clean(page)
    shot(page, "tips-filtered")

    [tip] = rows(rt.engine, Tip, Tip.category == "ma_tuy")
    page.get_by_role("link", name=tip.reference).click()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(page.locator("#status")).to_have_text("đã tiếp nhận")
    expect(page.locator("#timeline .kind[data-kind=acknowledged]")).to_have_text("Đã tiếp nhận")
    clean(page)
    shot(page, "tip-acknowledged")
    assert rows(rt.engine, Tip, Tip.id == tip.id)[0].status == TipStatus.ACKNOWLEDGED

    page.goto(f"{server}/admin/tips")
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất CSV").click()
    path = tmp_path / "tips.csv"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    lines = list(csv.DictReader(text.splitlines()))
    assert {line["reference"] for line in lines} == {t.reference for t in rows(rt.engine, Tip)}
    privacy.assert_text_clean(text, "the CSV export")


def test_a_tip_from_the_virtual_phone_reaches_the_officer_who_acknowledges_it(page, server, rt,
                                                                              accounts):
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    log_in(page, server, accounts.admin)
    page.goto(f"{server}/simulator?officer={officer.id}")
    page.get_by_label("Số máy").fill(REPORTERS[2])
    page.get_by_role("button", name="Dùng").click()
    page.locator("#reporter-text").fill("TIN 15865 co nguoi la mat cho hang cam o thon 3")
    page.locator("#reporter-send").click()
    expect(page.locator("#reporter-thread")).to_contain_text("Da nhan tin bao")
    [tip] = rows(rt.engine, Tip)
    run_worker(rt.redis)  # dispatch: the officer's phone picks it up by itself (simulator.js)
    expect(page.locator("#officer-thread")).to_contain_text(f"TIN BAO {tip.reference}")
    clean(page)
    shot(page, "simulator-dispatched")
    page.goto(f"{server}/simulator?officer={officer.id}")
    page.locator("#officer-ok").click()
    expect(page.locator("#officer-thread")).to_contain_text(
        f"Da ghi nhan: ban tiep nhan tin bao {tip.reference}")
    run_worker(rt.redis)
    expect(page.locator("#reporter-thread")).to_contain_text("da duoc can bo tiep nhan")
    shot(page, "simulator-acknowledged")
    page.goto(f"{server}/admin/tips")
    row = page.locator("tr", has=page.get_by_role("link", name=tip.reference))
    expect(row).to_contain_text("đã tiếp nhận")
    clean(page)


def test_an_officer_of_another_commune_gets_404_for_a_tip_by_url(page, server, app, settings, rt,
                                                                  accounts):
    sms(app.test_client(), settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    [tip] = rows(rt.engine, Tip)
    log_in(page, server, accounts.stranger)
    response = page.goto(f"{server}/admin/tips/{tip.id}")
    assert response.status == 404
    shot(page, "officer-other-commune-404")
    page.goto(f"{server}/admin/tips")
    expect(page.locator("#total")).to_have_text("0")


def test_the_dashboard_fits_a_phone_screen(browser, server, accounts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, server, accounts.officer)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot(page, "dashboard-phone")
    context.close()
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
