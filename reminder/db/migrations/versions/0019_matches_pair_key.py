"""matches keyed by (company_id, notice_id): the id column, its sequence and its index go (issue 15)

Matching a notice that reaches 800,000 companies writes as many rows; each also drew a number from the
id sequence and added it to the id's index, a quarter of the write's time on PostgreSQL. Nothing refers
to a match by its id: the pair, unique already, becomes the primary key.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: the triggers deleting a company's or a notice's matches (migration 0016): SQLite rebuilds the table
#: under another name and renames it, which a trigger naming the table refuses, so they are dropped
#: around the rebuild
_PARENTS = (("companies", "company_id"), ("notices", "notice_id"))


def _drop_sqlite_triggers() -> None:
    for table, _ in _PARENTS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_delete_matches")


def _create_sqlite_triggers() -> None:
    for table, column in _PARENTS:
        op.execute(
            f"CREATE TRIGGER {table}_delete_matches AFTER DELETE ON {table} "
            f"BEGIN DELETE FROM matches WHERE {column} = OLD.id; END"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("pk_matches", "matches", type_="primary")
        op.drop_column("matches", "id")  # its sequence goes with it
        op.drop_constraint("uq_matches_company_id_notice_id", "matches", type_="unique")
        op.create_primary_key("pk_matches", "matches", ["company_id", "notice_id"])
        return
    _drop_sqlite_triggers()
    with op.batch_alter_table("matches", schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint("uq_matches_company_id_notice_id", type_="unique")
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_matches", ["company_id", "notice_id"])
    _create_sqlite_triggers()


def downgrade() -> None:
    # the ids come back numbered anew (nothing kept them): on SQLite the copy numbers the rows, on
    # PostgreSQL a serial column fills every row from its new sequence
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("pk_matches", "matches", type_="primary")
        op.execute("ALTER TABLE matches ADD COLUMN id SERIAL NOT NULL")
        op.create_primary_key("pk_matches", "matches", ["id"])
        op.create_unique_constraint("uq_matches_company_id_notice_id", "matches", ["company_id", "notice_id"])
        return
    _drop_sqlite_triggers()
    with op.batch_alter_table("matches", schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint("pk_matches", type_="primary")
        batch_op.add_column(sa.Column("id", sa.Integer(), nullable=False))
        batch_op.create_primary_key("pk_matches", ["id"])
        batch_op.create_unique_constraint("uq_matches_company_id_notice_id", ["company_id", "notice_id"])
    _create_sqlite_triggers()
