"""channels.target and channels.secret encrypted at rest (Fernet, key REMINDER_DATA_KEY; issue 16, item 9)

The columns stay TEXT; rows written before are encrypted here. Downgrade writes them back in clear.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reminder.db.crypto import PREFIX, cipher

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHANNELS = sa.table(
    "channels", sa.column("id", sa.Integer), sa.column("target", sa.Text), sa.column("secret", sa.Text)
)


def _rewrite(encrypt: bool) -> None:
    conn = op.get_bind()
    fernet = cipher()
    for row in conn.execute(sa.select(_CHANNELS)).all():
        values = {}
        for name in ("target", "secret"):
            value = getattr(row, name)
            if value is None or value.startswith(PREFIX) == encrypt:
                continue
            if encrypt:
                values[name] = PREFIX + fernet.encrypt(value.encode()).decode()
            else:
                values[name] = fernet.decrypt(value[len(PREFIX) :].encode()).decode()
        if values:
            conn.execute(sa.update(_CHANNELS).where(_CHANNELS.c.id == row.id).values(**values))


def upgrade() -> None:
    _rewrite(encrypt=True)


def downgrade() -> None:
    _rewrite(encrypt=False)
