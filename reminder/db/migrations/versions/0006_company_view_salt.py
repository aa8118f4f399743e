"""companies.view_salt: the salt of the company's read-only view link (rotatable)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL is a valid salt (the view token is derived from the id and the signing key), so existing
    # companies get a working view link without a backfill.
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("view_salt", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_column("view_salt")
