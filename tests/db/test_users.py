"""Web users: argon2 hashes, the lockout clock, and the demo's logins."""

from datetime import timedelta

import pytest

from db import users
from db.models import Officer, OfficerKind, Role, User
from db.session import make_engine, transaction, utcnow
from tests.helpers import rows

PASSWORD = "correct horse battery"


@pytest.fixture
def engine(settings, officers):
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


def attempt(engine, password: str, now):
    with transaction(engine) as session:
        result = users.authenticate(session, " Admin@Tinbao.test ", password, now)
        return result.user is not None, result.locked


def test_five_failures_lock_for_fifteen_minutes_then_the_password_works(engine):
    now = utcnow()
    with transaction(engine) as session:
        users.create(session, "admin@tinbao.test", PASSWORD, Role.ADMIN, now)
    assert attempt(engine, PASSWORD, now) == (True, False)
    for n in range(4):
        assert attempt(engine, "wrong", now + timedelta(seconds=n)) == (False, False)
    assert attempt(engine, "wrong", now + timedelta(seconds=5)) == (False, True)
    assert attempt(engine, PASSWORD, now + timedelta(minutes=14)) == (False, True)
    assert attempt(engine, PASSWORD, now + timedelta(minutes=16)) == (True, False)
    [user] = rows(engine, User)
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_success_resets_the_count_of_failures(engine):
    now = utcnow()
    with transaction(engine) as session:
        users.create(session, "admin@tinbao.test", PASSWORD, Role.ADMIN, now)
    for _ in range(4):
        attempt(engine, "wrong", now)
    attempt(engine, PASSWORD, now)
    for _ in range(4):
        assert attempt(engine, "wrong", now) == (False, False)


def test_short_passwords_and_missing_scopes_are_refused(engine):
    now = utcnow()
    with transaction(engine) as session:
        with pytest.raises(users.UserError, match="at least 10"):
            users.create(session, "a@tinbao.test", "short", Role.ADMIN, now)
        with pytest.raises(users.UserError, match="needs an existing officer"):
            users.create(session, "b@tinbao.test", PASSWORD, Role.OFFICER, now, officer_id=99999)
        with pytest.raises(users.UserError, match="not an e-mail"):
            users.create(session, "nobody", PASSWORD, Role.ADMIN, now)


def test_the_demo_gets_an_admin_and_one_login_per_officer_and_desk_once(engine):
    now = utcnow()
    assert users.seed_demo(engine, "admin@tinbao.demo", PASSWORD, "officer password", now) == 169
    assert users.seed_demo(engine, "admin@tinbao.demo", PASSWORD, "officer password", now) == 0
    [officer] = rows(engine, User, User.email == "ca15865@tinbao.demo")
    assert officer.role == Role.OFFICER and officer.officer_id is not None
    with transaction(engine) as session:
        assert users.authenticate(session, "ca15865@tinbao.demo", "officer password",
                                  now).user is not None
    for email, kind in (("truc-ban-38@tinbao.demo", OfficerKind.PROVINCE_DESK),
                        ("truc-ban-quoc-gia@tinbao.demo", OfficerKind.NATIONAL_DESK)):
        [desk] = rows(engine, User, User.email == email)
        [linked] = rows(engine, Officer, Officer.id == desk.officer_id)
        assert (desk.role, desk.province_code, linked.kind) == (Role.OFFICER, None, kind)
        with transaction(engine) as session:
            assert users.authenticate(session, email, "officer password", now).user is not None
    assert not rows(engine, User, User.role != Role.OFFICER, User.email != "admin@tinbao.demo")


def test_a_taken_desk_login_gets_the_officer_id_appended(engine):
    now = utcnow()
    with transaction(engine) as session:
        users.create(session, "truc-ban-38@tinbao.demo", PASSWORD, Role.SUPERVISOR, now,
                     province_code=38)
    users.seed_demo(engine, "admin@tinbao.demo", PASSWORD, "officer password", now)
    [desk] = rows(engine, Officer, Officer.kind == OfficerKind.PROVINCE_DESK)
    [login] = rows(engine, User, User.officer_id == desk.id)
    assert login.email == f"truc-ban-38-{desk.id}@tinbao.demo" and login.role == Role.OFFICER
