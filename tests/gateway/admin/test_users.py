"""Admins manage logins and read the audit log; `tinbao users create` does the same."""

from db.models import AuditLog, Role, User
from tests.admin import PASSWORD, login, post
from tests.helpers import rows


def test_an_admin_creates_a_supervisor_who_can_then_log_in(client, rt, accounts, app):
    login(client, accounts.admin)
    form = {"email": "Sup.Nghe.An@tinbao.test", "name": "Nghe An", "role": "supervisor",
            "province_code": "40", "password": "a long enough password", "active": "y"}
    assert post(client, "/admin/users/new", form).status_code == 302
    [user] = rows(rt.engine, User, User.email == "sup.nghe.an@tinbao.test")
    assert (user.role, user.province_code) == (Role.SUPERVISOR, 40)
    assert user.password_hash.startswith("$argon2id$")
    refused = post(client, "/admin/users/new", {**form, "email": "x@tinbao.test",
                                                "province_code": ""})
    assert "a supervisor needs a province" in refused.get_data(as_text=True)
    post(client, "/admin/logout")
    assert login(client, "sup.nghe.an@tinbao.test", "a long enough password").status_code == 302


def test_the_audit_log_lists_logins_views_and_actions(client, accounts):
    login(client, accounts.officer, "wrong password!")
    login(client, accounts.admin)
    client.get("/admin/reports/communes.csv")
    page = client.get("/admin/audit").get_data(as_text=True)
    for action in ("login_failed", "login", "export"):
        assert f"<td>{action}</td>" in page
    assert f"<td>{accounts.admin}</td><td>export</td>" in page  # who, by login, not "user:1"
    assert "user:" not in page
    only = client.get("/admin/audit?action=export").get_data(as_text=True)
    assert "<td>login</td>" not in only


def test_an_admin_deactivates_a_login(client, rt, accounts):
    login(client, accounts.admin)
    [officer] = rows(rt.engine, User, User.email == accounts.officer)
    post(client, f"/admin/users/{officer.id}", {"email": officer.email, "role": "officer",
                                                "officer_id": str(officer.officer_id)})
    assert rows(rt.engine, User, User.id == officer.id)[0].active is False
    assert rows(rt.engine, AuditLog, AuditLog.action == "user_saved")[0].target == \
        f"user:{officer.id}"


def test_users_create_from_the_command_line(runner, rt):
    result = runner.invoke(args=["users", "create", "--email", "Admin2@tinbao.test", "--role",
                                 "admin"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "admin2@tinbao.test (admin) created" in result.output
    bad = runner.invoke(args=["users", "create", "--email", "s@tinbao.test", "--role",
                              "supervisor", "--password", PASSWORD])
    assert bad.exit_code != 0 and "a supervisor needs a province" in bad.output
    listing = runner.invoke(args=["users", "list"])
    assert "admin2@tinbao.test" in listing.output
