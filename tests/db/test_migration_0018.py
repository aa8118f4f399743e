"""Migration 0018 (issue 15): new notices' verdicts wait in match_counts_pending to be added to the counts.
Going back to 0017, whose readers know no queue, adds what the queued notices owe first: the counts are
then those a fresh count of every match gives; going up again starts with an empty queue."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from test_match_counts_pending import _company, _notice

from reminder.db import match_counts
from reminder.db.migrate import downgrade, upgrade
from reminder.matching import match_notice
from reminder.model import TZ

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)


def _counts(engine: Engine) -> dict[int, tuple[int, int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT company_id, eligible, possible, total FROM match_counts"))
        return {r[0]: (r[1], r[2], r[3]) for r in rows if r[3]}


def test_going_back_adds_what_the_queued_notices_owe(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(match_counts, "QUEUED_FROM", 1)  # every new notice is queued
    upgrade(empty_engine)
    with Session(empty_engine) as session:
        small = _company(session, "杭州小微科技有限公司", 80)
        unknown = _company(session, "杭州人数未报科技有限公司", None)
        for title in ("关于组织申报中小企业专项资金的通知", "关于组织申报第二批中小企业专项资金的通知"):
            match_notice(session=session, notice_id=_notice(session, title), now=NOW)
        session.commit()
    assert _counts(empty_engine) == {}, "both notices wait in the queue"

    assert downgrade(empty_engine, "0017") == "0017"
    assert "match_counts_pending" not in sa.inspect(empty_engine).get_table_names()
    assert _counts(empty_engine) == {small: (2, 0, 2), unknown: (0, 2, 2)}

    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM match_counts_pending")).scalar_one() == 0
    assert _counts(empty_engine) == {small: (2, 0, 2), unknown: (0, 2, 2)}
