"""USSD sessions remember how much of the gateway's cumulative input they consumed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("flowsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consumed", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("flowsession", schema=None) as batch_op:
        batch_op.drop_column("consumed")
