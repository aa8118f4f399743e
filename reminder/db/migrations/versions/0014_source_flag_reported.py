"""sources.flagged_at, sources.flag_reported_at: the operator's digest of flagged sources (issue 17)

flagged_at: when the source's current flag was raised (None while it is healthy); flag_reported_at:
when the operator's daily digest last reported it. A source is "newly flagged" while its flag was
raised after the last report, so the digest says each flag once. Sources already flagged get
flagged_at = updated_at (the best the table knows).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("flag_reported_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE sources SET flagged_at = updated_at WHERE flagged IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("flag_reported_at")
        batch_op.drop_column("flagged_at")
