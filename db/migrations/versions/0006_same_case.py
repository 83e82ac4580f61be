"""Tips about the same case: a tip closed into another (tip.duplicate_of_id)

SQLite adds the column in place (ALTER TABLE ... ADD COLUMN ... REFERENCES, allowed for a
nullable column): batch mode would copy the tip table and drop the original, which the rows
of other tables referencing tips forbid once there are any.

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
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE tip ADD COLUMN duplicate_of_id INTEGER REFERENCES tip (id)")
    else:
        op.add_column("tip", sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_tip_duplicate_of_id_tip", "tip", "tip", ["duplicate_of_id"],
                              ["id"])
    op.create_index("ix_tip_duplicate_of_id", "tip", ["duplicate_of_id"], unique=False)


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_tip_duplicate_of_id", table_name="tip")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE tip DROP COLUMN duplicate_of_id")  # SQLite 3.35+
    else:
        op.drop_constraint("fk_tip_duplicate_of_id_tip", "tip", type_="foreignkey")
        op.drop_column("tip", "duplicate_of_id")
