"""reminders.test_send: test sends go through the outbox with one attempt (issue 16, item 14)

"Send test" used to call the receiver inside the web request; 80 of them to a slow webhook held every
pooled connection. Now a test send is a reminder row (purpose "test", test_send true) that the
dispatcher sends once, at once; the page and the API read its result. Existing rows are not test sends.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("test_send", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # the old code knows neither test sends nor their "failed" status: they are dropped
    test_sends = "SELECT id FROM reminders WHERE test_send"
    op.execute(sa.text(f"DELETE FROM deliveries WHERE reminder_id IN ({test_sends})"))
    op.execute(sa.text(f"DELETE FROM reminders WHERE id IN ({test_sends})"))
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("test_send")
