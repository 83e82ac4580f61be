"""The dashboard's figures equal a reference computed here, independently, from seeded tips
with known timings; the CSV report carries the same numbers; every officer can be paged to."""

import csv
import io
import re
import statistics
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest

from db import metrics
from db.models import Officer
from db.session import reading, utcnow
from tests.admin import login
from tests.helpers import rows
from tests.seed import Spec, insert_tips

HOANG_HOA, OTHER, HANOI = 15865, 14797, 4  # two communes of Thanh Hoa (38), one of Ha Noi (1)
M = 60  # seconds in a minute
H = 3600


def specs(now, officer: int) -> list[Spec]:
    """Tips in and around the last 30 days; timings in seconds after arrival."""
    day = timedelta(days=1)
    return [
        Spec(HOANG_HOA, now - 2 * day, 10, 5 * M, 2 * H, True, officer_id=officer),
        Spec(HOANG_HOA, now - 3 * day, 20, 50 * M, None, False, officer_id=officer),  # breach
        Spec(HOANG_HOA, now - 4 * day, 30, 12 * M, 30 * H, True, "trom_cap", "ussd",
             officer_id=officer),
        Spec(HOANG_HOA, now - 5 * day, 15, None, None, None, overdue=True,
             officer_id=officer),  # SLA chain exhausted, breach
        Spec(HOANG_HOA, now - 25 * day, 12, 20 * M, None, None, "cuop", "voice", urgent=True,
             officer_id=officer),  # urgent breach; open past its 20-day legal deadline
        Spec(OTHER, now - 1 * day, 5, 3 * M, 4 * H, True, "danh_bac"),
        Spec(OTHER, now - 6 * day, 8, None, None, False, closed=True),  # spam: processed
        Spec(OTHER, now - 7 * day, None, None, None, None, "khac"),  # never dispatched
        Spec(HANOI, now - 2 * day, 6, 8 * M, 1 * H, True, "trom_cap"),
        Spec(HANOI, now - 9 * day, 9, 40 * M, None, None),  # breach
        # outside the period
        Spec(HOANG_HOA, now - 45 * day, 10, 60, 120, True),
        Spec(HANOI, now - 31 * day, 10, 60, 120, True),
    ]


def p90(values):
    return values[0] if len(values) == 1 else statistics.quantiles(values, n=10,
                                                                    method="inclusive")[8]


def reference(tips: list[Spec], now) -> dict:
    """The figures, computed straight from the specs."""
    inside = [s for s in tips if now - timedelta(days=29.6) <= s.created]
    sla = {True: 300, False: 1800}
    out = {"received": len(inside),
           "valuable": sum(1 for s in inside if s.valuable is True),
           "processed": sum(1 for s in inside if s.resolve is not None or s.closed),
           "overdue": sum(1 for s in inside if s.overdue or (
               s.resolve is None and not s.closed and s.created + timedelta(days=20) < now)),
           "breaches": sum(1 for s in inside if s.dispatch is not None and (
               (s.ack if s.ack is not None else (now - s.created).total_seconds())
               - s.dispatch > sla[s.urgent]))}
    for stage in ("dispatch", "ack", "resolve"):
        values = [getattr(s, stage) for s in inside if getattr(s, stage) is not None]
        out[stage] = (statistics.median(values), p90(values)) if values else (None, None)
    return out


@pytest.fixture
def seeded(app):
    engine = app.extensions["tinbao"].engine
    officer = rows(engine, Officer, Officer.commune_code == HOANG_HOA)[0].id
    now = utcnow()
    tips = specs(now, officer)
    insert_tips(engine, tips, events=True)
    return tips, now


def figures(app, scope_condition, commune=None):
    svc = app.extensions["tinbao"]
    now = utcnow()
    period = metrics.Period(now - timedelta(days=29.6), now + timedelta(minutes=1),
                            commune_code=commune)
    with reading(svc.engine) as session:
        return metrics.report(session, svc.settings, scope_condition, period, now)


def assert_same(found: metrics.Figures, expected: dict):
    for name in ("received", "valuable", "processed", "overdue", "breaches"):
        assert getattr(found, name) == expected[name], name
    for stage in ("dispatch", "ack", "resolve"):
        got = found.times.get(stage, (None, None))
        want = expected[stage]
        assert got == pytest.approx(want, abs=0.01) if want[0] is not None else got == want, stage


