"""Migration 0016 (issue 15): distinct verdicts move to their own table, matches point at them. Matches
stored before read back with the same status, missing, unmet and trace; equal verdicts of a notice
become one row; the downgrade puts the JSON back on every match and drops the table."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.db.migrate import current_revision, downgrade, upgrade
from reminder.db.models import Match
from reminder.matching._match_rows import stored_verdicts

MIGRATION = importlib.import_module("reminder.db.migrations.versions.0016_verdicts")
BEFORE = str(MIGRATION.down_revision)
NOW = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)
#: (status, missing, unmet, trace) of three companies on one notice: the first two equal
VERDICTS = [
    ("possibly_eligible", ["职工人数"], [], {"on": "2025-03-10", "statuses": ["unknown"], "manual": []}),
    ("possibly_eligible", ["职工人数"], [], {"on": "2025-03-10", "statuses": ["unknown"], "manual": []}),
    (
        "not_eligible",
        [],
        ["职工总数 900 人 > 300 人 ✗"],
        {"on": "2025-03-10", "statuses": ["fail"], "manual": []},
    ),
]
#: the other required columns of a company row
COMPANY = {
    "industry_tags": [], "qualifications": [], "reminder_offsets": [7], "digest": "weekly",
    "email_unsubscribed": False, "created_at": NOW, "updated_at": NOW,
}  # fmt: skip


def _tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _match_columns(engine: Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("matches")}


def _new_id(conn: sa.Connection, insert: sa.Insert) -> int:
    key = conn.execute(insert).inserted_primary_key
    assert key is not None
    return int(key[0])


def _old_matches(engine: Engine) -> tuple[int, list[int]]:
    """A notice, three companies and their matches written by the schema before 0016 (reflected)."""
    with engine.begin() as conn:
        meta = sa.MetaData()
        documents, notices, companies, matches = (
            sa.Table(name, meta, autoload_with=conn)
            for name in ("documents", "notices", "companies", "matches")
        )
        doc_id = _new_id(
            conn,
            sa.insert(documents).values(
                source="/srv/old.txt",
                content_hash="a" * 64,
                format="txt",
                kind="notice",
                text="旧通知",
                ingested_at=NOW,
            ),
        )
        values = {
            "title": "旧通知", "document_id": doc_id, "key": "k" * 64, "status": "published", "policy_only": False,
            "rolling": False, "span_start": 0, "span_end": 3, "created_at": NOW, "updated_at": NOW,
        }  # fmt: skip
        notice_id = _new_id(conn, sa.insert(notices).values(**values))
        ids = []
        for number, (status, missing, unmet, trace) in enumerate(VERDICTS):
            company_id = _new_id(conn, sa.insert(companies).values(name=f"旧企业{number}", **COMPANY))
            ids.append(company_id)
            row = {"company_id": company_id, "notice_id": notice_id, "status": status, "evaluated_at": NOW}
            conn.execute(sa.insert(matches).values(**row, missing=missing, unmet=unmet, trace=trace))
    return notice_id, ids


def _read(engine: Engine, company_ids: list[int]) -> list[tuple[object, ...]]:
    with Session(engine) as session:
        by_company = {m.company_id: m for m in session.exec(select(Match)).all()}
        return [
            (by_company[i].status, by_company[i].missing, by_company[i].unmet, by_company[i].trace)
            for i in company_ids
        ]


def test_old_matches_read_back_unchanged_through_upgrade_and_downgrade(empty_engine: Engine) -> None:
    upgrade(empty_engine, BEFORE)
    notice_id, company_ids = _old_matches(empty_engine)

    upgrade(empty_engine, "0016")
    assert "verdicts" in _tables(empty_engine)
    assert not {"missing", "unmet", "trace"} & _match_columns(empty_engine)
    assert _read(empty_engine, company_ids) == [tuple(v) for v in VERDICTS]
    with empty_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM verdicts")).scalar_one() == 2
    with Session(empty_engine) as session:
        texts = stored_verdicts(session=session, company_id=company_ids[2])[notice_id]
        assert stored_verdicts(session=session, company_id=company_ids[2], notice_ids=[notice_id]) == {
            notice_id: texts
        }
        assert stored_verdicts(session=session, company_id=company_ids[2], notice_ids=[notice_id + 1]) == {}
    assert (texts[0], *map(json.loads, texts[1:])) == VERDICTS[2]

    assert downgrade(empty_engine, BEFORE) == BEFORE
    assert "verdicts" not in _tables(empty_engine)
    with empty_engine.connect() as conn:
        meta = sa.MetaData()
        matches = sa.Table("matches", meta, autoload_with=conn)
        query = sa.select(
            matches.c.company_id, matches.c.status, matches.c.missing, matches.c.unmet, matches.c.trace
        )
        rows = {r[0]: tuple(r[1:]) for r in conn.execute(query)}
    assert [rows[i] for i in company_ids] == [tuple(v) for v in VERDICTS]

    upgrade(empty_engine)
    assert current_revision(empty_engine) is not None
    assert _read(empty_engine, company_ids) == [tuple(v) for v in VERDICTS]


def test_deleting_a_company_or_a_notice_deletes_its_matches(empty_engine: Engine) -> None:
    """The matches have no foreign keys (their check per row was the cost of matching): triggers on the
    parents delete them instead. A later migration rebuilding companies or notices on SQLite (batch mode)
    would drop the triggers: this test says so."""
    upgrade(empty_engine, BEFORE)
    notice_id, company_ids = _old_matches(empty_engine)
    upgrade(empty_engine)
    count = "SELECT COUNT(*) FROM matches"
    with empty_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM companies WHERE id = :id"), {"id": company_ids[0]})
        assert conn.execute(sa.text(count)).scalar_one() == 2
        conn.execute(sa.text("DELETE FROM notices WHERE id = :id"), {"id": notice_id})
        assert conn.execute(sa.text(count)).scalar_one() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM verdicts")).scalar_one() == 0
