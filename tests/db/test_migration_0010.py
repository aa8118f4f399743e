"""Migration 0010 (issue 13): notices get benefits, how_to_apply, contacts and attachments (JSON). Notices
stored before read back with none, new ones keep theirs, and the downgrade drops only those columns."""

from __future__ import annotations

import datetime as dt
import importlib

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.migrate import current_revision, downgrade, upgrade
from reminder.db.models import NoticeRow
from reminder.db.store import to_notice
from reminder.model import Benefit, Contact

MIGRATION = importlib.import_module("reminder.db.migrations.versions.0010_notice_facts")
BEFORE = str(MIGRATION.down_revision)
FACTS = ("benefits", "how_to_apply", "contacts", "attachments")
NOW = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("notices")}


def _old_notice(engine: Engine) -> int:
    """A document and a notice written by the schema before 0010 (reflected: no model of that time)."""
    with engine.begin() as conn:
        meta = sa.MetaData()
        documents = sa.Table("documents", meta, autoload_with=conn)
        notices = sa.Table("notices", meta, autoload_with=conn)
        doc_id = conn.execute(
            sa.insert(documents).values(
                source="/srv/old.txt",
                content_hash="a" * 64,
                format="txt",
                kind="notice",
                text="旧通知",
                ingested_at=NOW,
            )
        ).inserted_primary_key[0]
        values = {
            "title": "旧通知", "document_id": doc_id, "key": "k" * 64, "status": "published", "policy_only": False,
            "rolling": False, "span_start": 0, "span_end": 3, "created_at": NOW, "updated_at": NOW,
        }  # fmt: skip
        return int(conn.execute(sa.insert(notices).values(**values)).inserted_primary_key[0])


def test_old_notices_read_back_with_no_facts_and_new_ones_keep_theirs(empty_engine: Engine) -> None:
    upgrade(empty_engine, BEFORE)
    assert not set(FACTS) & _columns(empty_engine)
    notice_id = _old_notice(empty_engine)

    upgrade(empty_engine, "0010")
    assert set(FACTS) <= _columns(empty_engine)
    with Session(empty_engine) as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None and row.benefits is None
        notice = to_notice(session=session, row=row)
        assert (notice.benefits, notice.how_to_apply, notice.contacts, notice.attachments) == ((), (), (), ())
        row.benefits = [Benefit(kind="award", quote="一次性奖励20万元", amount=20, one_off=True).to_json()]
        row.contacts = [Contact(quote="电话：0571-87654321", phones=("0571-87654321",)).to_json()]
        session.add(row)
        session.commit()
    with Session(empty_engine) as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None
        notice = to_notice(session=session, row=row)
    assert notice.benefits[0].label() == "奖励 20 万元" and notice.contacts[0].phones == ("0571-87654321",)

    assert downgrade(empty_engine, BEFORE) == BEFORE
    assert not set(FACTS) & _columns(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT title FROM notices")).scalar_one() == "旧通知"
    upgrade(empty_engine)
    assert current_revision(empty_engine) is not None and set(FACTS) <= _columns(empty_engine)
