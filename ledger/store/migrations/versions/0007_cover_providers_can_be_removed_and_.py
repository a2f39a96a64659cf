"""cover providers can be removed and their keys rotated

``CoverProvider`` gains when its key was last rotated, and when it was removed with the
investor-registry transaction that delisted it. A removed provider keeps its row (its
facilities name its address) with an empty key hash. Existing rows: never rotated, not
removed.

Revision 0007 (previous: 0006), written 2026-11-30 05:53:57.594284.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coverprovider", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_rotated_at", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("removed_at", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "removed_tx",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("coverprovider", schema=None) as batch_op:
        batch_op.drop_column("removed_tx")
        batch_op.drop_column("removed_at")
        batch_op.drop_column("key_rotated_at")
