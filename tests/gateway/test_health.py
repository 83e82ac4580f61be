"""GET /healthz reports the database and Redis."""

from gateway import create_app
from tests.conftest import make_settings


def test_health_is_ok_with_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"database": "ok", "redis": "ok", "status": "ok"}


def test_a_dead_redis_only_degrades_health(database_url, officers):
    app = create_app(make_settings(database_url, "redis://127.0.0.1:1/0"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json["redis"] == "down"
    assert response.json["status"] == "degraded"
    app.extensions["tinbao"].engine.dispose()


def test_a_dead_database_fails_health(redis_url, tmp_path):
    app = create_app(make_settings(f"sqlite:///{tmp_path}/missing/dir/x.db", redis_url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "down"


def test_with_queued_replies_health_reports_the_waiting_messages(database_url, redis_url,
                                                                   officers):
    from datetime import timedelta

    from sqlalchemy import update

    from db.models import InboxMessage
    from db.session import transaction, utcnow
    from tests.helpers import sms

    settings = make_settings(database_url, redis_url, SMS_REPLY="queued")
    app = create_app(settings)
    client = app.test_client()
    assert client.get("/healthz").json["inbox"] == {"waiting": 0, "oldest_seconds": 0.0}
    sms(client, settings, "TIN 15865 trom bo")
    report = client.get("/healthz").json
    assert report["inbox"]["waiting"] == 1 and report["status"] == "ok"
    engine = app.extensions["tinbao"].engine
    with transaction(engine) as session:  # no worker has taken it for ten minutes
        session.execute(update(InboxMessage).values(received_at=utcnow() - timedelta(minutes=10)))
    report = client.get("/healthz").json
    assert report["status"] == "degraded" and 599 < report["inbox"]["oldest_seconds"] < 700
    engine.dispose()
