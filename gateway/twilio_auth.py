"""Twilio webhook signatures, checked on every Twilio route (demo mode included)."""

import hmac
import re
from functools import wraps

from flask import abort, request
from twilio.request_validator import RequestValidator, get_signature_algorithm

from gateway.services import services

# Twilio's sids (SM…, CA…, RE… + 32 hex) and Twilio-compatible platforms' UUIDs; anything
# else is refused before it reaches a key column (NUL bytes, 10,000 characters...).
SID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def sid(value: str | None) -> str:
    """The id if it is shaped like one, else '' (callers answer 400)."""
    return value if value and SID.fullmatch(value) else ""


def signed_url() -> str:
    """The URL Twilio signed: the configured public base URL when behind a proxy."""
    base = services().settings.public_base_url
    if base:
        return base + request.full_path.rstrip("?")
    return request.url


def is_valid() -> bool:
    """Whether the current request carries a valid X-Twilio-Signature."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(services().settings.twilio_auth_token)
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    url = signed_url()
    try:  # the URL exactly as called first: one HMAC instead of the library's two
        if hmac.compare_digest(validator.compute_signature(url, request.form, algorithm),
                               signature):
            return True
    except ValueError:  # an algorithm the library does not know
        return False
    return validator.validate(url, request.form, signature, algorithm)  # with/without port


def twilio_signed(view):
    """Decorator: 403 (and nothing stored) unless the request is signed by our Twilio token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_valid():
            abort(403)
        return view(*args, **kwargs)

    return wrapper
