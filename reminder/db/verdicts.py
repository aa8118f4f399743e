"""Verdict rows: each distinct verdict on a notice is stored once, matches point at it by id.

    verdict_ids(pairs) ──── (notice, verdict texts) → the row's id: found by (notice, digest), the
                            missing ones inserted (ON CONFLICT DO NOTHING: a concurrent run may insert
                            the same) and read back
    drop_unused(ids) ────── verdicts no match refers to any more are deleted (a verdict row is never
                            changed: a changed verdict is another row)

Matches carry no foreign key to their verdict (one check per match written), so on PostgreSQL the two
sides lock instead, once per verdict: ``verdict_ids`` takes a key-share lock on every row it returns,
held until commit, and ``drop_unused`` deletes only rows it could lock for update (SKIP LOCKED: a verdict
another transaction is about to use stays, to be dropped later), checking use in a statement after the
lock, which sees every match committed before it. SQLite runs one writer at a time.

A verdict is (status, missing, unmet, trace), the three lists as the JSON text matching writes; the
digest names it within its notice, so a lookup never compares JSON text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

__all__ = ["VerdictText", "verdict_json", "digest", "verdict_ids", "drop_unused", "verdicts_of"]

#: (status, missing JSON, unmet JSON, trace JSON)
VerdictText = tuple[str, str, str, str]

#: keys per IN (...) list
_CHUNK = 400
_JSON = ("missing", "unmet", "trace")
_verdicts = sa.table("verdicts", *(sa.column(c) for c in ("id", "notice_id", "digest", "status", *_JSON)))
_matches = sa.table("matches", sa.column("notice_id"), sa.column("verdict_id"))


def verdict_json(value: Any) -> str:
    """A verdict's list or trace as the JSON columns hold it (UTF-8 text, Chinese unescaped): the one
    serialisation every writer uses, so equal verdicts get equal digests."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def digest(verdict: VerdictText) -> str:
    """The verdict's name within its notice: a hash of its four texts (the same rule as migration 0016)."""
    text = "\x1f".join(verdict)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _chunks(keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


def _find(conn: Connection, keys: Collection[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The ids of the verdicts stored under these (notice, digest) keys."""
    found: dict[tuple[int, str], int] = {}
    notices = {n for n, _ in keys}
    columns = (_verdicts.c.notice_id, _verdicts.c.digest, _verdicts.c.id)
    for chunk in _chunks(sorted(keys)):
        if len(notices) == 1:  # one notice: a plain IN list, no row values
            where = sa.and_(
                _verdicts.c.notice_id == chunk[0][0], _verdicts.c.digest.in_([d for _, d in chunk])
            )
        else:
            where = sa.tuple_(_verdicts.c.notice_id, _verdicts.c.digest).in_(list(chunk))
        query = sa.select(*columns).where(where)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(key_share=True)
        found.update(((n, d), i) for n, d, i in conn.execute(query))
    return found


def _insert(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    pg = conn.dialect.name == "postgresql"
    if not pg and conn.dialect.name != "sqlite":
        raise NotImplementedError(f"verdicts support SQLite and PostgreSQL, not {conn.dialect.name}")

    def text(name: str) -> sa.ColumnElement[Any]:
        value = sa.bindparam(name, type_=sa.Text)
        return sa.cast(value, postgresql.JSON) if pg else value  # SQLite stores the JSON text as given

    values: dict[str, sa.ColumnElement[Any]] = {c: sa.bindparam(c) for c in ("notice_id", "digest", "status")}
    values |= {c: text(c) for c in _JSON}
    insert = (postgresql.insert if pg else sqlite.insert)(_verdicts).values(values)
    conn.execute(insert.on_conflict_do_nothing(index_elements=["notice_id", "digest"]), list(rows))


def verdict_ids(conn: Connection, pairs: Iterable[tuple[int, VerdictText]]) -> dict[tuple[int, str], int]:
    """The id of each (notice, verdict), stored first when new.

    Returns:
        Ids by (notice id, digest of the verdict).
    """
    wanted = {(notice_id, digest(v)): v for notice_id, v in pairs}
    found = _find(conn, wanted.keys())
    new = [key for key in wanted if key not in found]
    if new:
        rows = [
            {"notice_id": n, "digest": d, **dict(zip(("status", *_JSON), wanted[n, d], strict=True))}
            for n, d in sorted(new)
        ]
        _insert(conn, rows)
        found.update(_find(conn, new))
    return found


def drop_unused(conn: Connection, verdict_ids: Iterable[int]) -> None:
    """Delete those of these verdicts that no match refers to (one index probe each)."""
    ids = sorted(set(verdict_ids))
    used = sa.exists().where(
        _matches.c.notice_id == _verdicts.c.notice_id, _matches.c.verdict_id == _verdicts.c.id
    )
    for chunk in _chunks(ids):
        if conn.dialect.name == "postgresql":
            lock = (
                sa.select(_verdicts.c.id).where(_verdicts.c.id.in_(chunk)).with_for_update(skip_locked=True)
            )
            chunk = list(conn.execute(lock).scalars())
            if not chunk:
                continue
        conn.execute(sa.delete(_verdicts).where(_verdicts.c.id.in_(chunk), ~used))


def verdicts_of(conn: Connection, notice_id: int) -> list[int]:
    """The ids of the notice's stored verdicts."""
    query = sa.select(_verdicts.c.id).where(_verdicts.c.notice_id == notice_id)
    return list(conn.execute(query).scalars())
