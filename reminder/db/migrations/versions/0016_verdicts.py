"""verdicts: each distinct verdict on a notice stored once; matches keep (company, notice, status, verdict) (issue 15)

A notice gives 100,000 companies a few hundred distinct verdicts: writing the JSON of missing, unmet and
the trace per company was most of matching's cost. The verdicts already stored are collected into the
new table and every match points at its verdict. The matches' foreign keys go: their check per row (a
key-share lock on the company row, another on the notice) cost more than writing the row; deleting a
company or a notice still deletes its matches, by a trigger on the parent (nothing per match written).
The indexes the write path paid for but no reader used (matches.company_id, led by the unique pair
anyway; matches.status) are dropped; the notice's index takes the verdict id too (which of a notice's
verdicts are still used).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = ("missing", "unmet", "trace")
#: the same stored texts (JSON compared as text: the json type keeps the text as written)
_SAME = " AND ".join(
    ["verdicts.notice_id = matches.notice_id", "verdicts.status = matches.status"]
    + [f"CAST(verdicts.{c} AS TEXT) = CAST(matches.{c} AS TEXT)" for c in _JSON]
)


def _digest(status: str, missing: str, unmet: str, trace: str) -> str:
    # the rule of reminder.matching._verdicts.digest, frozen here: a migration must not follow later code
    text = "\x1f".join((status, missing, unmet, trace))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _fill() -> None:
    """One verdict row per distinct (notice, status, missing, unmet, trace) of the stored matches."""
    conn = op.get_bind()
    cast = "CAST(:{0} AS JSON)" if conn.dialect.name == "postgresql" else ":{0}"
    insert = sa.text(
        "INSERT INTO verdicts (notice_id, digest, status, missing, unmet, trace) VALUES "
        f"(:notice_id, :digest, :status, {', '.join(cast.format(c) for c in _JSON)})"
    )
    distinct = sa.text(
        "SELECT DISTINCT notice_id, status, "
        + ", ".join(f"CAST({c} AS TEXT)" for c in _JSON)
        + " FROM matches"
    )
    rows = [
        {"notice_id": n, "digest": _digest(s, m, u, t), "status": s, "missing": m, "unmet": u, "trace": t}
        for n, s, m, u, t in conn.execute(distinct)
    ]
    if rows:
        conn.execute(insert, rows)
    conn.execute(
        sa.text(f"UPDATE matches SET verdict_id = verdicts.id FROM verdicts WHERE {_SAME}")  # noqa: S608
    )


#: deleting a company or a notice deletes its matches (what ON DELETE CASCADE did)
_PARENTS = (("companies", "company_id"), ("notices", "notice_id"))


def _create_triggers() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for table, column in _PARENTS:
        name = f"{table}_delete_matches"
        if pg:
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$BEGIN DELETE FROM matches WHERE {column} = OLD.id; RETURN OLD; END$$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {name} AFTER DELETE ON {table} "
                f"BEGIN DELETE FROM matches WHERE {column} = OLD.id; END"
            )


def _drop_triggers() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for table, _ in _PARENTS:
        name = f"{table}_delete_matches"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else ""))
        if pg:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def upgrade() -> None:
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        *(sa.Column(c, sa.JSON(), nullable=False) for c in _JSON),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name="fk_verdicts_notice_id_notices", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_verdicts"),
        sa.UniqueConstraint("notice_id", "digest", name="uq_verdicts_notice_id_digest"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verdict_id", sa.Integer(), nullable=True))
    _fill()
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.alter_column("verdict_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index("ix_matches_company_id")
        batch_op.drop_index("ix_matches_status")
        batch_op.drop_index("ix_matches_notice_id")
        batch_op.drop_constraint("fk_matches_notice_id_notices", type_="foreignkey")
        batch_op.drop_constraint("fk_matches_company_id_companies", type_="foreignkey")
        batch_op.create_index("ix_matches_notice_id_verdict_id", ["notice_id", "verdict_id"])
        for column in _JSON:
            batch_op.drop_column(column)
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    # the keys come back: no match may name a company or notice gone (none should: the triggers)
    op.execute(
        "DELETE FROM matches WHERE company_id NOT IN (SELECT id FROM companies) "
        "OR notice_id NOT IN (SELECT id FROM notices)"
    )
    with op.batch_alter_table("matches", schema=None) as batch_op:
        for column in _JSON:
            batch_op.add_column(sa.Column(column, sa.JSON(), nullable=True))
    sets = ", ".join(f"{c} = verdicts.{c}" for c in _JSON)
    op.execute(f"UPDATE matches SET {sets} FROM verdicts WHERE verdicts.id = matches.verdict_id")  # noqa: S608
    with op.batch_alter_table("matches", schema=None) as batch_op:
        for column in _JSON:
            batch_op.alter_column(column, existing_type=sa.JSON(), nullable=False)
        for table, column in _PARENTS:
            batch_op.create_foreign_key(
                f"fk_matches_{column}_{table}", table, [column], ["id"], ondelete="CASCADE"
            )
        batch_op.create_index("ix_matches_company_id", ["company_id"])
        batch_op.create_index("ix_matches_status", ["status"])
        batch_op.drop_index("ix_matches_notice_id_verdict_id")
        batch_op.create_index("ix_matches_notice_id", ["notice_id"])
        batch_op.drop_column("verdict_id")
    op.drop_table("verdicts")
