"""`tinbao up`'s banner: every demo login it created, with the passwords to use."""

from db.settings import Settings
from gateway import demo


def test_the_banner_prints_the_admin_officer_and_duty_desk_logins(capsys):
    settings = Settings(demo=True, default_province=38, admin_password="admin-secret",
                        demo_officer_password="officer-secret")
    demo._banner(5000, "+447700900010", settings)
    out = capsys.readouterr().out
    assert "admin@tinbao.demo / admin-secret" in out
    assert "ca<commune code>@tinbao.demo / officer-secret" in out
    assert "truc-ban-38@tinbao.demo" in out and "truc-ban-quoc-gia@tinbao.demo" in out
