"""Migration 0019 (issue 15): a match is keyed by its (company, notice) pair, without an id of its own.
Matches survive the way down (numbered anew) and up again; the pair stays unique; deleting a company or
a notice still deletes its matches on both sides of the migration (SQLite rebuilds the table)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from test_match_counts_pending import _company, _notice

from reminder.db.migrate import downgrade, upgrade
from reminder.matching import match_notice
from reminder.model import TZ

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)


def _matches(engine: Engine) -> set[tuple[int, int, str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT company_id, notice_id, status, verdict_id FROM matches"))
        return {(r[0], r[1], r[2], r[3]) for r in rows}


def _delete(engine: Engine, table: str, row_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})  # noqa: S608


def test_matches_keep_their_pairs_down_and_up_and_parents_still_delete_them(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with Session(empty_engine) as session:
        small = _company(session, "杭州小微科技有限公司", 80)
        unknown = _company(session, "杭州人数未报科技有限公司", None)
        gone = _company(session, "杭州将注销科技有限公司", 50)
        first, second, third = (
            _notice(session, f"关于组织申报第{n}批中小企业专项资金的通知") for n in "一二三"
        )
        for notice_id in (first, second, third):
            match_notice(session=session, notice_id=notice_id, now=NOW)
        session.commit()
    stored = _matches(empty_engine)
    assert {(c, n) for c, n, _, _ in stored} == {
        (c, n) for c in (small, unknown, gone) for n in (first, second, third)
    }
    inspector = sa.inspect(empty_engine)
    assert "id" not in {c["name"] for c in inspector.get_columns("matches")}
    assert inspector.get_pk_constraint("matches")["constrained_columns"] == ["company_id", "notice_id"]

    assert downgrade(empty_engine, "0018") == "0018"
    assert _matches(empty_engine) == stored
    with empty_engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT id FROM matches")).scalars().all()
    assert len(set(ids)) == len(stored) and None not in ids, "every match numbered, each apart"
    _delete(empty_engine, "notices", third)
    stored = {m for m in stored if m[1] != third}
    assert _matches(empty_engine) == stored, "deleting a notice deletes its matches at 0018"

    assert upgrade(empty_engine) is not None
    assert _matches(empty_engine) == stored
    _delete(empty_engine, "companies", gone)
    stored = {m for m in stored if m[0] != gone}
    assert _matches(empty_engine) == stored, "deleting a company deletes its matches at head"
    _delete(empty_engine, "notices", second)
    assert _matches(empty_engine) == {m for m in stored if m[1] != second}
    status, verdict = next(iter(stored))[2:]
    with pytest.raises(sa.exc.IntegrityError), empty_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO matches (company_id, notice_id, status, verdict_id, evaluated_at) "
                "VALUES (:c, :n, :s, :v, :t)"
            ),
            {"c": small, "n": first, "s": status, "v": verdict, "t": NOW},
        )