def test_totals_times_and_breaches_equal_the_reference(app, seeded):
    from sqlalchemy import true

    tips, now = seeded
    report = figures(app, true())
    assert_same(report.total, reference(tips, now))
    by_commune = {f.key: f for f in report.communes}
    for commune in (HOANG_HOA, OTHER, HANOI):
        assert_same(by_commune[commune], reference([s for s in tips if s.commune == commune],
                                                   now))
    assert {f.key: f.received for f in report.channels} == {"sms": 8, "ussd": 1, "voice": 1}
    officer = rows(app.extensions["tinbao"].engine, Officer, Officer.commune_code == HOANG_HOA)[0]
    [mine] = [f for f in report.officers if f.key == officer.id]
    assert_same(mine, reference([s for s in tips if s.officer_id == officer.id], now))
    assert sum(n for _, n in report.days) == 10 and len(report.days) in (30, 31)
    spread = dict(report.ack_spread)
    assert (spread["< 5 min"], spread["5-15 min"], spread["15-30 min"]) == (1, 3, 1)
    assert (spread["30-60 min"], spread["-"]) == (2, 3)


def test_a_supervisor_sees_their_province_and_the_page_shows_the_reference(client, accounts,
                                                                           seeded):
    tips, now = seeded
    login(client, accounts.supervisor)
    page = client.get("/admin/").get_data(as_text=True)
    expected = reference([s for s in tips if s.commune != HANOI], now)
    for name in ("received", "valuable", "processed", "overdue", "breaches"):
        assert f'id="{name}">{expected[name]}<' in page, name
    assert f'id="breaches">{expected["breaches"]}</span> chậm tiếp nhận</div>' in page
    for stage in ("dispatch", "ack", "resolve"):
        median, high = expected[stage]
        assert f'data-stage="{stage}-median">{duration(median)}<' in page
        assert f'data-stage="{stage}-p90">{duration(high)}<' in page
    assert "Ba Đình" not in page  # Ha Noi is outside a Thanh Hoa supervisor's scope


def test_the_csv_report_carries_the_dashboard_figures(client, accounts, seeded):
    tips, now = seeded
    login(client, accounts.admin)
    text = client.get("/admin/reports/communes.csv").get_data(as_text=True)
    lines = {row["commune_code"]: row for row in csv.DictReader(io.StringIO(text))}
    for key, chosen in (("total", tips), (str(HOANG_HOA), [s for s in tips
                                                           if s.commune == HOANG_HOA])):
        expected = reference(chosen, now)
        row = lines[key]
        for name in ("received", "valuable", "processed", "overdue"):
            assert int(row[name]) == expected[name], (key, name)
        assert int(row["sla_breaches"]) == expected["breaches"]
        for stage in ("dispatch", "ack", "resolve"):
            for label, value in zip(("median", "p90"), expected[stage], strict=True):
                cell = row[f"{label}_{stage}_min"]
                assert cell == ("" if value is None else f"{value / 60:.1f}"), (key, stage)
    assert set(lines) == {"total", str(HOANG_HOA), str(OTHER), str(HANOI)}


