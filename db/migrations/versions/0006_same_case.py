"""Tips about the same case: a tip closed into another (tip.duplicate_of_id)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_tip_duplicate_of_id_tip", "tip", ["duplicate_of_id"],
                                    ["id"])
        batch_op.create_index("ix_tip_duplicate_of_id", ["duplicate_of_id"], unique=False)


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("tip", schema=None) as batch_op:
        batch_op.drop_index("ix_tip_duplicate_of_id")
        batch_op.drop_constraint("fk_tip_duplicate_of_id_tip", type_="foreignkey")
        batch_op.drop_column("duplicate_of_id")
