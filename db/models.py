"""SQLModel tables: directory, officers, reporters, tips and their messages."""

from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class OfficerKind(str, Enum):
    """Who an officer row is: a commune officer or a duty desk."""

    COMMUNE = "commune"
    PROVINCE_DESK = "province_desk"
    NATIONAL_DESK = "national_desk"


class TipStatus(str, Enum):
    """Where a tip is in its handling; only ever moves forward (closed from anywhere)."""

    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Urgency(str, Enum):
    """Urgent tips use the urgent queue and the short SLA."""

    NORMAL = "normal"
    URGENT = "urgent"


class RecipientKind(str, Enum):
    """Who an outbound message is for."""

    OFFICER = "officer"
    REPORTER = "reporter"


class OutboundStatus(str, Enum):
    """Outbox states; provider callbacks only move them forward."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


def _enum(enum: type[Enum]) -> sa.Enum:
    """Enums stored as their string values, without a database enum type."""
    values = lambda members: [m.value for m in members]  # noqa: E731
    return sa.Enum(enum, native_enum=False, length=20, values_callable=values)


class Province(SQLModel, table=True):
    """One of the 34 provinces (GSO code)."""

    code: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=100)
    codename: str = Field(max_length=100)
    division_type: str = Field(max_length=40)
    phone_code: int | None = None


class Commune(SQLModel, table=True):
    """One of the 3,321 communes, wards and special zones (GSO code)."""

    code: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=100)
    codename: str = Field(max_length=100)
    division_type: str = Field(max_length=40)
    province_code: int = Field(foreign_key="province.code", index=True)
    search_name: str = Field(max_length=100, index=True)


class Officer(SQLModel, table=True):
    """A police officer or desk that receives dispatches by SMS."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    phone: str = Field(max_length=20, unique=True)
    kind: OfficerKind = Field(sa_type=_enum(OfficerKind), default=OfficerKind.COMMUNE)
    commune_code: int | None = Field(default=None, foreign_key="commune.code", index=True)
    province_code: int | None = Field(default=None, foreign_key="province.code", index=True)
    priority: int = 0
    duty_start: str | None = Field(default=None, max_length=5)
    duty_end: str | None = Field(default=None, max_length=5)
    active: bool = True
    created_at: datetime


class Reporter(SQLModel, table=True):
    """An anonymous reporter: a keyed hash, and a sealed reply address while needed."""

    id: int | None = Field(default=None, primary_key=True)
    pseudonym: str = Field(max_length=64, unique=True)
    reply_address: str | None = Field(default=None, sa_type=sa.Text)
    reply_expires_at: datetime | None = Field(default=None, index=True)  # the purge's lookup
    language: str = Field(default="vi", max_length=8)
    reply_provider: str | None = Field(default=None, max_length=20)
    blocked: bool = False
    created_at: datetime
    last_seen_at: datetime


