"""While the database cannot be reached: answer 503 at once, so Twilio uses its fallback URL
and carriers retry, and log it (without the request: it may hold a number)."""

import logging

from flask import Flask, Response

from db.session import UNAVAILABLE

log = logging.getLogger(__name__)


def unavailable(error: Exception) -> Response:
    """The answer while the database is out: 503, try again in 5 s (logged: the error's type)."""
    log.error("database unavailable: %s", type(error).__name__)
    return Response("database unavailable, try again", status=503, mimetype="text/plain",
                    headers={"Retry-After": "5"})


def install(app: Flask) -> None:
    """Register the handler: nothing was stored (each message is one transaction)."""
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, unavailable)
