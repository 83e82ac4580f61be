"""The audit log: logins, tip views, exports and actions, with actor and time."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.models import AuditLog, User
from db.session import reading


def record(session: Session, action: str, now: datetime, user_id: int | None = None,
           target: str = "", detail: dict | None = None, ip: str | None = None) -> AuditLog:
    """Append one entry (the caller's transaction commits it)."""
    entry = AuditLog(at=now, actor=f"user:{user_id}" if user_id else "anonymous",
                     user_id=user_id, action=action[:40], target=target[:120],
                     detail=detail or {}, ip=(ip or None) and ip[:45])
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Page:
    """One page of a listing and how many rows there are in all."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the listing has (at least one)."""
        return max(1, -(-self.total // self.per_page))


def listing(engine: Engine, page: int = 1, per_page: int = 50, action: str = "",
            user_id: int | None = None) -> Page:
    """Newest entries first, optionally of one action or one user."""
    where = []
    if action:
        where.append(AuditLog.action == action)
    if user_id is not None:
        where.append(AuditLog.user_id == user_id)
    with reading(engine) as session:
        total = session.execute(select(func.count(AuditLog.id)).where(*where)).scalar_one()
        items = session.execute(
            select(AuditLog).where(*where).order_by(AuditLog.id.desc())
            .offset((page - 1) * per_page).limit(per_page)).scalars().all()
    return Page(list(items), total, page, per_page)


def user_names(engine: Engine, user_ids: set[int]) -> dict[int, str]:
    """The e-mail of each of these web users, to show who did what (names can repeat)."""
    if not user_ids:
        return {}
    with reading(engine) as session:
        found = session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
        return {user_id: email for user_id, email in found}
