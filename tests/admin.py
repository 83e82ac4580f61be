"""Admin-view test helpers: web users of every role, logging in with CSRF tokens, and a
client that checks every page it receives for reporter numbers."""

import re
from dataclasses import dataclass

from flask.testing import FlaskClient

from db import users
from db.models import Officer, Role
from db.session import transaction, utcnow
from tests import privacy
from tests.helpers import rows

PASSWORD = "correct horse battery"
_HASH = users.hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
OFFICER_COMMUNE = 15865  # Xa Hoang Hoa, Thanh Hoa (38)
OTHER_COMMUNE = 14797  # another commune of Thanh Hoa
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class CheckedClient(FlaskClient):
    """A test client that fails on any response carrying a reporter's phone number."""

    def open(self, *args, **kwargs):
        """Send the request; check the answer."""
        response = super().open(*args, **kwargs)
        if not response.is_streamed or response.mimetype == "text/csv":
            privacy.assert_text_clean(response.get_data(as_text=True), "a rendered page")
        return response


@dataclass(frozen=True)
class Accounts:
    """One login per role; ids of their users and officers."""

    admin: str = "admin@tinbao.test"
    supervisor: str = "sup38@tinbao.test"  # Thanh Hoa
    far_supervisor: str = "sup1@tinbao.test"  # Ha Noi
    officer: str = "ca15865@tinbao.test"
    stranger: str = "ca14797@tinbao.test"  # an officer of another commune


def create_accounts(engine) -> Accounts:
    """Create the users of `Accounts` (demo officers must exist)."""
    mine = rows(engine, Officer, Officer.commune_code == OFFICER_COMMUNE)[0]
    other = rows(engine, Officer, Officer.commune_code == OTHER_COMMUNE)[0]
    found = Accounts()
    now = utcnow()
    with transaction(engine) as session:
        for email, role, extra in (
            (found.admin, Role.ADMIN, {}),
            (found.supervisor, Role.SUPERVISOR, {"province_code": 38}),
            (found.far_supervisor, Role.SUPERVISOR, {"province_code": 1}),
            (found.officer, Role.OFFICER, {"officer_id": mine.id}),
            (found.stranger, Role.OFFICER, {"officer_id": other.id}),
        ):
            users.create(session, email, None, role, now, password_hash=_HASH, **extra)
    return found


def token(client) -> str:
    """The session's CSRF token, read from a form as a browser would."""
    html = client.get("/admin/login").get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, "no csrf_token on the login page"
    return match.group(1) or match.group(2)


def login(client, email: str, password: str = PASSWORD):
    """Log in through the form; returns the response."""
    return client.post("/admin/login", data={"email": email, "password": password,
                                             "csrf_token": token(client)})


def post(client, path: str, data: dict | None = None, **kwargs):
    """A form POST with the session's CSRF token."""
    return client.post(path, data={"csrf_token": token(client), **(data or {})}, **kwargs)
