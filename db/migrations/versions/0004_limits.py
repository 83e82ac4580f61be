"""Inbound limits: messages kept but not processed are marked; conversations count turns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("inboundmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limited", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_inboundmessage_received_at", ["received_at"])
        batch_op.create_index("ix_inboundmessage_reporter_received",
                              ["reporter_id", "received_at"])
    with op.batch_alter_table("flowsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("turns", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("flowsession", schema=None) as batch_op:
        batch_op.drop_column("turns")
    with op.batch_alter_table("inboundmessage", schema=None) as batch_op:
        batch_op.drop_index("ix_inboundmessage_reporter_received")
        batch_op.drop_index("ix_inboundmessage_received_at")
        batch_op.drop_column("limited")
