"""Every admin and simulator route, for every role: allowed, refused (403) or not found (404).

Objects outside a user's scope answer 404, exactly like objects that do not exist. A new
route fails test_every_route_is_in_the_table until its row is added here.
"""

import pytest
from sqlalchemy import update

from db.models import Officer, Tip, User
from db.session import transaction
from tests.admin import OFFICER_COMMUNE, create_accounts, login, post, token
from tests.helpers import rows, run_worker, sms

ROLES = ("anonymous", "officer", "stranger", "supervisor", "far_supervisor", "admin")
OK, MOVED, NO, GONE = 200, 302, 403, 404
ALL = (MOVED, OK, OK, OK, OK, OK)
ALL_POST = (MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)
SCOPED = (MOVED, OK, GONE, OK, GONE, OK)
SCOPED_POST = (MOVED, MOVED, GONE, MOVED, GONE, MOVED)
SCOPED_REDIRECT = (MOVED, MOVED, GONE, MOVED, GONE, MOVED)
MANAGERS = (MOVED, NO, NO, OK, OK, OK)
MANAGERS_SCOPED = (MOVED, NO, NO, OK, GONE, OK)
MANAGERS_SCOPED_POST = (MOVED, NO, NO, MOVED, GONE, MOVED)
ADMIN = (MOVED, NO, NO, NO, NO, OK)
ADMIN_POST = (MOVED, NO, NO, NO, NO, MOVED)
PUBLIC = (OK,) * 6

# (method, rule) → URL to request, form data, expected status per role (ROLES order)
TABLE = {
    ("GET", "/admin/login"): ("/admin/login", None, PUBLIC),
    ("POST", "/admin/logout"): ("/admin/logout", {}, ALL_POST),
    ("POST", "/admin/language"): ("/admin/language", {"lang": "en"}, ALL_POST),
    ("GET", "/admin/"): ("/admin/", None, ALL),
    ("GET", "/admin/tips"): ("/admin/tips?q=ma+tuy", None, ALL),
    ("GET", "/admin/tips/<int:tip_id>"): ("/admin/tips/{tip}", None, SCOPED),
    ("GET", "/admin/tips/<int:tip_id>/recording"): ("/admin/tips/{tip}/recording", None,
                                                    SCOPED_REDIRECT),
    ("POST", "/admin/tips/<int:tip_id>/<action>"): ("/admin/tips/{tip}/note", {"text": "x"},
                                                    SCOPED_POST),
    ("GET", "/admin/reports/communes.csv"): ("/admin/reports/communes.csv", None, ALL),
    ("GET", "/admin/reports/tips.csv"): ("/admin/reports/tips.csv", None, ALL),
    ("GET", "/admin/communes"): ("/admin/communes?q=hoang", None, ALL),
    ("GET", "/admin/officers"): ("/admin/officers", None, ALL),
    ("GET", "/admin/officers/new"): ("/admin/officers/new", None, MANAGERS),
    ("GET", "/admin/officers/<int:officer_id>"): ("/admin/officers/{officer}", None,
                                                  MANAGERS_SCOPED),
    ("POST", "/admin/officers/<int:officer_id>/active"): ("/admin/officers/{officer}/active",
                                                         {}, MANAGERS_SCOPED_POST),
    ("GET", "/admin/officers.csv"): ("/admin/officers.csv", None, ADMIN),
    ("POST", "/admin/officers/import"): ("/admin/officers/import", {}, ADMIN_POST),
    ("GET", "/admin/users"): ("/admin/users", None, ADMIN),
    ("GET", "/admin/users/new"): ("/admin/users/new", None, ADMIN),
    ("GET", "/admin/users/<int:user_id>"): ("/admin/users/{user}", None, ADMIN),
    ("GET", "/admin/audit"): ("/admin/audit", None, ADMIN),
    ("GET", "/simulator"): ("/simulator", None, ALL),
    ("GET", "/simulator/reporter"): ("/simulator/reporter", None, ALL),
    ("GET", "/simulator/officer/<int:officer_id>"): ("/simulator/officer/{officer}", None,
                                                     SCOPED),
    ("POST", "/simulator/number"): ("/simulator/number", {"phone": "+447700900902"}, ALL_POST),
    ("POST", "/simulator/sms"): ("/simulator/sms", {"text": "GIUP"}, ALL_POST),
    ("POST", "/simulator/officer/<int:officer_id>/sms"): ("/simulator/officer/{officer}/sms",
                                                         {"text": "DS"}, SCOPED_POST),
    ("POST", "/simulator/ussd"): ("/simulator/ussd", {"dial": "1"}, ALL_POST),
    ("POST", "/simulator/call"): ("/simulator/call", {"do": "dial"}, ALL_POST),
}
# Rules answered by the same view for both GET and POST are listed once, by GET.
FORMS = {"/admin/login", "/admin/officers/new", "/admin/officers/<int:officer_id>",
         "/admin/users/new", "/admin/users/<int:user_id>"}


def routes(app) -> set[tuple[str, str]]:
    """(method, rule) of every admin and simulator route of the app."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/admin", "/simulator")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if not (method == "POST" and rule.rule in FORMS):
                    found.add((method, rule.rule))
    return found


def test_every_route_is_in_the_table(app):
    assert routes(app) == set(TABLE)


@pytest.fixture
def world(client, settings, rt, app):
    """A dispatched tip of Xa Hoang Hoa (with a recording) and a login for every role."""
    accounts = create_accounts(rt.engine)
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    with transaction(rt.engine) as session:
        session.execute(update(Tip).values(
            recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"))
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    admin = rows(rt.engine, User, User.email == accounts.admin)[0]
    return accounts, {"tip": tip.id, "officer": officer.id, "user": admin.id}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says_on_every_route(app, world, role):
    accounts, ids = world
    client = app.test_client()
    if role != "anonymous":
        assert login(client, getattr(accounts, role)).status_code == 302
    wrong = {}
    # Deactivating the officer and logging out come last: they change what follows.
    last = ("/admin/officers/<int:officer_id>/active", "/admin/logout")
    for route in sorted(TABLE, key=lambda r: (r[1] in last, r[1] == last[1], r)):
        path, data, expected = TABLE[route]
        path = path.format(**ids)
        response = client.get(path) if route[0] == "GET" else post(client, path, data)
        want = expected[ROLES.index(role)]
        if response.status_code != want:
            wrong[f"{route[0]} {path}"] = (response.status_code, want)
        if response.status_code == MOVED and role == "anonymous" and route[0] == "GET":
            assert response.location.startswith("/admin/login"), path
    assert not wrong, f"(got, expected): {wrong}"


def test_the_simulator_does_not_exist_outside_demo_mode(database_url, redis_url):
    from gateway import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, redis_url))
    client = app.test_client()
    token(client)
    assert client.get("/simulator").status_code == 404
    app.extensions["tinbao"].engine.dispose()
