"""Storing watched sources: rows ⇄ ``reminder.sources`` objects, poll outcomes, health and claims.

    add_source / upsert_source ── a SourceSpec as a row (the URL is the identity: import is idempotent)
    set_enabled ────────────────── pause / resume
    spec_of / state_of ─────────── a row back as SourceSpec and SourceState (what poll_source takes)
    record_success ─────────────── new state, health (last success, last new item, items, flag), next poll
    record_failure ─────────────── consecutive failures counted, flagged after FAILURES_FLAGGED in a row
    due_source_ids / claim_sources / claim_source / release_source(s)
                                   a source is polled by one worker at a time: the claim is a lease
                                   (claimed_by, claimed_until) taken by a conditional UPDATE, as
                                   reminders are claimed; a crashed worker's claim expires. And a host
                                   is served by one worker at a time: no source is claimed while
                                   another worker holds a source on its host (sources.host)

Functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from reminder.db.source_models import SourceRow
from reminder.errors import ReminderError
from reminder.sources import Hints, KnownItem, PollResult, SourceSpec, SourceState, Validators
from reminder.sources.model import Level, Trust

__all__ = [
    "FAILURES_FLAGGED",
    "TEMPLATE_CHANGED",
    "MAX_KNOWN_ITEMS",
    "SourceExists",
    "add_source",
    "fill_definition",
    "upsert_source",
    "get_source",
    "list_sources",
    "set_enabled",
    "spec_of",
    "state_of",
    "state_json",
    "record_success",
    "record_failure",
    "due_source_ids",
    "hosts_of",
    "claim_sources",
    "claim_source",
    "release_source",
    "release_sources",
]

#: a source failing this many polls in a row is flagged
FAILURES_FLAGGED = 3
#: the flag of a source that found zero items where it used to find some
TEMPLATE_CHANGED = "模板可能已变化：列表页这次没有读到任何条目，上次有 / the list template probably changed"
#: known items kept in a source's state (newest first); older ones cannot come back as "new" in practice
MAX_KNOWN_ITEMS = 2000


class SourceExists(ReminderError, ValueError):
    """A source with this list-page URL is already stored."""


# ── rows ⇄ objects ─────────────────────────────────────────────────────────────────────────


def _hints_json(hints: Hints) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(hints).items() if v is not None}


def fill_definition(row: SourceRow, spec: SourceSpec, now: dt.datetime) -> None:
    """Copy what an operator edits (names, URL, interval, enabled, trust, hints) onto the row; the
    first-poll limits, poll state and health stay as they are."""
    row.name, row.issuer, row.region, row.level, row.url = (
        spec.name,
        spec.issuer,
        spec.region,
        spec.level,
        spec.url,
    )
    row.poll_interval_s = int(spec.poll_interval.total_seconds())
    row.enabled, row.trust = spec.enabled, spec.trust
    row.hints = _hints_json(spec.hints)
    row.updated_at = now


def _fill(row: SourceRow, spec: SourceSpec, now: dt.datetime) -> None:
    fill_definition(row, spec, now)
    row.max_pages, row.lookback_days = spec.max_pages, spec.lookback_days


def spec_of(row: SourceRow) -> SourceSpec:
    """The row as the SourceSpec ``poll_source`` reads (validated again: a hand-edited row is refused here)."""
    return SourceSpec(
        name=row.name,
        issuer=row.issuer,
        region=row.region,
        level=cast(Level, row.level),
        url=row.url,
        poll_interval=dt.timedelta(seconds=row.poll_interval_s),
        enabled=row.enabled,
        trust=cast(Trust, row.trust),
        hints=Hints(**(row.hints or {})),
        max_pages=row.max_pages,
        lookback_days=row.lookback_days,
    )


def _validators(data: Mapping[str, Any] | None) -> Validators:
    data = data or {}
    return Validators(data.get("etag"), data.get("last_modified"))


def _validators_json(v: Validators) -> dict[str, str]:
    return {k: x for k, x in (("etag", v.etag), ("last_modified", v.last_modified)) if x}


def state_of(row: SourceRow) -> SourceState:
    """The poll state stored with the row (``SourceState()`` before the first poll)."""
    data = row.state or {}
    items = {
        url: KnownItem(
            dt.date.fromisoformat(k["published"]) if k.get("published") else None,
            k.get("hash"),
            _validators(k.get("validators")),
        )
        for url, k in (data.get("items") or {}).items()
    }
    return SourceState(
        items=items,
        list_validators=_validators(data.get("list_validators")),
        polls=int(data.get("polls", 0)),
        last_item_count=data.get("last_item_count"),
    )


def state_json(state: SourceState) -> dict[str, Any]:
    """The state as JSON; only the newest MAX_KNOWN_ITEMS known items are kept."""
    newest = sorted(state.items.items(), key=lambda p: p[1].published or dt.date.min, reverse=True)
    items: dict[str, Any] = {}
    for url, k in newest[:MAX_KNOWN_ITEMS]:
        entry: dict[str, Any] = {"published": k.published.isoformat() if k.published else None}
        if k.content_hash:
            entry["hash"] = k.content_hash
        if k.validators:
            entry["validators"] = _validators_json(k.validators)
        items[url] = entry
    return {
        "items": items,
        "list_validators": _validators_json(state.list_validators),
        "polls": state.polls,
        "last_item_count": state.last_item_count,
    }


# ── definitions ────────────────────────────────────────────────────────────────────────────


def _by_url(session: Session, url: str) -> SourceRow | None:
    return session.exec(select(SourceRow).where(SourceRow.url == url)).first()


def add_source(*, session: Session, spec: SourceSpec, now: dt.datetime) -> SourceRow:
    """Store a new source, due at once.

    Raises:
        SourceExists: its URL is already watched.
    """
    known = _by_url(session, spec.url)
    if known is not None:
        raise SourceExists(
            f"该列表页已在监测中（来源 {known.id}：{known.name}）/ this list page is already watched"
        )
    row = SourceRow(name=spec.name, issuer=spec.issuer, region=spec.region, level=spec.level, url=spec.url)
    _fill(row, spec, now)
    row.created_at = now
    session.add(row)
    session.flush()
    return row


def upsert_source(*, session: Session, spec: SourceSpec, now: dt.datetime) -> tuple[SourceRow, bool]:
    """Store a source or update the one with its URL (poll state and health kept): (row, created)."""
    known = _by_url(session, spec.url)
    if known is None:
        return add_source(session=session, spec=spec, now=now), True
    _fill(known, spec, now)
    session.add(known)
    session.flush()
    return known, False


def get_source(*, session: Session, source_id: int) -> SourceRow | None:
    return session.get(SourceRow, source_id)


def set_enabled(*, session: Session, source_id: int, enabled: bool, now: dt.datetime) -> SourceRow:
    """Pause or resume a source (a resumed source is due at once).

    Raises:
        LookupError: no source with this id.
    """
    row = session.get(SourceRow, source_id)
    if row is None:
        raise LookupError(f"没有编号为 {source_id} 的来源 / no source {source_id}")
    row.enabled = enabled
    if enabled:
        row.next_poll_at = None
    row.updated_at = now
    session.add(row)
    session.flush()
    return row


def list_sources(*, session: Session) -> Sequence[SourceRow]:
    """Every source, flagged ones first, then by id."""
    query = select(SourceRow).order_by(col(SourceRow.flagged).is_(None), col(SourceRow.id))
    return session.exec(query).all()


# ── poll outcomes ──────────────────────────────────────────────────────────────────────────


def record_success(
    *, session: Session, row: SourceRow, result: PollResult, now: dt.datetime, next_at: dt.datetime
) -> None:
    """Keep the poll's state and health: zero items where there used to be some flags the source."""
    row.state = state_json(result.state)
    row.last_poll_at = row.last_success_at = now
    row.consecutive_failures = 0
    row.last_error = None
    if result.items_seen is not None:
        row.last_items = result.items_seen
    if result.new_items:
        row.last_new_item_at = now
    if result.template_suspect:
        if row.flagged != TEMPLATE_CHANGED:
            row.flagged_at = now
        row.flagged = TEMPLATE_CHANGED
    elif result.items_seen or result.list_not_modified:
        row.flagged = row.flagged_at = None
    row.next_poll_at = next_at
    row.updated_at = now
    session.add(row)
    session.flush()


