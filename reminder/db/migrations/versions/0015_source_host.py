"""sources.host: the list page's host, so that one worker at a time polls the sources of a host (issue 17)

host is the URL's lower-cased netloc (reminder.db.source_models.host_of), filled from url for the
sources already stored. A worker claims a source only while no other worker holds a source on its host.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _host(url: str) -> str:
    # the same rule as source_models.host_of, frozen here: a migration must not follow later code changes
    return urlsplit(url).netloc.rpartition("@")[2].lower()


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=False, server_default=""))
    conn = op.get_bind()
    sources = sa.table("sources", sa.column("id", sa.Integer), sa.column("url", sa.Text), sa.column("host"))
    for source_id, url in conn.execute(sa.select(sources.c.id, sources.c.url)).all():
        conn.execute(sa.update(sources).where(sources.c.id == source_id).values(host=_host(url)))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.alter_column("host", server_default=None)
    op.create_index("ix_sources_host", "sources", ["host"])


def downgrade() -> None:
    op.drop_index("ix_sources_host", table_name="sources")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("host")
