"""Issue 16, item 9: channel targets and secrets are encrypted at rest, with rotatable keys.

The review's repro: robot keys (in webhook URLs) and signing secrets were plaintext in the database.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.config import get_settings
from reminder.db.crypto import PREFIX
from reminder.db.engine import session_scope
from reminder.db.models import Channel, Company, CompanyCreate
from reminder.db.rekey import reencrypt_channels
from reminder.errors import StorageError

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SECRET = "SECb8f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1"


def _channel(engine: Engine) -> int:
    from reminder.companies.records import create_company

    with session_scope(engine) as session:
        owner: Company = create_company(session=session, company_in=CompanyCreate(name="加密测试有限公司"))
        row = Channel(company_id=owner.id or 0, kind="wecom", target=ROBOT, secret=SECRET)
        session.add(row)
        session.flush()
        return row.id or 0


def _raw(engine: Engine, channel_id: int) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT target, secret FROM channels WHERE id = :i"), {"i": channel_id}
        ).one()
    return row.target, row.secret


def _use_keys(monkeypatch: pytest.MonkeyPatch, *keys: str) -> None:
    monkeypatch.setenv("REMINDER_DATA_KEY", ",".join(keys))
    get_settings.cache_clear()


def test_targets_and_secrets_are_stored_encrypted(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_keys(monkeypatch, Fernet.generate_key().decode())
    channel_id = _channel(db)
    target, secret = _raw(db, channel_id)
    assert target.startswith(PREFIX) and secret.startswith(PREFIX)
    assert "693a91f6" not in target + secret and "SECb8f1" not in target + secret
    with Session(db) as session:
        row = session.get(Channel, channel_id)
        assert row is not None and (row.target, row.secret) == (ROBOT, SECRET)


def test_keys_rotate_and_old_rows_are_encrypted(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _use_keys(monkeypatch, old)
    channel_id = _channel(db)
    with db.begin() as conn:  # a row from before encryption
        conn.execute(sa.text("UPDATE channels SET secret = 'plain-secret' WHERE id = :i"), {"i": channel_id})
    _use_keys(monkeypatch, new, old)  # rotation: the new key first, the old one still readable
    with session_scope(db) as session:
        assert reencrypt_channels(session) == 1
    _use_keys(monkeypatch, new)  # the old key dropped: everything still reads
    with Session(db) as session:
        row = session.get(Channel, channel_id)
        assert row is not None and (row.target, row.secret) == (ROBOT, "plain-secret")
    assert _raw(db, channel_id)[1].startswith(PREFIX)
    _use_keys(monkeypatch, Fernet.generate_key().decode())  # a wrong key: a clear error, not garbage
    with Session(db) as session, pytest.raises(StorageError, match="REMINDER_DATA_KEY"):
        session.get(Channel, channel_id)
