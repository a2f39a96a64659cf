"""cover providers admitted by name, each with its bound API key

Guarantors and insurers beyond the service's own two keys: name, kind, address (the
provider of its facilities), whether the service holds its key, and its API key's SHA-256.

Revision 0005 (previous: 0004), written 2026-11-30 03:53:49.875524.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverprovider",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("custodial", sa.Boolean(), nullable=False),
        sa.Column("api_key_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("coverprovider", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coverprovider_address"), ["address"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_coverprovider_api_key_hash"), ["api_key_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("coverprovider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverprovider_api_key_hash"))
        batch_op.drop_index(batch_op.f("ix_coverprovider_address"))
    op.drop_table("coverprovider")