class Tip(SQLModel, table=True):
    """A tip: what, where, and how its handling went."""

    # The admin view filters every page by place and period (see migration 0002).
    __table_args__ = (
        sa.Index("ix_tip_province_created", "province_code", "created_at"),
        sa.Index("ix_tip_commune_created", "commune_code", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=6, unique=True)
    pin_hash: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    category: str = Field(max_length=20, index=True)
    commune_code: int | None = Field(default=None, foreign_key="commune.code", index=True)
    province_code: int | None = Field(default=None, foreign_key="province.code", index=True)
    details: str = Field(default="", sa_type=sa.Text)
    language: str = Field(default="vi", max_length=8)
    urgency: Urgency = Field(sa_type=_enum(Urgency), default=Urgency.NORMAL)
    status: TipStatus = Field(sa_type=_enum(TipStatus), default=TipStatus.RECEIVED, index=True)
    reporter_id: int | None = Field(default=None, foreign_key="reporter.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id", index=True)
    escalation_level: int = 0
    dispatch_round: int = 0
    next_check_at: datetime | None = Field(default=None, index=True)
    overdue: bool = False
    legal_deadline_at: datetime | None = None
    decision: str | None = Field(default=None, max_length=30)
    valuable: bool | None = None
    recording_url: str | None = Field(default=None, sa_type=sa.Text)
    transcript: str | None = Field(default=None, sa_type=sa.Text)
    pin_failures: int = 0
    pin_locked_until: datetime | None = None
    created_at: datetime = Field(index=True)
    dispatched_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    # Another tip about the same case (TRUNG / "same case as"): this one is closed into it,
    # and its reporter hears how that case ends (migration 0006).
    duplicate_of_id: int | None = Field(default=None, foreign_key="tip.id", index=True)


class TipEvent(SQLModel, table=True):
    """Append-only timeline of a tip: what happened, when, and who or what did it."""

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(foreign_key="tip.id", index=True)
    kind: str = Field(max_length=40)
    at: datetime
    actor: str = Field(max_length=60)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class InboxMessage(SQLModel, table=True):
    """An SMS kept as it arrived, for a worker to take into its conversation (SMS_REPLY=queued).

    Deleted in the transaction that stores it as an InboundMessage. The sender is only sealed;
    its keyed hash picks the lane, so one sender's messages are taken in order.
    """

    __tablename__ = "inbox"
    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(max_length=80, unique=True)
    pseudonym: str = Field(max_length=40)
    lane: int = Field(default=0)  # drained by one job at a time (db.inbox.LANES)
    sender_sealed: str = Field(sa_type=sa.Text)
    receiver: str = Field(default="", max_length=40)
    body: str = Field(default="", sa_type=sa.Text)
    reply_provider: str = Field(default="", max_length=20)
    received_at: datetime = Field(index=True)

    __table_args__ = (sa.Index("ix_inbox_lane_id", "lane", "id"),)


class InboundMessage(SQLModel, table=True):
    """Every message received, kept even when it makes no sense (never the sender's number)."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    provider_id: str = Field(max_length=80, unique=True)
    reporter_id: int | None = Field(default=None, foreign_key="reporter.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    tip_id: int | None = Field(default=None, foreign_key="tip.id", index=True)
    body: str = Field(default="", sa_type=sa.Text)
    reply_sealed: str | None = Field(default=None, sa_type=sa.Text)
    received_at: datetime = Field(index=True)
    # Kept but not taken into a conversation: flood, duplicate, blocked, busy, too_long
    limited: str | None = Field(default=None, max_length=16)

    __table_args__ = (
        sa.Index("ix_inboundmessage_reporter_received", "reporter_id", "received_at"),
        # The messages that filed a tip, by provider id prefix (a call's tip: db.recordings);
        # pattern ops let PostgreSQL answer LIKE 'prefix%' whatever the database's collation.
        sa.Index("ix_inboundmessage_tip_provider", "provider_id",
                 postgresql_ops={"provider_id": "varchar_pattern_ops"},
                 postgresql_where=sa.text("tip_id IS NOT NULL"),
                 sqlite_where=sa.text("tip_id IS NOT NULL")),
    )


class OutboundMessage(SQLModel, table=True):
    """The outbox: written before sending; the idempotency key stops a second send."""

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=120, unique=True)
    recipient_kind: RecipientKind = Field(sa_type=_enum(RecipientKind))
    officer_id: int | None = Field(default=None, foreign_key="officer.id", index=True)
    reporter_id: int | None = Field(default=None, foreign_key="reporter.id", index=True)
    tip_id: int | None = Field(default=None, foreign_key="tip.id", index=True)
    address: str = Field(sa_type=sa.Text)
    body: str = Field(sa_type=sa.Text)
    sealed_body: str | None = Field(default=None, sa_type=sa.Text)
    purpose: str = Field(max_length=30)
    channel: str = Field(default="sms", max_length=16)
    provider: str = Field(default="", max_length=20)
    provider_id: str | None = Field(default=None, max_length=80, index=True)
    status: OutboundStatus = Field(
        sa_type=_enum(OutboundStatus), default=OutboundStatus.QUEUED, index=True
    )
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, index=True)
    segments: int = 1
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime
    sent_at: datetime | None = None
    updated_at: datetime


class FlowSession(SQLModel, table=True):
    """A conversation in progress (channel + pseudonym or session id → flow state)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    channel: str = Field(max_length=16)
    reporter_id: int | None = Field(default=None, foreign_key="reporter.id", index=True)
    province_code: int | None = None
    state: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # USSD: characters of the gateway's cumulative input ("1*2*...") already taken as answers
    consumed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    turns: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # answers so far
    expires_at: datetime = Field(index=True)
    created_at: datetime
    updated_at: datetime


class Role(str, Enum):
    """What a web user may see: their commune's tips, a province, or everything."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(SQLModel, table=True):
    """A person who logs in to the admin view (officer, supervisor or admin; never a reporter)."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=_enum(Role))
    province_code: int | None = Field(default=None, foreign_key="province.code")
    officer_id: int | None = Field(default=None, foreign_key="officer.id", index=True)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    created_at: datetime


class AuditLog(SQLModel, table=True):
    """Who did what in the admin view, and when: logins, tip views, exports, actions."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=60)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=40, index=True)
    target: str = Field(default="", max_length=120)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    ip: str | None = Field(default=None, max_length=45)