def record_failure(
    *, session: Session, row: SourceRow, reason: str, now: dt.datetime, next_at: dt.datetime
) -> None:
    """Count a failed poll; FAILURES_FLAGGED in a row flag the source. The state is left as it was."""
    row.last_poll_at = now
    row.consecutive_failures += 1
    row.last_error = reason
    if row.consecutive_failures >= FAILURES_FLAGGED:
        if row.flagged is None or row.consecutive_failures == FAILURES_FLAGGED:
            row.flagged_at = now  # a new flag (the digest reports it once)
        row.flagged = f"连续 {row.consecutive_failures} 次抓取失败 / {row.consecutive_failures} failed polls in a row: {reason}"
    row.next_poll_at = next_at
    row.updated_at = now
    session.add(row)
    session.flush()


# ── claims ─────────────────────────────────────────────────────────────────────────────────


def _table() -> sa.Table:
    return cast(sa.Table, SourceRow.__table__)  # type: ignore[attr-defined]


def _free(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(col(SourceRow.claimed_until).is_(None), col(SourceRow.claimed_until) <= now)


def _host_busy(table: sa.Table, worker: str, now: dt.datetime) -> sa.ColumnElement[bool]:
    """Another source on the same host is held by another live worker."""
    other = table.alias("other")
    return sa.exists().where(
        other.c.host == table.c.host,
        other.c.id != table.c.id,
        other.c.claimed_until > now,
        other.c.claimed_by != worker,
    )


def _lock_hosts(session: Session, source_ids: Collection[int]) -> None:
    """PostgreSQL: serialise claims per host until the transaction ends (an advisory lock per host).

    Without it two workers claiming two sources of one host at the same instant would each see the
    other's claim not yet committed. The claim UPDATE that follows is a new statement, so it sees a
    claim committed while this lock was awaited. Locks are taken in host order (no deadlock between
    claimers). SQLite has one writer at a time: nothing to do.
    """
    if session.get_bind().dialect.name != "postgresql" or not source_ids:
        return
    table = _table()
    hosts = session.execute(
        sa.select(table.c.host).where(table.c.id.in_(list(source_ids))).distinct().order_by(table.c.host)
    ).scalars()
    for host in hosts:
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"sources.host:{host}"}
        )


