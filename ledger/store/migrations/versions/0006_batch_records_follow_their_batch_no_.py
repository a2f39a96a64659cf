"""batch records follow their batch; no index on every record's status, subject or root

Anchoring a batch no longer rewrites its records: their status, transaction hash and
block are read from the batch row (``ledger.attest.record_state``). The indexes on every
record's status, subject and batch root go (each insert paid for them; nothing looks
records up by subject, and a record finds its batch by the batch's key); the records
whose own status still means something, those outside any batch, get a partial index. Values copied into batch
records by earlier versions stay and are ignored.

Revision 0006 (previous: 0005), written 2026-11-30 03:55:26.312284.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNBATCHED = sa.text("batch_root IS NULL")
DROPPED = ("status", "subject", "batch_root")
# Downgrading copies each batch's state into its records again, as before this revision.
_OF_BATCH = "(SELECT b.{} FROM batch b WHERE b.root = issuedrecord.batch_root)"
COPY_BACK = (
    "UPDATE issuedrecord SET "
    f"status = CASE {_OF_BATCH.format('status')} WHEN 'anchored' THEN 'anchored' "
    "WHEN 'failed' THEN 'failed' ELSE 'pending' END, "
    + ", ".join(f"{c} = {_OF_BATCH.format(c)}" for c in ("tx_hash", "block_number", "block_hash"))
    + " WHERE batch_root IS NOT NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("issuedrecord", schema=None) as batch_op:
        for index in DROPPED:
            batch_op.drop_index(batch_op.f(f"ix_issuedrecord_{index}"))
        batch_op.create_index(
            "ix_issuedrecord_unbatched",
            ["mode", "status"],
            unique=False,
            sqlite_where=UNBATCHED,
            postgresql_where=UNBATCHED,
        )


def downgrade() -> None:
    op.execute(COPY_BACK)
    with op.batch_alter_table("issuedrecord", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_issuedrecord_unbatched", sqlite_where=UNBATCHED, postgresql_where=UNBATCHED
        )
        for index in DROPPED:
            batch_op.create_index(batch_op.f(f"ix_issuedrecord_{index}"), [index], unique=False)