class TimeCells(HTMLParser):
    """The response-time cells of one figures table: {row key: {stage: 'median / p90'}}."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.row, self.stage = table_id, False, None, None
        self.found: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "table":
            self.inside = attrs.get("id") == self.table_id
        elif self.inside and tag == "tr" and "data-key" in attrs:
            self.row = self.found.setdefault(attrs["data-key"], {})
        elif self.inside and tag == "td" and self.row is not None and "data-stage" in attrs:
            self.stage = attrs["data-stage"]
            self.row[self.stage] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.stage = None
        elif tag == "table":
            self.inside, self.row = False, None

    def handle_data(self, data: str) -> None:
        if self.stage is not None:
            self.row[self.stage] += data


def time_cells(page: str, table_id: str) -> dict[str, dict[str, str]]:
    parser = TimeCells(table_id)
    parser.feed(page)
    return parser.found


def duration(seconds: float | None) -> str:
    """A time as the Vietnamese page shows it: '3,9 phút', '2,5 giờ', '3,0 ngày'."""
    if seconds is None:
        return "-"
    minutes = seconds / 60
    value, unit = ((minutes, "phút") if minutes < 120 else (minutes / 60, "giờ")
                   if minutes < 2880 else (minutes / 1440, "ngày"))
    return f"{value:.1f} {unit}".replace(".", ",")


def shown(found: metrics.Figures, stage: str) -> str:
    median, high = found.times.get(stage, (None, None))
    return f"{duration(median)} / {duration(high)}"


def test_the_commune_and_officer_tables_show_dispatch_times_equal_to_the_report(
        app, client, accounts, seeded):
    from sqlalchemy import true

    tips, now = seeded
    login(client, accounts.admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Chuyển (trung vị / p90)" in page  # the column, in Vietnamese by default
    report = figures(app, true())
    communes, officers = time_cells(page, "communes"), time_cells(page, "officers")
    for commune in (HOANG_HOA, OTHER, HANOI):
        [found] = [f for f in report.communes if f.key == commune]
        expected = reference([s for s in tips if s.commune == commune], now)
        assert found.times["dispatch"] == pytest.approx(expected["dispatch"], abs=0.01)
        for stage in ("dispatch", "ack", "resolve"):
            assert communes[str(commune)][stage] == shown(found, stage), (commune, stage)
    officer = rows(app.extensions["tinbao"].engine, Officer, Officer.commune_code == HOANG_HOA)[0]
    [mine] = [f for f in report.officers if f.key == officer.id]
    expected = reference([s for s in tips if s.officer_id == officer.id], now)
    assert expected["dispatch"] == (15, pytest.approx(26.0))  # 10, 12, 15, 20, 30 seconds
    assert mine.times["dispatch"] == pytest.approx(expected["dispatch"], abs=0.01)
    for stage in ("dispatch", "ack", "resolve"):
        assert officers[str(officer.id)][stage] == shown(mine, stage), stage
    [unrouted] = [f for f in report.officers if f.key is None]
    assert officers[""]["dispatch"] == shown(unrouted, "dispatch")


def pager_links(page: str, label: str) -> list[str]:
    nav = re.search(rf'<nav class="pager" aria-label="{label}">(.*?)</nav>', page, re.S)
    assert nav, f"no pager {label!r}"
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', nav.group(1))]


@pytest.fixture
def staff(app) -> list[Officer]:
    """Sixty demo officers, each of their own commune."""
    found = sorted(rows(app.extensions["tinbao"].engine, Officer,
                        Officer.commune_code.is_not(None)), key=lambda o: o.id)[:60]
    assert len({o.commune_code for o in found}) == 60
    return found


def test_the_officers_table_pages_to_officer_51_and_beyond(app, client, accounts, staff):
    engine, now = app.extensions["tinbao"].engine, utcnow()
    # The first 50 receive two tips each, the last 10 one: they rank 51st to 60th.
    insert_tips(engine, [Spec(o.commune_code, now - timedelta(hours=h), 10, 60, None,
                              officer_id=o.id)
                         for i, o in enumerate(staff) for h in range(1 if i >= 50 else 2)])
    login(client, accounts.admin)
    first = client.get("/admin/").get_data(as_text=True)
    assert set(time_cells(first, "officers")) == {str(o.id) for o in staff[:50]}
    [after] = pager_links(first, "Trang danh sách cán bộ")
    assert "opage=2" in after and "from=" in after and "to=" in after
    second = client.get(after).get_data(as_text=True)
    assert set(time_cells(second, "officers")) == {str(o.id) for o in staff[50:]}
    assert time_cells(second, "communes") == time_cells(first, "communes")  # page 1 still


def test_each_pager_keeps_the_period_place_and_the_other_tables_page(app, client, accounts,
                                                                     staff):
    engine, now = app.extensions["tinbao"].engine, utcnow()
    insert_tips(engine, [Spec(o.commune_code, now - timedelta(hours=1), 10, 60, None,
                              officer_id=o.id) for o in staff])
    login(client, accounts.admin)
    day = now.date()
    query = f"from={day - timedelta(days=3)}&to={day + timedelta(days=1)}&province=38"
    page = client.get(f"/admin/?{query}&page=2&opage=2").get_data(as_text=True)
    for label, mine, other in (("Trang danh sách xã/phường", "page", "opage"),
                               ("Trang danh sách cán bộ", "opage", "page")):
        links = pager_links(page, label)
        assert links, label
        for link in links:
            assert re.search(rf"[?&]{mine}=[13]\b", link), (label, link)
            assert re.search(rf"[?&]{other}=2\b", link), (label, link)
            assert "province=38" in link, (label, link)
            assert f"from={day - timedelta(days=3)}" in link, (label, link)
