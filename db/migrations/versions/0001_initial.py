"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""

    op.create_table(
        "province",
        sa.Column("code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("codename", sa.String(length=100), nullable=False),
        sa.Column("division_type", sa.String(length=40), nullable=False),
        sa.Column("phone_code", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "reporter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("reply_address", sa.Text(), nullable=True),
        sa.Column("reply_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reply_provider", sa.String(length=20), nullable=True),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pseudonym"),
    )
    op.create_table(
        "commune",
        sa.Column("code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("codename", sa.String(length=100), nullable=False),
        sa.Column("division_type", sa.String(length=40), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("search_name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commune_province_code"), ["province_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commune_search_name"), ["search_name"], unique=False)

    op.create_table(
        "flowsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("flowsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flowsession_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_flowsession_reporter_id"), ["reporter_id"], unique=False
        )

    op.create_table(
        "officer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "commune",
                "province_desk",
                "national_desk",
                name="officerkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("duty_start", sa.String(length=5), nullable=True),
        sa.Column("duty_end", sa.String(length=5), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone"),
    )
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officer_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_officer_province_code"), ["province_code"], unique=False
        )

    op.create_table(
        "tip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=6), nullable=False),
        sa.Column("pin_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum("normal", "urgent", name="urgency", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "dispatched",
                "acknowledged",
                "resolved",
                "closed",
                name="tipstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("dispatch_round", sa.Integer(), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("legal_deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=30), nullable=True),
        sa.Column("valuable", sa.Boolean(), nullable=True),
        sa.Column("recording_url", sa.Text(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("pin_locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["province.code"],
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_next_check_at"), ["next_check_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_province_code"), ["province_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tip_status"), ["status"], unique=False)

    op.create_table(
        "inboundmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=80), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply_sealed", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tip_id"],
            ["tip.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id"),
    )
    with op.batch_alter_table("inboundmessage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inboundmessage_reporter_id"), ["reporter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inboundmessage_tip_id"), ["tip_id"], unique=False)

    op.create_table(
        "outboundmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column(
            "recipient_kind",
            sa.Enum("officer", "reporter", name="recipientkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sealed_body", sa.Text(), nullable=True),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_id", sa.String(length=80), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "delivered",
                "undelivered",
                "failed",
                name="outboundstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tip_id"],
            ["tip.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("outboundmessage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outboundmessage_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outboundmessage_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outboundmessage_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outboundmessage_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboundmessage_tip_id"), ["tip_id"], unique=False)

    op.create_table(
        "tipevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tip_id"],
            ["tip.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tipevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tipevent_tip_id"), ["tip_id"], unique=False)


def downgrade() -> None:
    """Revert."""

    with op.batch_alter_table("tipevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tipevent_tip_id"))

    op.drop_table("tipevent")
    with op.batch_alter_table("outboundmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboundmessage_tip_id"))
        batch_op.drop_index(batch_op.f("ix_outboundmessage_status"))
        batch_op.drop_index(batch_op.f("ix_outboundmessage_provider_id"))
        batch_op.drop_index(batch_op.f("ix_outboundmessage_officer_id"))
        batch_op.drop_index(batch_op.f("ix_outboundmessage_next_attempt_at"))

    op.drop_table("outboundmessage")
    with op.batch_alter_table("inboundmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inboundmessage_tip_id"))
        batch_op.drop_index(batch_op.f("ix_inboundmessage_reporter_id"))

    op.drop_table("inboundmessage")
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_status"))
        batch_op.drop_index(batch_op.f("ix_tip_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_tip_province_code"))
        batch_op.drop_index(batch_op.f("ix_tip_officer_id"))
        batch_op.drop_index(batch_op.f("ix_tip_next_check_at"))
        batch_op.drop_index(batch_op.f("ix_tip_created_at"))
        batch_op.drop_index(batch_op.f("ix_tip_commune_code"))
        batch_op.drop_index(batch_op.f("ix_tip_category"))

    op.drop_table("tip")
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_province_code"))
        batch_op.drop_index(batch_op.f("ix_officer_commune_code"))

    op.drop_table("officer")
    with op.batch_alter_table("flowsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flowsession_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_flowsession_expires_at"))

    op.drop_table("flowsession")
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_search_name"))
        batch_op.drop_index(batch_op.f("ix_commune_province_code"))

    op.drop_table("commune")
    op.drop_table("reporter")
    op.drop_table("province")
