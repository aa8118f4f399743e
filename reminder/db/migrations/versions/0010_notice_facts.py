"""notices.benefits, how_to_apply, contacts, attachments: what a call is worth and how to apply (issue 13)

JSON lists (``Benefit.to_json`` … per item); NULL on rows stored before, read as none.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[str, ...] = ("benefits", "how_to_apply", "contacts", "attachments")


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
