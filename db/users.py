"""Web users: argon2 password hashes, login throttling, and the demo's logins."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.models import Officer, OfficerKind, Role, User
from db.session import transaction

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a miss costs as much time as a wrong password.
_DUMMY = _hasher.hash("tinbao-no-such-user")


class UserError(ValueError):
    """A user cannot be created or changed as asked."""


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Login:
    """The outcome of a login attempt: the user, or why not (never which part was wrong)."""

    user: User | None
    locked: bool = False


def authenticate(session: Session, email: str, password: str, now: datetime) -> Login:
    """Check a password; five failures in a row lock the account for 15 minutes."""
    user = session.execute(
        select(User).where(User.email == normalize_email(email)).with_for_update()
    ).scalar_one_or_none()
    if user is None or not user.active:
        _verify(_DUMMY, password)
        return Login(None)
    if user.locked_until is not None and user.locked_until > now:
        return Login(None, locked=True)
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER:
            user.failed_logins, user.locked_until = 0, now + LOCK_FOR
        return Login(None, locked=user.locked_until is not None and user.locked_until > now)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return Login(user)


def normalize_email(email: str) -> str:
    """E-mails compare trimmed and in lower case."""
    return email.strip().lower()


def create(session: Session, email: str, password: str | None, role: Role, now: datetime,
           name: str = "", province_code: int | None = None, officer_id: int | None = None,
           password_hash: str | None = None) -> User:
    """A new user; supervisors need a province, officer logins an officer."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise UserError("not an e-mail address")
    if session.execute(select(User.id).where(User.email == email)).first():
        raise UserError(f"{email} already exists")
    check_role(session, role, province_code, officer_id)
    user = User(email=email, name=name[:120], role=role,
                password_hash=password_hash or hash_password(password or ""),
                province_code=province_code if role == Role.SUPERVISOR else None,
                officer_id=officer_id if role == Role.OFFICER else None, created_at=now)
    session.add(user)
    session.flush()
    return user


def check_role(session: Session, role: Role, province_code: int | None,
               officer_id: int | None) -> None:
    """Raise UserError unless the role has what it needs."""
    if role == Role.SUPERVISOR and province_code is None:
        raise UserError("a supervisor needs a province")
    if role == Role.OFFICER and (officer_id is None or session.get(Officer, officer_id) is None):
        raise UserError("an officer login needs an existing officer")


DEMO_DOMAIN = "tinbao.demo"
NATIONAL_DESK_LOGIN = f"truc-ban-quoc-gia@{DEMO_DOMAIN}"


def desk_login(province_code: int) -> str:
    """The demo login of a province's duty desk ('truc-ban-38@tinbao.demo')."""
    return f"truc-ban-{province_code}@{DEMO_DOMAIN}"


def demo_login(officer: Officer) -> str | None:
    """The demo login of an officer: 'ca<commune code>@…' for commune officers, 'truc-ban-…'
    for the duty desks; None when the row lacks the code its name needs."""
    if officer.kind == OfficerKind.COMMUNE:
        code = officer.commune_code
        return f"ca{code}@{DEMO_DOMAIN}" if code is not None else None
    if officer.kind == OfficerKind.PROVINCE_DESK:
        code = officer.province_code
        return desk_login(code) if code is not None else None
    return NATIONAL_DESK_LOGIN


def seed_demo(engine: Engine, email: str, password: str, officer_password: str,
              now: datetime) -> int:
    """The demo's admin and one officer login per demo officer, desks included (`demo_login`).

    A desk's login is an officer login linked to the desk, so it sees and acts on exactly
    what the desk may by SMS (db.actions.may_act): the province desk its province's tips,
    the national desk the tips routed to it. Every officer login shares one hash of the demo
    officer password: hashing 168 times would slow the demo's start by seconds, and these
    accounts exist only in demo mode.
    """
    created = 0
    with transaction(engine) as session:
        if not session.execute(select(User.id).where(User.email == normalize_email(email))
                               ).first():
            create(session, email, password, Role.ADMIN, now, name="Admin")
            created += 1
        linked = set(session.execute(select(User.officer_id)).scalars())
        emails = set(session.execute(select(User.email)).scalars())
        officers = session.execute(select(Officer).order_by(Officer.id)).scalars().all()
        shared = hash_password(officer_password)
        for officer in officers:
            login = demo_login(officer)
            if officer.id in linked or login is None:
                continue
            if login in emails:  # taken (by hand, or by a second desk): keep it unique
                name, domain = login.split("@")
                login = f"{name}-{officer.id}@{domain}"
            create(session, login, None, Role.OFFICER, now, name=officer.name,
                   officer_id=officer.id, password_hash=shared)
            emails.add(login)
            created += 1
    return created


def count(session: Session) -> int:
    """How many users exist."""
    return session.execute(select(func.count()).select_from(User)).scalar_one()
