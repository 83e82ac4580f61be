"""Who is logged in, what they may see, and the audit trail of what they do."""

from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import abort, request
from flask_login import LoginManager, UserMixin, current_user, login_required
from flask_wtf.csrf import CSRFProtect

from db import audit
from db.actions import Actor
from db.models import Role, User
from db.scope import Scope
from db.session import Session, reading, transaction, utcnow
from gateway.services import services

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "admin_auth.login"
login_manager.login_message = None
login_manager.session_protection = "basic"


@dataclass
class Account(UserMixin):
    """The logged-in user of this request, with their scope."""

    id: int
    email: str
    name: str
    role: Role
    scope: Scope
    officer_id: int | None = None

    @property
    def actor(self) -> Actor:
        """How this user appears on tip timelines (as their officer too, for officer logins)."""
        return Actor(f"user:{self.id}", self.officer_id)

    @property
    def is_admin(self) -> bool:
        """Admins manage users and read the audit log."""
        return self.role == Role.ADMIN


def account(session: Session, user: User) -> Account:
    """The Account of a user row."""
    return Account(user.id, user.email, user.name, user.role, Scope.of(session, user),
                   user.officer_id)


@login_manager.user_loader
def _load(user_id: str) -> Account | None:
    with reading(services().engine) as session:
        user = session.get(User, int(user_id)) if user_id.isdigit() else None
        return account(session, user) if user is not None and user.active else None


def protect() -> None:
    """CSRF check for every state-changing request of a blueprint (before_request)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def roles(*allowed: Role):
    """Decorator: logged in (else to the login page) and of one of these roles (else 403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if allowed and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


MANAGERS = (Role.ADMIN, Role.SUPERVISOR)


def log(session: Session, action: str, target: str = "", now: datetime | None = None,
        **detail) -> None:
    """Audit an action of the current user inside the caller's transaction."""
    user_id = current_user.id if current_user.is_authenticated else None
    audit.record(session, action, now or utcnow(), user_id, target, detail, request.remote_addr)


def log_now(action: str, target: str = "", **detail) -> None:
    """Audit in a transaction of its own (views, exports)."""
    with transaction(services().engine) as session:
        log(session, action, target, **detail)


def page_number(name: str = "page") -> int:
    """The ?page= (or another page argument) of a listing (1 when missing or silly)."""
    number = request.args.get(name, 1, type=int) or 1
    return min(max(number, 1), 100_000)
