"""match_counts_pending: a new notice's counts are added after its matches, not with them (issue 15)

Matching a notice that reaches 1,000,000 companies spent a third of its time adding one to as many
counts. A new notice with many counted matches is now written with one row here; the worker's counts
job adds them later in its own transaction. A notice deleted before that leaves a row that adds nothing.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_counts_pending",
        sa.Column("notice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_match_counts_pending")),
    )


#: the counts every pending notice owes, added (before the table goes: 0017's readers know no pending)
_FOLD = """
INSERT INTO match_counts (company_id, eligible, possible, total)
SELECT m.company_id,
       SUM(CASE WHEN m.status = 'eligible' THEN 1 ELSE 0 END),
       SUM(CASE WHEN m.status = 'eligible' THEN 0 ELSE 1 END),
       COUNT(*)
FROM matches AS m
WHERE m.notice_id IN (SELECT notice_id FROM match_counts_pending)
  AND m.status IN ('eligible', 'possibly_eligible', 'possible')
GROUP BY m.company_id
ON CONFLICT (company_id) DO UPDATE SET
    eligible = match_counts.eligible + excluded.eligible,
    possible = match_counts.possible + excluded.possible,
    total = match_counts.total + excluded.total
"""


def downgrade() -> None:
    op.execute(_FOLD)
    op.drop_table("match_counts_pending")