def due_source_ids(
    *, session: Session, now: dt.datetime, limit: int = 50, worker: str | None = None
) -> list[int]:
    """Enabled sources due now and not claimed by a live worker, the longest waiting first.

    Args:
        worker: leave out the sources whose host another live worker holds (it could not claim them).
    """
    query = (
        select(SourceRow.id)
        .where(col(SourceRow.enabled))
        .where(sa.or_(col(SourceRow.next_poll_at).is_(None), col(SourceRow.next_poll_at) <= now))
        .where(_free(now))
        .order_by(col(SourceRow.next_poll_at).is_not(None), col(SourceRow.next_poll_at), col(SourceRow.id))
        .limit(limit)
    )
    if worker is not None:
        query = query.where(sa.not_(_host_busy(_table(), worker, now)))
    return [i for i in session.exec(query).all() if i is not None]


def hosts_of(*, session: Session, source_ids: Collection[int]) -> dict[int, str]:
    """source id → host."""
    table = _table()
    rows = session.execute(sa.select(table.c.id, table.c.host).where(table.c.id.in_(list(source_ids))))
    return {int(i): str(h) for i, h in rows.all()}


def claim_sources(
    *,
    session: Session,
    source_ids: Collection[int],
    worker: str,
    now: dt.datetime,
    lease: dt.timedelta,
    due_only: bool = False,
) -> list[int]:
    """Take these sources for ``worker`` until ``now + lease``: the ids taken, in id order.

    A source is taken only if no live claim holds it and no other live worker holds a source on its
    host, so one worker at a time sends requests to a host (it polls that host's sources in sequence).
    Sources of one host asked for together are taken together. One conditional UPDATE after a per-host
    lock (PostgreSQL): of two workers racing for a host, exactly one gets it. The caller commits at once.

    Args:
        due_only: take a source only if it is still due (the scheduler: another worker may have polled
            it since the due list was read); an operator's "poll now" takes it whenever it is free.
    """
    if not source_ids:
        return []
    table = _table()
    _lock_hosts(session, source_ids)
    free = sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now, table.c.claimed_by == worker)
    where = [table.c.id.in_(list(source_ids)), free, sa.not_(_host_busy(table, worker, now))]
    if due_only:
        where.append(sa.or_(table.c.next_poll_at.is_(None), table.c.next_poll_at <= now))
    taken = session.execute(
        sa.update(table)
        .where(*where)
        .values(claimed_by=worker, claimed_until=now + lease)
        .returning(table.c.id)
    ).scalars()
    return sorted(int(i) for i in taken)


def claim_source(
    *,
    session: Session,
    source_id: int,
    worker: str,
    now: dt.datetime,
    lease: dt.timedelta,
    due_only: bool = False,
) -> bool:
    """Take the source for ``worker`` until ``now + lease`` (see :func:`claim_sources`); a claim
    ``worker`` already holds is renewed."""
    return bool(
        claim_sources(
            session=session, source_ids=[source_id], worker=worker, now=now, lease=lease, due_only=due_only
        )
    )


def release_source(*, session: Session, source_id: int, worker: str) -> None:
    """Give the claim back (after the poll was recorded)."""
    release_sources(session=session, source_ids=[source_id], worker=worker)


def release_sources(*, session: Session, source_ids: Collection[int], worker: str) -> None:
    """Give back the claims ``worker`` holds on these sources."""
    if not source_ids:
        return
    table = _table()
    session.execute(
        sa.update(table)
        .where(table.c.id.in_(list(source_ids)), table.c.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None)
    )
