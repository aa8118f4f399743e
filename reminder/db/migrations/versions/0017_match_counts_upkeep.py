"""match_counts: cheaper to keep in step — no foreign key, no index on total, room for in-place updates (issue 15)

Matching one notice against 100,000 companies adds to as many count rows. Each row inserted paid the
foreign key's check (a key-share lock on the company row), and each update wrote a new entry in the
primary key and in the index on ``total``: more than half of matching's time on PostgreSQL. Without the
index on ``total`` and with half of every page left free (fillfactor 50, PostgreSQL), an update stays on
its page and touches no index (a HOT update). The dashboard ranks its 50 companies by a scan of these
narrow rows instead of the index. Deleting a company still deletes its counts, by a trigger (as its
matches since 0016).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGER = "companies_delete_match_counts"
_FK = "fk_match_counts_company_id_companies"


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    with op.batch_alter_table("match_counts", schema=None) as batch_op:
        batch_op.drop_index("ix_match_counts_total")
        batch_op.drop_constraint(_FK, type_="foreignkey")
    if _pg():
        op.execute("ALTER TABLE match_counts SET (fillfactor = 50)")
        op.execute(
            f"CREATE FUNCTION {_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN DELETE FROM match_counts WHERE company_id = OLD.id; RETURN OLD; END$$"
        )
        op.execute(
            f"CREATE TRIGGER {_TRIGGER} AFTER DELETE ON companies FOR EACH ROW EXECUTE FUNCTION {_TRIGGER}()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {_TRIGGER} AFTER DELETE ON companies "
            "BEGIN DELETE FROM match_counts WHERE company_id = OLD.id; END"
        )


def downgrade() -> None:
    pg = _pg()
    op.execute(f"DROP TRIGGER IF EXISTS {_TRIGGER}" + (" ON companies" if pg else ""))
    if pg:
        op.execute(f"DROP FUNCTION IF EXISTS {_TRIGGER}()")
        op.execute("ALTER TABLE match_counts RESET (fillfactor)")
    # the key comes back: no count may name a company gone (none should: the trigger)
    op.execute("DELETE FROM match_counts WHERE company_id NOT IN (SELECT id FROM companies)")
    with op.batch_alter_table("match_counts", schema=None) as batch_op:
        batch_op.create_foreign_key(_FK, "companies", ["company_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index("ix_match_counts_total", ["total"])
