"""${message}

Revision ${up_revision} (previous: ${down_revision | comma,n}), written ${create_date}.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ledger.store import deal_tables  # noqa: F401  (custom column types)
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
