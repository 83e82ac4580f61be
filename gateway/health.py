"""GET /healthz: is the database reachable, is Redis?"""

from flask import Blueprint, jsonify

from db import inbox
from db.session import ping
from gateway.services import services

bp = Blueprint("health", __name__)
LATE_SECONDS = 300  # SMS_REPLY=queued: a message waiting longer means no worker is answering


@bp.get("/healthz")
def healthz():
    """200 while tips can be taken (database up); Redis down only delays dispatch. With
    SMS_REPLY=queued, the messages waiting for a worker too ("degraded" past 5 minutes)."""
    svc = services()
    report = {"database": "ok", "redis": "ok"}
    if not ping(svc.engine):
        report["database"] = "down"
    try:
        svc.redis.ping()
    except Exception:
        report["redis"] = "down"
    healthy = report["database"] == "ok"
    late = False
    if healthy and svc.settings.sms_reply == "queued":  # are the workers answering?
        waiting, oldest = inbox.backlog(svc.engine)
        report["inbox"] = {"waiting": waiting, "oldest_seconds": round(oldest, 1)}
        late = oldest > LATE_SECONDS
    report["status"] = "ok" if healthy and report["redis"] == "ok" and not late else (
        "degraded" if healthy else "down")
    return jsonify(report), 200 if healthy else 503
