"""batches keep their tree nodes; records are written once

A batch stores its Merkle tree's nodes and each record the index of its leaf, so proofs
are derived on read instead of written per record (rows stored before keep ``proof``).
Indexes that every batch insert or anchoring had to update go: ``block_number`` (the
reconciler's queries over single records get a partial index instead) and
``request_key`` (the unique ``(request_key, request_index)`` pair serves its lookups).

Revision 0004 (previous: 0003), written 2026-11-30 03:08:09.198902.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nodes", sa.LargeBinary(), nullable=True))

    with op.batch_alter_table("issuedrecord", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaf", sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_issuedrecord_block_number"))
        batch_op.drop_index(batch_op.f("ix_issuedrecord_request_key"))
        batch_op.create_index(
            "ix_issuedrecord_single",
            ["status", "block_number"],
            unique=False,
            sqlite_where=sa.text("mode = 'single'"),
            postgresql_where=sa.text("mode = 'single'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("issuedrecord", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_issuedrecord_single",
            sqlite_where=sa.text("mode = 'single'"),
            postgresql_where=sa.text("mode = 'single'"),
        )
        batch_op.create_index(
            batch_op.f("ix_issuedrecord_request_key"), ["request_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_issuedrecord_block_number"), ["block_number"], unique=False
        )
        batch_op.drop_column("leaf")

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_column("nodes")
