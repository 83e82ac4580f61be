"""Every form POST and every tip action, for every role: allowed, or refused with nothing written.

test_rbac.py requests form routes only with GET and tip actions only with `note`; here each is
POSTed with a valid CSRF token (so a refusal is the role or scope check, not CSRF), and a
refused POST must leave every table traffic writes to exactly as it was. Scope refusals of a
form answer 200 with the form and its error (KEPT); other refusals are 403 or 404.
"""

import pytest
from sqlalchemy import select, update
from sqlmodel import SQLModel

from db.models import Officer, OfficerKind, OutboundMessage, Tip, User
from db.session import transaction
from gateway.admin.tips import ACTIONS
from tests.admin import (
    OFFICER_COMMUNE,
    PASSWORD,
    Accounts,
    CheckedClient,
    create_accounts,
    login,
    post,
)
from tests.conftest import MUTABLE
from tests.gateway.admin.test_rbac import (
    ADMIN_POST,
    FORMS,
    GONE,
    MANAGERS_SCOPED_POST,
    MOVED,
    NO,
    ROLES,
    SCOPED_POST,
)
from tests.helpers import reply_of, rows, run_worker, sms
from tests.privacy import REPORTERS

# The rules are the app's, not the database's: 132 isolated worlds run on SQLite only
# (test_rbac.py, on both backends, covers every route per role).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
KEPT = 200  # the form again, with why it was not saved
HA_NOI = 4  # Phuong Ba Dinh, Ha Noi (1): the far supervisor's province, not the supervisor's
NEW_PHONE = "+447700900999"  # the reserved drama range, unused by the demo officers
# ROLES order: anonymous, officer, stranger, supervisor, far_supervisor, admin
REMEDY = (MOVED, NO, GONE, MOVED, GONE, MOVED)  # blocking a sender: supervisors and admins
PROVINCE_38 = (MOVED, GONE, GONE, MOVED, GONE, MOVED)  # an officer may reassign to self only
EVERYWHERE = (MOVED, GONE, GONE, GONE, GONE, MOVED)
MANAGERS_HERE = (MOVED, NO, NO, MOVED, KEPT, MOVED)
MANAGERS_THERE = (MOVED, NO, NO, KEPT, MOVED, MOVED)
ADMIN_ONLY_KEPT = (MOVED, NO, NO, KEPT, KEPT, MOVED)
MANAGERS_SCOPED_KEPT = (MOVED, NO, NO, KEPT, GONE, MOVED)
PUBLIC_POST = (MOVED,) * 6


def officer_form(commune: int | str, kind: str = "commune", **extra) -> dict:
    """The officer form's fields."""
    return {"name": "Cong an moi", "phone": NEW_PHONE, "kind": kind, "commune_code": commune,
            "priority": "0", "active": "y", **extra}


# case → (rule, URL, form data, audit action of a save, expected status per role)
FORM_CASES = {
    "login": ("/admin/login", "/admin/login",
              {"email": Accounts.admin, "password": PASSWORD}, "login", PUBLIC_POST),
    "officer_new_in_thanh_hoa": ("/admin/officers/new", "/admin/officers/new",
                                 officer_form(OFFICER_COMMUNE), "officer_saved", MANAGERS_HERE),
    "officer_new_in_ha_noi": ("/admin/officers/new", "/admin/officers/new",
                              officer_form(HA_NOI), "officer_saved", MANAGERS_THERE),
    "officer_new_national_desk": ("/admin/officers/new", "/admin/officers/new",
                                  officer_form("", kind="national_desk"), "officer_saved",
                                  ADMIN_ONLY_KEPT),
    "officer_edit": ("/admin/officers/<int:officer_id>", "/admin/officers/{officer}",
                     officer_form(OFFICER_COMMUNE, name="Renamed", phone="{phone}"),
                     "officer_saved", MANAGERS_SCOPED_POST),
    "officer_moved_to_ha_noi": ("/admin/officers/<int:officer_id>", "/admin/officers/{officer}",
                                officer_form(HA_NOI, phone="{phone}"), "officer_saved",
                                MANAGERS_SCOPED_KEPT),
    "user_new_admin": ("/admin/users/new", "/admin/users/new",
                       {"email": "new@tinbao.test", "role": "admin",
                        "password": "another long password", "active": "y"},
                       "user_saved", ADMIN_POST),
    "user_officer_promoted_to_admin": ("/admin/users/<int:user_id>", "/admin/users/{user}",
                                       {"email": Accounts.officer, "role": "admin",
                                        "active": "y"}, "user_saved", ADMIN_POST),
}

