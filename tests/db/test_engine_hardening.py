"""Issue 16, items 8 and 9: database errors never carry secrets; the SQLite file is private.

The review's repro: a failing channel insert logged ``[parameters: {… 'secret': 'whsec_…'}]``, and
``var/reminder.db`` was created 0644.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.engine import make_engine
from reminder.db.models import Channel

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

log = logging.getLogger("reminder.test")


def test_a_failing_channel_insert_logs_no_secret(db: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with Session(db) as session, pytest.raises(sa.exc.IntegrityError) as failure:
        session.add(
            Channel(company_id=987654, kind="webhook", target=ROBOT, secret=SECRET)
        )  # no such company
        try:
            session.flush()
        except sa.exc.IntegrityError:
            log.exception("channel insert failed")  # what a request handler's error log would show
            raise
    text = str(failure.value) + caplog.text
    assert "channel insert failed" in caplog.text
    assert SECRET not in text and "693a91f6" not in text
    assert "hidden due to hide_parameters" in str(failure.value)


def test_the_sqlite_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "reminder.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_world_readable_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "reminder.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
