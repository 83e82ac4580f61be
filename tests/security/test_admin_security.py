"""The admin view under attack: CSRF, session fixation, other communes' tips by URL, stored
XSS, injection strings, and pages that need no inline script under the CSP."""

from html.parser import HTMLParser

import pytest

from db.models import Tip
from tests.admin import CheckedClient, create_accounts, login, post
from tests.conftest import make_settings
from tests.helpers import rows, run_worker, sms
from tests.summary import record

XSS = '<script>alert("x")</script><img src=x onerror="alert(1)">'
INJECTION = "'; DROP TABLE tip; -- \" OR 1=1"


class Inline(HTMLParser):
    """Finds what a CSP without 'unsafe-inline' would block: inline scripts, on* handlers,
    style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        self.found += [f"{tag} {name}=" for name in names
                       if name.startswith("on") or name == "style"]


def inline_code(page: str) -> list[str]:
    parser = Inline()
    parser.feed(page)
    return parser.found


@pytest.fixture
def settings(database_url, redis_url):
    """Demo mode, so the simulator's pages are checked too."""
    return make_settings(database_url, redis_url, TINBAO_DEMO="1", USSD_SECRET="u" * 24)


@pytest.fixture
def client(app):
    app.test_client_class = CheckedClient
    return app.test_client()


@pytest.fixture
def accounts(app):
    return create_accounts(app.extensions["tinbao"].engine)


@pytest.fixture
def hostile(client, settings, rt) -> Tip:
    """A tip whose details try script injection and SQL injection."""
    sms(client, settings, f"TIN 15865 {XSS} {INJECTION}")
    run_worker(rt.redis)
    return rows(rt.engine, Tip)[0]


def test_a_form_without_its_csrf_token_is_refused(client, accounts, hostile):
    login(client, accounts.supervisor)
    refused = client.post(f"/admin/tips/{hostile.id}/acknowledge")
    assert refused.status_code == 400
    assert rows(client.application.extensions["tinbao"].engine, Tip)[0].acknowledged_at is None
    record("attacks", 1)


def test_logging_in_issues_a_new_session_and_the_old_cookie_opens_nothing(client, accounts):
    client.get("/admin/login")
    before = client.get_cookie("tinbao_session").value
    login(client, accounts.admin)
    after = client.get_cookie("tinbao_session").value
    assert after != before
    planted = client.application.test_client()
    planted.set_cookie("tinbao_session", before)
    assert planted.get("/admin/").status_code == 302  # back to the login page
    record("attacks", 1)


def test_an_officer_gets_404_for_another_communes_tip_by_url(client, accounts, hostile):
    login(client, accounts.stranger)
    assert client.get(f"/admin/tips/{hostile.id}").status_code == 404
    assert post(client, f"/admin/tips/{hostile.id}/acknowledge").status_code == 404
    record("attacks", 2)


def test_script_in_a_tip_is_shown_as_text_and_sql_is_stored_literally(client, accounts,
                                                                       hostile):
    assert hostile.details == f"{XSS} {INJECTION}"
    login(client, accounts.admin)
    for path in (f"/admin/tips/{hostile.id}", "/admin/tips", f"/admin/tips?q={INJECTION}"):
        page = client.get(path).get_data(as_text=True)
        assert '<script>alert("x")' not in page and 'onerror="alert(1)"' not in page, path
    assert "&lt;script&gt;" in client.get(f"/admin/tips/{hostile.id}").get_data(as_text=True)
    record("attacks", 3)


@pytest.mark.parametrize("path", ["/admin/login", "/admin/", "/admin/tips", "/admin/tips/{tip}",
                                  "/admin/communes", "/admin/officers", "/admin/users",
                                  "/admin/audit", "/simulator", "/simulator/reporter"])
def test_admin_pages_need_no_inline_script_and_send_the_csp(client, accounts, hostile, path):
    if path != "/admin/login":
        login(client, accounts.admin)
    response = client.get(path.format(tip=hostile.id), follow_redirects=True)
    assert response.status_code == 200, path
    assert inline_code(response.get_data(as_text=True)) == [], path
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"].split(
        "script-src")[1].split(";")[0]
