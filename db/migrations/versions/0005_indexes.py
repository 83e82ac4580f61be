"""Indexes for lookups that read whole growing tables (found by tests/db/test_query_plans.py)

The tip a voice call filed (a LIKE on every message received), the sweeper's purge of expired
reply addresses (every reporter, every 15 s), and a reporter's outbox messages (SQLite checks
them on every reporter upsert; both backends when a reporter is forgotten).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_index("ix_inboundmessage_tip_provider", "inboundmessage", ["provider_id"],
                    postgresql_ops={"provider_id": "varchar_pattern_ops"},
                    postgresql_where=sa.text("tip_id IS NOT NULL"),
                    sqlite_where=sa.text("tip_id IS NOT NULL"))
    op.create_index("ix_reporter_reply_expires_at", "reporter", ["reply_expires_at"])
    op.create_index("ix_outboundmessage_reporter_id", "outboundmessage", ["reporter_id"])


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_outboundmessage_reporter_id", table_name="outboundmessage")
    op.drop_index("ix_reporter_reply_expires_at", table_name="reporter")
    op.drop_index("ix_inboundmessage_tip_provider", table_name="inboundmessage")
