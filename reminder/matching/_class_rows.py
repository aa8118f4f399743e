"""Writing one notice's verdicts by class of companies, inside the database.

    candidates  every candidate's class key, computed once by the database (see :func:`classed`),
                into a temporary table; grouped by key, the input values read for one company per class
    tokens ──── a coarse input (a qualification list) stands in the key by a token: its distinct values
                among the candidates, judged once each, name what the conditions make of them, so
                lists differing only in dates that change nothing share a class
    classes ─── (key, verdict) per class → verdict ids (``_verdicts``) → temporary table ``classes``
    rows ────── candidates joined to their class: (company, status, verdict id); no company row travels
                to Python
    matches ─── a new notice's rows are inserted straight from that join; a notice with stored matches
                puts them in temporary table ``rows`` first (read twice): rows whose stored verdict id
                differs (or that have none) are upserted, an unchanged verdict is not rewritten;
                companies of the scope without a row lose their match (no longer candidates, or rejected)

Each company's key is computed once: the writes read the ``candidates`` table.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from reminder.db.models import UTCDateTime
from reminder.db.verdicts import digest, verdict_ids
from reminder.matching._bulk_judge import Stored
from reminder.matching._match_rows import expire_matches

__all__ = ["ClassKey", "classed", "candidate_classes", "write_classes", "ROWS"]

#: ids per IN (...) list
_CHUNK = 500
#: companies sampled to tell whether most pass a notice's prefilter (SQLite then scans every company
#: rather than walk an index, and coarse inputs are told by token)
_SAMPLE = 2_000
#: the verdict of each class of companies, by the class's key (per connection; emptied before use)
_CLASSES = "match_class_verdicts"
#: the verdict of each candidate company of the notice being written (per connection; emptied before use)
ROWS = "match_notice_rows"
#: every candidate company's class key (per connection; emptied before use)
_CANDIDATES = "match_candidates"
#: the token standing for each value of a coarse input (per connection; emptied before use)
_TOKENS = "match_input_tokens"
_CREATE = {
    "sqlite": (
        f"CREATE TEMP TABLE IF NOT EXISTS {_CANDIDATES} (company_id INTEGER PRIMARY KEY, key TEXT NOT NULL)",
        f"CREATE TEMP TABLE IF NOT EXISTS {_TOKENS} "
        "(at INTEGER NOT NULL, value TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (at, value))",
        f"CREATE TEMP TABLE IF NOT EXISTS {_CLASSES} "
        "(key TEXT PRIMARY KEY, status TEXT NOT NULL, verdict_id INTEGER NOT NULL)",
        f"CREATE TEMP TABLE IF NOT EXISTS {ROWS} "
        "(company_id INTEGER PRIMARY KEY, status TEXT NOT NULL, verdict_id INTEGER NOT NULL)",
    ),
    "postgresql": (
        # no key: nothing looks a candidate up by id, and its index was 40% of the cost of filling the table;
        # a class key is a hash of its values (see ``classed``)
        f"CREATE TEMP TABLE IF NOT EXISTS {_CANDIDATES} "
        "(company_id INTEGER NOT NULL, key BIGINT NOT NULL) ON COMMIT DELETE ROWS",
        f"CREATE TEMP TABLE IF NOT EXISTS {_TOKENS} "
        "(at INTEGER NOT NULL, value TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (at, value)) "
        "ON COMMIT DELETE ROWS",
        f"CREATE TEMP TABLE IF NOT EXISTS {_CLASSES} "
        "(key BIGINT PRIMARY KEY, status TEXT NOT NULL, verdict_id INTEGER NOT NULL) ON COMMIT DELETE ROWS",
        # no key either: both readers join it whole (hash joins), and its index was a third of filling it
        f"CREATE TEMP TABLE IF NOT EXISTS {ROWS} "
        "(company_id INTEGER NOT NULL, status TEXT NOT NULL, verdict_id INTEGER NOT NULL) "
        "ON COMMIT DELETE ROWS",
    ),
}
#: a class's key: its text (SQLite), or a 64-bit hash of its values (PostgreSQL, see :func:`classed`)
ClassKey = str | int


_candidates = sa.table(_CANDIDATES, sa.column("company_id"), sa.column("key"))
_tokens = sa.table(_TOKENS, *(sa.column(c) for c in ("at", "value", "token")))
_classes = sa.table(_CLASSES, *(sa.column(c) for c in ("key", "status", "verdict_id")))
_rows = sa.table(ROWS, *(sa.column(c) for c in ("company_id", "status", "verdict_id")))
#: separates the values in a class key, and stands for NULL (neither occurs in stored text: profile
#: values refuse control characters, JSON text escapes them)
_SEPARATOR, _NULL = "\x1f", "\x1e"


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def classed(
    inputs: Sequence[sa.ColumnElement[Any]],
    keep: sa.ColumnElement[bool],
    coarse: Collection[int] = (),
    *,
    scan: bool = False,
    seed: int | None = None,
) -> tuple[sa.Subquery, sa.ColumnElement[Any], sa.FromClause]:
    """The companies passing ``keep`` with their inputs (``k0``, ``k1``…), the key naming a class, and
    what the key is selected from.

    The key is the inputs' text joined, computed by the database; a ``coarse`` input stands in it by its
    token (table ``match_input_tokens``, filled by :func:`candidate_classes`). ``scan``: read every company
    rather than through an index (cheaper when most companies pass).

    With ``seed`` (PostgreSQL), the key is the 64-bit hash of the values instead (``hash_record_extended``
    of their row, PostgreSQL 14 or later): storing, grouping and joining 800,000 candidates by a number,
    with no text made of each, costs half as much. Two classes sharing a hash would share one verdict (the
    lower company id's class's): by chance about 1 in 10^11 for 20,000 classes; the seed, new for every
    notice matched and never shown, keeps a profile from being shaped (its free-text fields are among the
    values) to collide with another class.
    """
    companies = _table("companies")
    columns = [companies.c.id, *(c.label(f"k{i}") for i, c in enumerate(inputs))]
    # coalesce hides the terms from SQLite's planner: a scan, not an index walk fetching most rows one by one
    where = sa.func.coalesce(keep, sa.false()) if scan else keep
    source = sa.select(*columns).where(where).subquery("classed")
    joined: sa.FromClause = source
    parts = []
    values: list[sa.ColumnElement[Any]] = []
    for i in range(len(inputs)):
        value: sa.ColumnElement[Any] = source.c[f"k{i}"]
        text: sa.ColumnElement[Any] = sa.func.coalesce(sa.cast(value, sa.Text), _NULL)
        if isinstance(value.type, sa.JSON):  # no hash function: hashed as its text
            value = sa.cast(value, sa.Text)
        if i in coarse:
            token = _tokens.alias(f"t{i}")
            joined = joined.join(token, sa.and_(token.c.at == i, token.c.value == text))
            text = value = token.c.token
        parts.append(text)
        values.append(value)
    if seed is not None:
        return source, sa.func.hash_record_extended(sa.func.row(*values), seed, type_=sa.BigInteger), joined
    key: sa.ColumnElement[str] = parts[0] if parts else sa.literal("")
    for part in parts[1:]:
        key = key + _SEPARATOR + part
    return source, key, joined


def _fill_tokens(
    conn: sa.Connection, source: sa.Subquery, tokens: Mapping[int, Callable[[Any], str]]
) -> None:
    """The token of every value a coarse input takes among the candidates (a few hundred: judged once each)."""
    conn.execute(sa.delete(_tokens))
    for at, token in tokens.items():
        raw = source.c[f"k{at}"]
        text = sa.func.coalesce(sa.cast(raw, sa.Text), _NULL)
        found = conn.execute(sa.select(text, raw).distinct()).all()
        rows = [{"at": at, "value": value, "token": _token(token, v, value)} for value, v in found]
        if rows:
            conn.execute(sa.insert(_tokens), rows)
    if tokens and conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {_TOKENS}")  # a temporary table has no statistics otherwise


def _most(conn: sa.Connection, keep: sa.ColumnElement[bool]) -> bool:
    """Whether most companies pass ``keep``, judging from the first ``_SAMPLE`` (a millisecond's work)."""
    companies = _table("companies")
    sample = sa.select(companies.c.id).order_by(companies.c.id).limit(_SAMPLE)
    passing = sa.func.sum(sa.case((sa.func.coalesce(keep, sa.false()), 1), else_=0))
    query = sa.select(passing, sa.func.count()).where(companies.c.id.in_(sample))
    found, sampled = conn.execute(query).one()
    return 2 * int(found or 0) > int(sampled)


def _token(token: Callable[[Any], str], value: Any, text: str) -> str:
    """The value's token; an unreadable value is its own class (judging it raises, as it did before,
    only if a candidate holds it)."""
    try:
        return token(value)
    except ValueError:
        return _NULL + text


def _create(conn: sa.Connection) -> None:
    dialect = conn.dialect.name
    if dialect not in _CREATE:
        raise NotImplementedError(f"bulk matching supports SQLite and PostgreSQL, not {dialect}")
    for create in _CREATE[dialect]:
        conn.exec_driver_sql(create)


def candidate_classes(
    *,
    session: Session,
    inputs: Sequence[sa.ColumnElement[Any]],
    keep: sa.ColumnElement[bool],
    most: int,
    tokens: Mapping[int, Callable[[Any], str]] | None = None,
) -> list[tuple[ClassKey, int, tuple[Any, ...]]] | None:
    """(key, companies, input values) of every class of the candidates; None beyond ``most`` classes.

    Each candidate's key is computed once, into a temporary table that :func:`write_classes` joins
    to the class verdicts; the values are read for one company per class. ``tokens`` names, by input
    position, inputs classed by the token of their value rather than its text: every value of such an
    input must give the same verdicts as any other value of equal token (the class's first company
    stands for all).
    """
    tokens = tokens or {}
    session.flush()
    conn = session.connection()
    _create(conn)
    conn.execute(sa.delete(_candidates))
    scan = False
    if conn.dialect.name == "sqlite":
        # SQLite's planner walks an index for ``headcount IS NULL OR headcount <= 500`` even when it keeps
        # four companies in five, fetching each row apart (several times a scan's cost per row): with
        # many candidates it is made to scan. PostgreSQL's planner weighs that by itself.
        scan = _most(conn, keep)
        if not scan:
            tokens = {}  # fewer candidates: their values' own query costs about what tokens save
    seed = secrets.randbits(63) if conn.dialect.name == "postgresql" else None
    source, key, joined = classed(inputs, keep, tokens.keys(), scan=scan, seed=seed)
    _fill_tokens(conn, source, tokens)
    named = sa.select(source.c.id, key).select_from(joined)
    conn.execute(sa.insert(_candidates).from_select(["company_id", "key"], named))
    query = (
        sa.select(_candidates.c.key, sa.func.count(), sa.func.min(_candidates.c.company_id))
        .group_by(_candidates.c.key)
        .limit(most + 1)
    )
    groups = conn.execute(query).all()
    if len(groups) > most:
        return None
    values: dict[int, tuple[Any, ...]] = {}
    ids = sorted(g[2] for g in groups)
    columns = [source.c[f"k{i}"] for i in range(len(inputs))]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for company_id, *found in conn.execute(
            sa.select(source.c.id, *columns).where(source.c.id.in_(chunk))
        ):
            values[company_id] = tuple(found)
    return [(name, count, values[first]) for name, count, first in groups]


def _class_rows(
    conn: sa.Connection,
    notice_id: int,
    inputs: Sequence[sa.ColumnElement[Any]],
    classes: Sequence[tuple[ClassKey, Stored]],
    keep: sa.ColumnElement[bool],
) -> sa.Subquery:
    """Every candidate of a listed class with its class's status and verdict id (company_id, status,
    verdict_id): the class verdicts stored, the candidates joined to them."""
    texts = {v: (v.status, v.missing, v.unmet, v.trace) for _, v in classes}
    ids = verdict_ids(conn, ((notice_id, t) for t in texts.values()))
    verdict_of = {v: ids[notice_id, digest(t)] for v, t in texts.items()}
    if not inputs:
        [(_, verdict)] = classes
        companies = _table("companies")
        fixed = (
            companies.c.id.label("company_id"),
            sa.literal(verdict.status).label("status"),
            sa.literal(verdict_of[verdict], sa.Integer).label("verdict_id"),
        )
        return sa.select(*fixed).where(keep).subquery("class_rows")
    conn.execute(sa.delete(_classes))
    conn.execute(
        sa.insert(_classes),
        [{"key": key, "status": v.status, "verdict_id": verdict_of[v]} for key, v in classes],
    )
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {_CLASSES}")  # a temporary table has no statistics otherwise
    joined = _candidates.join(_classes, _classes.c.key == _candidates.c.key)
    return (
        sa.select(_candidates.c.company_id, _classes.c.status, _classes.c.verdict_id)
        .select_from(joined)
        .subquery("class_rows")
    )


def _inserted(session: Session, insert: sa.Insert) -> bool:
    """Run a plain INSERT of a notice's first matches (cheaper than the upsert on PostgreSQL); False,
    with nothing written, when a row exists already (another process matched a company meanwhile)."""
    try:
        with session.begin_nested():
            session.connection().execute(insert)
    except sa.exc.IntegrityError:
        return False
    return True


def write_classes(
    *,
    session: Session,
    notice_id: int,
    inputs: Sequence[sa.ColumnElement[Any]],
    classes: Sequence[tuple[ClassKey, Stored]],
    keep: sa.ColumnElement[bool],
    scope: sa.ColumnElement[bool] | None,
    stored: bool,
    evaluated_at: dt.datetime,
) -> int:
    """Give every company of the listed classes its class's verdict; delete the notice's other matches
    within ``scope``.

    Args:
        session: the session (its pending changes are flushed first).
        notice_id: the notice judged.
        inputs: the columns classes are told apart by (empty: one class, key "").
        classes: (key, verdict) for every class to write (rejected classes left out).
        keep: the notice's prefilter (and scope).
        scope: the companies judged (None: every company).
        stored: whether the notice has stored matches (else nothing is compared or deleted).
        evaluated_at: stamped on every row written.

    Returns:
        How many stale matches were deleted.
    """
    session.flush()
    conn = session.connection()
    dialect = conn.dialect.name
    _create(conn)
    matches = _table("matches")
    if classes:
        rows: sa.FromClause = _class_rows(conn, notice_id, inputs, classes, keep)
        if stored:  # the rows are read twice (the upsert, the stale matches): computed once
            conn.execute(sa.delete(_rows))
            conn.execute(
                sa.insert(_rows).from_select(["company_id", "status", "verdict_id"], sa.select(rows))
            )
            rows = _rows
        new = sa.select(
            rows.c.company_id,
            sa.literal(notice_id, sa.Integer),
            rows.c.status,
            rows.c.verdict_id,
            sa.literal(evaluated_at, UTCDateTime),
        )
        if stored:  # only the rows whose verdict changed go to the upsert
            old = matches.alias("old")
            on = sa.and_(old.c.company_id == rows.c.company_id, old.c.notice_id == notice_id)
            new = new.select_from(rows.outerjoin(old, on)).where(
                old.c.verdict_id.is_distinct_from(rows.c.verdict_id)
            )
        else:
            new = new.where(sa.true())  # SQLite needs a WHERE to read ON CONFLICT as the upsert clause
        columns = ["company_id", "notice_id", "status", "verdict_id", "evaluated_at"]
        if stored or not _inserted(session, sa.insert(matches).from_select(columns, new)):
            insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(matches)
            upsert = insert.from_select(columns, new)
            updates = {c: upsert.excluded[c] for c in ("status", "verdict_id", "evaluated_at")}
            changed = matches.c.verdict_id.is_distinct_from(upsert.excluded.verdict_id)
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["company_id", "notice_id"], set_=updates, where=changed
                )
            )
    removed = 0
    if stored:
        stale = sa.delete(matches).where(matches.c.notice_id == notice_id)
        if classes:
            # NOT EXISTS, not NOT IN: an anti-join; PostgreSQL runs NOT IN over a list larger than
            # work_mem as a scan of the list per match (minutes at 1,000,000 companies)
            kept = sa.select(_rows.c.company_id).where(_rows.c.company_id == matches.c.company_id)
            stale = stale.where(~kept.exists())
        if scope is not None:
            companies = _table("companies")
            stale = stale.where(matches.c.company_id.in_(sa.select(companies.c.id).where(scope)))
        removed = int(getattr(conn.execute(stale), "rowcount", 0) or 0)
    expire_matches(session)
    return removed
