"""job_runs, admin_sessions, ratelimit_hits: several serve and worker processes on one database (issue 15)

job_runs: a periodic job (sweep, digests) runs once per period across processes, not once per
process: the first process to insert (job, period) runs it. admin_sessions: operator sessions
were kept in the serving process; in the database every ``reminder serve`` behind a proxy sees them.
ratelimit_hits: the abuse counters, when REMINDER_RATELIMIT_STORAGE=database:// shares them too.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job", "period", name=op.f("pk_job_runs")),
    )
    op.create_table(
        "admin_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("token_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_admin_sessions")),
    )
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_sessions_last_seen"), ["last_seen"], unique=False)
    op.create_table(
        "ratelimit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratelimit_hits")),
    )
    with op.batch_alter_table("ratelimit_hits", schema=None) as batch_op:
        batch_op.create_index("ix_ratelimit_hits_key_at", ["key_hash", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratelimit_hits_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ratelimit_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratelimit_hits_at"))
        batch_op.drop_index("ix_ratelimit_hits_key_at")
    op.drop_table("ratelimit_hits")
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_sessions_last_seen"))
    op.drop_table("admin_sessions")
    op.drop_table("job_runs")
