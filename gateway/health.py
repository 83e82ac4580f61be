"""GET /healthz: is the database reachable, is Redis?"""

from flask import Blueprint, jsonify

from db.session import ping
from gateway.services import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 while tips can be taken (database up); Redis down only delays dispatch."""
    svc = services()
    report = {"database": "ok", "redis": "ok"}
    if not ping(svc.engine):
        report["database"] = "down"
    try:
        svc.redis.ping()
    except Exception:
        report["redis"] = "down"
    healthy = report["database"] == "ok"
    report["status"] = "ok" if healthy and report["redis"] == "ok" else (
        "degraded" if healthy else "down")
    return jsonify(report), 200 if healthy else 503
