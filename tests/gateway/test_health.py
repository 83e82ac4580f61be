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
