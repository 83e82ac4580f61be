"""Logging in: argon2 passwords, a fresh session, throttling, CSRF on every form, cookies."""

from sqlalchemy import update

from db.models import AuditLog, Tip, TipEvent, User
from db.session import transaction
from tests.admin import PASSWORD, login, post, token
from tests.helpers import count, rows, run_worker, sms


def test_pages_send_an_anonymous_visitor_to_the_login_form(client):
    response = client.get("/admin/tips?status=received")
    assert response.status_code == 302
    assert response.location == "/admin/login?next=%2Fadmin%2Ftips%3Fstatus%3Dreceived"


def test_a_login_renews_the_session_and_is_audited(client, accounts, app):
    before = token(client)
    response = login(client, accounts.supervisor)
    assert response.status_code == 302 and response.location == "/admin/"
    after = token(client)
    assert after != before  # nothing planted before the login survives it
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/admin/").status_code == 200
    engine = app.extensions["tinbao"].engine
    [entry] = rows(engine, AuditLog, AuditLog.action == "login")
    assert entry.target == accounts.supervisor and entry.actor.startswith("user:")
    assert rows(engine, User, User.email == accounts.supervisor)[0].last_login_at is not None


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, accounts, app):
    wrong = login(client, accounts.admin, "not the password")
    unknown = login(client, "nobody@tinbao.test", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Sai email hoặc mật khẩu." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    engine = app.extensions["tinbao"].engine
    assert count(engine, AuditLog, AuditLog.action == "login_failed") == 2


def test_five_failures_lock_the_account_even_for_the_right_password(client, accounts):
    for _ in range(5):
        assert login(client, accounts.officer, "guess guess guess").status_code == 401
    locked = login(client, accounts.officer)
    assert locked.status_code == 401
    assert "thử lại sau 15 phút" in locked.get_data(as_text=True)
    assert login(client, accounts.admin).status_code == 302  # other accounts are not affected


def test_a_deactivated_user_cannot_log_in_and_loses_their_session(client, accounts, app):
    assert login(client, accounts.officer).status_code == 302
    with transaction(app.extensions["tinbao"].engine) as session:
        session.execute(update(User).where(User.email == accounts.officer).values(active=False))
    assert client.get("/admin/").status_code == 302
    assert login(client, accounts.officer).status_code == 401


def test_a_form_without_its_csrf_token_is_rejected_and_changes_nothing(client, settings, rt,
                                                                      accounts):
    sms(client, settings, "TIN 15865 co nguoi ban ma tuy o bai song")
    run_worker(rt.redis)
    [tip] = rows(rt.engine, Tip)
    login(client, accounts.officer)
    events = count(rt.engine, TipEvent)
    refused = client.post(f"/admin/tips/{tip.id}/acknowledge")
    forged = client.post(f"/admin/tips/{tip.id}/acknowledge", data={"csrf_token": "forged"})
    assert refused.status_code == forged.status_code == 400
    assert count(rt.engine, TipEvent) == events
    assert rows(rt.engine, Tip)[0].status.value == "dispatched"
    assert client.post("/admin/login", data={"email": accounts.admin,
                                              "password": PASSWORD}).status_code == 400
    assert post(client, f"/admin/tips/{tip.id}/acknowledge").status_code == 302
    assert rows(rt.engine, Tip)[0].status.value == "acknowledged"


def test_logout_ends_the_session(client, accounts):
    login(client, accounts.admin)
    assert client.get("/admin/logout").status_code == 405  # never by a plain link
    assert post(client, "/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_after_login_only_a_path_of_this_site_is_followed(client, accounts):
    data = {"email": accounts.admin, "password": PASSWORD}
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = post(client, f"/admin/login?next={target}", data)
        assert response.location == "/admin/"
        post(client, "/admin/logout")
    assert post(client, "/admin/login?next=/admin/tips", data).location == "/admin/tips"


def test_english_is_one_switch_away_and_vietnamese_is_the_default(client, accounts):
    login(client, accounts.admin)
    assert "Tổng quan" in client.get("/admin/").get_data(as_text=True)
    post(client, "/admin/language", {"lang": "en", "next": "/admin/"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "Dashboard" in page and "Tổng quan" not in page
    assert '<label for="email">E-mail</label>' not in page  # labels checked on the login form
    post(client, "/admin/logout")
    assert '<label for="email">E-mail</label>' in client.get("/admin/login").get_data(as_text=True)


def test_secure_cookies_outside_demo_mode(database_url, redis_url):
    from gateway import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, redis_url))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "simulator" not in app.blueprints
    app.extensions["tinbao"].engine.dispose()


def test_a_missing_or_forbidden_page_is_answered_in_the_users_language(client, accounts):
    login(client, accounts.officer)
    missing = client.get("/admin/khong-co-trang-nay")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404 and '<html lang="vi">' in page
    assert "Trang này không tồn tại, hoặc nằm ngoài phạm vi tài khoản của bạn được xem." in page
    assert '<a href="/admin/">Về trang tổng quan</a>' in page  # a way back
    other = client.get("/admin/tips/999999")  # no such tip: the same words as another's
    assert other.status_code == 404 and "Trang này không tồn tại" in other.get_data(as_text=True)
    post(client, "/admin/language", {"lang": "en", "next": "/admin/"})
    assert "This page does not exist" in client.get("/admin/nothing-here").get_data(as_text=True)
    webhook = client.get("/webhooks/twilio/sms")  # a machine's route keeps the plain answer
    assert webhook.status_code == 405 and "admin" not in webhook.get_data(as_text=True)
