"""What a web user may see and act on: everything, one province, or one officer's tips."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, true
from sqlmodel import Session

from db.actions import may_act, officer_tips
from db.models import Commune, Officer, Role, Tip, User


@dataclass(frozen=True)
class Scope:
    """An admin sees everything, a supervisor one province, an officer what they may act on."""

    role: Role
    province_code: int | None = None
    officer: Officer | None = None

    @classmethod
    def of(cls, session: Session, user: User) -> "Scope":
        """The scope of a user (an officer login without its officer sees nothing)."""
        officer = session.get(Officer, user.officer_id) if user.officer_id else None
        return cls(user.role, user.province_code, officer)

    @property
    def manages(self) -> bool:
        """Whether the directory of officers may be changed (admins, supervisors)."""
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    def tips(self) -> ColumnElement[bool]:
        """SQL condition on Tip."""
        if self.role == Role.ADMIN:
            return true()
        if self.role == Role.SUPERVISOR:
            return Tip.province_code == self.province_code if self.province_code else false()
        return officer_tips(self.officer) if self.officer else false()

    def allows(self, tip: Tip) -> bool:
        """Whether this tip is in scope (outside it, pages answer 404)."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.SUPERVISOR:
            return self.province_code is not None and tip.province_code == self.province_code
        return self.officer is not None and may_act(self.officer, tip)

    def officers(self) -> ColumnElement[bool]:
        """SQL condition on Officer: whom this user may see in the directory."""
        if self.role == Role.ADMIN:
            return true()
        if self.role == Role.SUPERVISOR:
            return Officer.province_code == self.province_code if self.province_code else false()
        return Officer.id == self.officer.id if self.officer else false()

    def allows_officer(self, officer: Officer) -> bool:
        """Whether this officer row is in scope."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.SUPERVISOR:
            return self.province_code is not None and officer.province_code == self.province_code
        return self.officer is not None and officer.id == self.officer.id

    def communes(self) -> ColumnElement[bool]:
        """SQL condition on Commune: the communes this user's figures may cover."""
        if self.role == Role.ADMIN:
            return true()
        if self.role == Role.SUPERVISOR:
            return Commune.province_code == self.province_code if self.province_code else false()
        if self.officer is not None and self.officer.commune_code is not None:
            return Commune.code == self.officer.commune_code
        if self.officer is not None and self.officer.province_code is not None:
            return Commune.province_code == self.officer.province_code
        return false()
