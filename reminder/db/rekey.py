"""Re-encrypting channel data: after a key rotation, or for rows written before encryption."""

from __future__ import annotations

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from reminder.db.models import Channel

__all__ = ["reencrypt_channels"]


def reencrypt_channels(session: Session) -> int:
    """Write every channel's target and secret again with the newest key of REMINDER_DATA_KEY.

    Rotation: put the new key first in REMINDER_DATA_KEY (old ones after it), run this, then drop the
    old keys. Flushes, does not commit; returns how many rows were rewritten.
    """
    rows = session.exec(select(Channel)).all()
    for row in rows:
        flag_modified(row, "target")
        if row.secret is not None:
            flag_modified(row, "secret")
        session.add(row)
    session.flush()
    return len(rows)
