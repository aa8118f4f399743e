"""Migration 0017 (issue 15): match_counts loses its foreign key and its index on total (their upkeep was
most of matching's time on PostgreSQL). The counts stored before read back unchanged through the upgrade
and the downgrade; deleting a company still deletes its counts (a trigger now); the downgrade puts the key
and the index back."""

from __future__ import annotations

import datetime as dt
import importlib

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reminder.db.migrate import downgrade, upgrade

MIGRATION = importlib.import_module("reminder.db.migrations.versions.0017_match_counts_upkeep")
BEFORE = str(MIGRATION.down_revision)
NOW = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)
#: the other required columns of a company row
COMPANY = {
    "industry_tags": [], "qualifications": [], "reminder_offsets": [7], "digest": "weekly",
    "email_unsubscribed": False, "created_at": NOW, "updated_at": NOW,
}  # fmt: skip
#: (eligible, possible) of two companies
COUNTS = [(3, 1), (0, 2)]


def _counts_before(engine: Engine) -> list[int]:
    """Two companies and their counts, written by the schema before 0017 (reflected)."""
    with engine.begin() as conn:
        meta = sa.MetaData()
        companies, counts = (sa.Table(n, meta, autoload_with=conn) for n in ("companies", "match_counts"))
        ids = []
        for number, (eligible, possible) in enumerate(COUNTS):
            key = conn.execute(
                sa.insert(companies).values(name=f"旧企业{number}", **COMPANY)
            ).inserted_primary_key
            assert key is not None
            ids.append(int(key[0]))
            row = {
                "company_id": ids[-1],
                "eligible": eligible,
                "possible": possible,
                "total": eligible + possible,
            }
            conn.execute(sa.insert(counts).values(**row))
    return ids


def _counts(engine: Engine) -> dict[int, tuple[int, int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT company_id, eligible, possible, total FROM match_counts"))
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _schema(engine: Engine) -> tuple[list[str], list[str]]:
    """(foreign keys' target tables, indexed columns) of match_counts."""
    inspector = sa.inspect(engine)
    keys = [fk["referred_table"] for fk in inspector.get_foreign_keys("match_counts")]
    return keys, sorted(c for ix in inspector.get_indexes("match_counts") for c in ix["column_names"] if c)


def test_counts_read_back_unchanged_and_follow_their_company(empty_engine: Engine) -> None:
    upgrade(empty_engine, BEFORE)
    assert _schema(empty_engine) == (["companies"], ["total"])
    ids = _counts_before(empty_engine)
    expected = {i: (e, p, e + p) for i, (e, p) in zip(ids, COUNTS, strict=True)}

    upgrade(empty_engine, "0017")
    assert _schema(empty_engine) == ([], [])
    assert _counts(empty_engine) == expected
    with empty_engine.begin() as conn:  # deleting a company deletes its counts, without the key
        conn.execute(sa.text("DELETE FROM companies WHERE id = :id"), {"id": ids[0]})
    assert _counts(empty_engine) == {ids[1]: expected[ids[1]]}

    assert downgrade(empty_engine, BEFORE) == BEFORE
    assert _schema(empty_engine) == (["companies"], ["total"])
    assert _counts(empty_engine) == {ids[1]: expected[ids[1]]}
    with empty_engine.begin() as conn:  # the key's cascade is back
        conn.execute(sa.text("DELETE FROM companies WHERE id = :id"), {"id": ids[1]})
    assert _counts(empty_engine) == {}

    upgrade(empty_engine)
    assert _schema(empty_engine) == ([], [])


def test_a_count_left_by_a_deleted_company_does_not_stop_the_downgrade(empty_engine: Engine) -> None:
    """Without the key nothing refuses a count of a company gone (say, written while a company was being
    deleted): the downgrade drops it rather than fail to put the key back."""
    upgrade(empty_engine, BEFORE)
    ids = _counts_before(empty_engine)
    upgrade(empty_engine, "0017")
    with empty_engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO match_counts (company_id, eligible, possible, total) VALUES (:id, 1, 0, 1)"),
            {"id": max(ids) + 100},
        )
    assert downgrade(empty_engine, BEFORE) == BEFORE
    assert set(_counts(empty_engine)) == set(ids)
