"""SMS kept as they arrive, for a worker to answer (SMS_REPLY=queued): the inbox table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=80), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("lane", sa.Integer(), nullable=False),
        sa.Column("sender_sealed", sa.Text(), nullable=False),
        sa.Column("receiver", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply_provider", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id"),
    )
    op.create_index("ix_inbox_lane_id", "inbox", ["lane", "id"], unique=False)
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"], unique=False)


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_inbox_received_at", table_name="inbox")
    op.drop_index("ix_inbox_lane_id", table_name="inbox")
    op.drop_table("inbox")
