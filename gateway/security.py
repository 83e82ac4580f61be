"""Security headers on every response, set once in create_app (pages may set stricter ones)."""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from db.settings import Settings

# No inline script or style anywhere; pages load their own files only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, without building the signing serializer for a request
    that carries no session cookie (every webhook: ~5% of a queued SMS webhook's CPU)."""

    def open_session(self, app, request):
        """An empty session when there is no cookie; Flask's own otherwise."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def install(app: Flask, settings: Settings) -> None:
    """Add the headers to every response; HSTS when served over https (directly or by proxy)."""
    public_https = settings.public_base_url.startswith("https://")
    app.session_interface = CookieSessions()

    @app.after_request
    def _headers(response):
        for name, value in headers(public_https or request.is_secure):
            response.headers.setdefault(name, value)
        return response


def headers(https: bool) -> list[tuple[str, str]]:
    """The headers every response carries (gateway.intake answers without Flask)."""
    common = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
              ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY")]
    return common + [("Strict-Transport-Security", HSTS)] * https
