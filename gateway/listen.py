"""GET /r/<token>: an officer listens to a call's recording, fetched from Twilio by the gateway."""

import base64
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort

from db import recordings
from db.session import utcnow
from db.settings import Settings
from gateway.services import services

bp = Blueprint("listen", __name__)
log = logging.getLogger(__name__)
TWILIO_API = "https://api.twilio.com"
CHUNK = 64 * 1024


@bp.get("/r/<token>")
def listen(token: str):
    """Stream the recording of a signed, unexpired link; 404 for anything else."""
    svc = services()
    reference = recordings.reference_of(svc.settings.secret_key, token, utcnow())
    stored = recordings.recording_of(svc.engine, reference) if reference else None
    url = media_url(stored, svc.settings) if stored else None
    if url is None:
        abort(404)
    auth = f"{svc.settings.twilio_account_sid}:{svc.settings.twilio_auth_token}"
    fetch = urllib.request.Request(url, headers={
        "Authorization": "Basic " + base64.b64encode(auth.encode()).decode()})
    try:
        upstream = urllib.request.urlopen(fetch, timeout=10)
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()
        log.warning("recording of tip %s unavailable: %s", reference, type(exc).__name__)
        abort(502)
    return Response(_chunks(upstream), mimetype=upstream.headers.get_content_type(),
                    headers={"Cache-Control": "no-store"})


def media_url(recording_url: str, settings: Settings) -> str | None:
    """The audio file of a recording, only from the Twilio(-compatible) API we hold keys for."""
    allowed = urlsplit(settings.twilio_api_base_url or TWILIO_API)
    url = urlsplit(recording_url)
    if (url.scheme, url.netloc) != (allowed.scheme, allowed.netloc):
        return None
    return recording_url if recording_url.endswith((".mp3", ".wav")) else recording_url + ".mp3"


def _chunks(upstream):
    try:
        while chunk := upstream.read(CHUNK):
            yield chunk
    finally:
        upstream.close()