# case → (action, form data, timeline event of a done action, expected status per role)
ACTION_CASES = {
    "acknowledge": ("acknowledge", {}, "acknowledged", SCOPED_POST),
    "resolve": ("resolve", {"decision": "prosecute", "note": "bat 2"}, "resolved", SCOPED_POST),
    "valuable": ("valuable", {}, "assessed", SCOPED_POST),
    "not_valuable": ("not_valuable", {}, "assessed", SCOPED_POST),
    "spam": ("spam", {}, "spam", SCOPED_POST),
    "transfer": ("transfer", {"commune": "14797"}, "transferred", SCOPED_POST),
    "reassign_to_own_officer": ("reassign", {"officer": "{officer}"}, "reassigned", SCOPED_POST),
    "reassign_to_province_desk": ("reassign", {"officer": "{desk}"}, "reassigned", PROVINCE_38),
    "reassign_to_national_desk": ("reassign", {"officer": "{national}"}, "reassigned",
                                  EVERYWHERE),
    "link": ("link", {"reference": "{other}"}, "linked", SCOPED_POST),
    "note": ("note", {"text": "da xac minh"}, "note", SCOPED_POST),
    "ask": ("ask", {"text": "xe mau gi?"}, "question", SCOPED_POST),
    "retry": ("retry", {"outbound": "{outbound}"}, "outbound_retried", SCOPED_POST),
    "block": ("block", {}, "reporter_blocked", REMEDY),
    "unblock": ("unblock", {}, "reporter_unblocked", REMEDY),
}


def test_every_form_rule_and_every_tip_action_is_in_the_tables():
    assert {case[0] for case in FORM_CASES.values()} == FORMS
    assert {case[0] for case in ACTION_CASES.values()} == set(ACTIONS)


def snapshot(engine) -> dict[str, list]:
    """Every row of every table that traffic writes to, in primary-key order."""
    tables = SQLModel.metadata.tables
    with transaction(engine) as session:
        return {name: list(session.execute(select(tables[name]).order_by(
                    *tables[name].primary_key.columns)).all()) for name in MUTABLE}


def added(before: dict, after: dict, table: str) -> list:
    """Rows of a table that were not there before."""
    return [row for row in after[table] if row not in before[table]]


def logged_in(app, accounts: Accounts, role: str):
    """A client of this role (anonymous: never logged in) that checks pages for reporter
    numbers."""
    app.test_client_class = CheckedClient
    client = app.test_client()
    if role != "anonymous":
        assert login(client, getattr(accounts, role)).status_code == MOVED
    return client


def fill(data: dict, ids: dict) -> dict:
    """Form data with the world's ids put in."""
    return {key: str(value).format(**ids) for key, value in data.items()}


def let_through(response, want: int, may_pass: bool, before: dict, after: dict) -> bool:
    """Assert the status; True when the POST got through (a refused one must write nothing)."""
    assert response.status_code == want, (response.status_code, want)
    through = want == MOVED and not response.location.startswith("/admin/login")
    if want == MOVED:  # anonymous: to the login page; anyone else: through
        assert through == may_pass, response.location
    if not through:
        assert after == before, "a refused POST wrote to the database"
    return through


@pytest.fixture
def directory_world(app, rt):
    """Logins for every role, the officer of Xa Hoang Hoa and that officer's login."""
    accounts = create_accounts(rt.engine)
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    user = rows(rt.engine, User, User.email == accounts.officer)[0]
    return accounts, {"officer": officer.id, "phone": officer.phone, "user": user.id}


@SQLITE_ONLY
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", FORM_CASES)
def test_a_form_post_is_saved_or_refused_by_role(app, rt, directory_world, case, role):
    accounts, ids = directory_world
    rule, path, data, saved_as, expected = FORM_CASES[case]
    client = logged_in(app, accounts, role)
    before = snapshot(rt.engine)
    response = post(client, path.format(**ids), fill(data, ids))
    after = snapshot(rt.engine)
    may_pass = role != "anonymous" or rule == "/admin/login"
    if let_through(response, expected[ROLES.index(role)], may_pass, before, after):
        assert saved_as in [row.action for row in added(before, after, "auditlog")]


@pytest.fixture
def tip_world(client, settings, rt, app):
    """A dispatched tip of Xa Hoang Hoa whose dispatch SMS failed, the officers it may be
    reassigned to, and a login for every role."""
    accounts = create_accounts(rt.engine)
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    [dispatch] = rows(rt.engine, OutboundMessage, OutboundMessage.purpose == "dispatch")
    with transaction(rt.engine) as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == dispatch.id)
                        .values(status="failed", last_error="twilio http 500 code 20500"))
    officer = rows(rt.engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    [desk] = rows(rt.engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK)
    [national] = rows(rt.engine, Officer, Officer.kind == OfficerKind.NATIONAL_DESK)
    other = reply_of(sms(client, settings, "TIN 15865 ban ma tuy o bai song", sender=REPORTERS[1]))
    return accounts, {"tip": tip.id, "officer": officer.id, "desk": desk.id,
                      "national": national.id, "outbound": dispatch.id,
                      "other": other.split("tin bao ", 1)[1][:6]}  # the same case, for "link"


@SQLITE_ONLY
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", ACTION_CASES)
def test_a_tip_action_is_done_or_refused_by_role(app, rt, tip_world, case, role):
    accounts, ids = tip_world
    action, data, event, expected = ACTION_CASES[case]
    client = logged_in(app, accounts, role)
    before = snapshot(rt.engine)
    response = post(client, f"/admin/tips/{ids['tip']}/{action}", fill(data, ids))
    after = snapshot(rt.engine)
    if let_through(response, expected[ROLES.index(role)], role != "anonymous", before, after):
        assert event in [row.kind for row in added(before, after, "tipevent")]
        assert f"tip_{action}" in [row.action for row in added(before, after, "auditlog")]
