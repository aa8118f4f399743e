"""Claiming due reminders so that each is sent by one dispatcher, and survives that dispatcher's crash.

    claim_due ─ (SQLite) hold the "dispatcher" lease: another live holder → DispatcherBusy
              ├ SELECT pending, due, unclaimed-or-lease-expired … FOR UPDATE SKIP LOCKED   (PostgreSQL)
              ├ deadline passed or moved, channel closed → cancelled instead of claimed
              └ claimed_by = worker, claimed_until = now + claim_lease          one transaction

A dispatcher killed after sending but before recording leaves its rows claimed; once the lease
expires another claim takes them and sends them again with the same message id (receivers drop the
repeat). So each kill repeats a message at most once. The lease is short (``claim_lease``, 45 s by
default) because a live dispatcher renews its claims while it sends (``renew_claims``): a crashed
one's rows go out again within a minute.

Several reminders of one deadline to one channel that are all overdue (the worker was down, or a
demo planned them on a past day) would arrive together saying the same thing: only the newest (the
smallest offset) is sent, the older ones are cancelled as superseded (issue 16, item 19).

A test send (purpose "test") that waited longer than ``TEST_SEND_TTL`` (no dispatcher ran) is cancelled
instead of surprising its company much later; ``only_test_sends`` lets the test-send lane claim only those.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.models import Channel, Company, DeadlineRow, Reminder, WorkerLease
from reminder.errors import DispatcherBusy
from reminder.notify._replan import CHANNEL_OFF, channel_open, deadline_reason

__all__ = [
    "LEASE_NAME",
    "SUPERSEDED",
    "TEST_EXPIRED",
    "TEST_SEND_TTL",
    "claim_due",
    "hold_lease",
    "release_lease",
    "lease_seconds",
    "renew_claims",
]

log = logging.getLogger(__name__)

#: WorkerLease.name of the single SQLite dispatcher
LEASE_NAME = "dispatcher"
#: Reminder.cancelled_reason of an overdue reminder a newer overdue one of the same deadline replaces
SUPERSEDED = "已由同一截止日期更近的提醒取代 / superseded by a newer overdue reminder"
#: purposes that remind of one deadline (collapsed when several are overdue at once)
_DEADLINE_PURPOSES = ("before", "new_call")
#: selects per claim when rows are cancelled instead of claimed (bounded: a claim stays one short transaction)
_REFILLS = 4
#: how long a test send may wait for a dispatcher before it is cancelled (its company asked minutes ago)
TEST_SEND_TTL = dt.timedelta(minutes=10)
#: Reminder.cancelled_reason of a test send nobody sent in time
TEST_EXPIRED = "测试消息排队超时，未发送，请重新发送 / test send expired unsent"


def lease_seconds(settings: Settings) -> float:
    """How long the SQLite dispatcher lease lasts without renewal: the claim lease, or 3 ticks if longer."""
    return max(settings.claim_lease, 3 * settings.dispatch_interval)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _take_lease(session: Session, worker: str, now: dt.datetime, until: dt.datetime) -> None:
    """Take or renew the SQLite dispatcher lease inside the caller's transaction.

    The UPDATE comes first, so the transaction holds SQLite's write lock before it reads anything.
    """
    table: sa.Table = WorkerLease.__table__  # type: ignore[attr-defined]
    free = sa.or_(table.c.holder == worker, table.c.expires_at <= now)
    renewed = session.execute(
        sa.update(table).where(table.c.name == LEASE_NAME, free).values(holder=worker, expires_at=until)
    )
    if renewed.rowcount:  # type: ignore[attr-defined]
        return
    created = session.execute(
        sqlite.insert(table)
        .values(name=LEASE_NAME, holder=worker, expires_at=until)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    if created.rowcount:  # type: ignore[attr-defined]
        return
    lease = session.get(WorkerLease, LEASE_NAME, populate_existing=True)
    assert lease is not None
    raise DispatcherBusy(lease.holder, lease.expires_at.isoformat(timespec="seconds"))


def hold_lease(*, engine: Engine, worker: str, now: dt.datetime, settings: Settings) -> None:
    """Take or renew the single-dispatcher lease on SQLite (nothing to do on PostgreSQL).

    Raises:
        DispatcherBusy: another worker holds an unexpired lease.
    """
    with Session(engine) as session, session.begin():
        if _is_sqlite(session):
            _take_lease(session, worker, now, now + dt.timedelta(seconds=lease_seconds(settings)))


def release_lease(*, engine: Engine, worker: str) -> None:
    """Give the SQLite lease back (at shutdown), so the next dispatcher may start at once."""
    table: sa.Table = WorkerLease.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(sa.delete(table).where(table.c.name == LEASE_NAME, table.c.holder == worker))


def _why_not_send(
    row: Reminder,
    deadline: DeadlineRow | None,
    channel: Channel | None,
    company: Company | None,
    now: dt.datetime,
) -> str | None:
    if channel is None or company is None or not channel_open(channel, company):
        return CHANNEL_OFF
    if row.test_send and row.created_at + TEST_SEND_TTL < now:
        return TEST_EXPIRED
    if row.deadline_id is not None and row.purpose in ("before", "new_call", "changed"):
        return deadline_reason(deadline, now)
    return None


def _newest_due(session: Session, rows: list[Reminder], now: dt.datetime) -> dict[tuple[int, int, int], int]:
    """(company, channel, deadline) → id of the newest due pending reminder about it (in or out of ``rows``)."""
    deadline_ids = {
        r.deadline_id for r in rows if r.deadline_id is not None and r.purpose in _DEADLINE_PURPOSES
    }
    if not deadline_ids:
        return {}
    query = select(Reminder).where(
        col(Reminder.deadline_id).in_(deadline_ids),
        col(Reminder.purpose).in_(_DEADLINE_PURPOSES),
        Reminder.status == "pending",
        col(Reminder.next_attempt_at) <= now,
    )
    newest: dict[tuple[int, int, int], tuple[dt.datetime, int]] = {}
    for row in session.exec(query).all():
        assert row.id is not None and row.deadline_id is not None
        group = (row.company_id, row.channel_id, row.deadline_id)
        if group not in newest or (row.due_at, row.id) > newest[group]:
            newest[group] = (row.due_at, row.id)
    return {group: rid for group, (_, rid) in newest.items()}


def _superseded(row: Reminder, newest: dict[tuple[int, int, int], int]) -> bool:
    if row.deadline_id is None or row.purpose not in _DEADLINE_PURPOSES:
        return False
    return newest.get((row.company_id, row.channel_id, row.deadline_id), row.id) != row.id


def _filter(session: Session, rows: list[Reminder], now: dt.datetime) -> list[Reminder]:
    """Cancel the rows that must not go out any more (including superseded overdue ones); return the others."""
    newest = _newest_due(session, rows, now)
    deadline_ids = {r.deadline_id for r in rows if r.deadline_id is not None}
    deadlines = {
        d.id: d for d in session.exec(select(DeadlineRow).where(col(DeadlineRow.id).in_(deadline_ids))).all()
    }
    channels = {
        c.id: c
        for c in session.exec(select(Channel).where(col(Channel.id).in_({r.channel_id for r in rows}))).all()
    }
    companies = {
        c.id: c
        for c in session.exec(select(Company).where(col(Company.id).in_({r.company_id for r in rows}))).all()
    }
    keep = []
    for row in rows:
        deadline = deadlines.get(row.deadline_id) if row.deadline_id is not None else None
        why = _why_not_send(row, deadline, channels.get(row.channel_id), companies.get(row.company_id), now)
        why = why or (SUPERSEDED if _superseded(row, newest) else None)
        if why:
            row.status, row.cancelled_reason, row.updated_at = "cancelled", why, now
            log.info("reminder %d cancelled before sending: %s", row.id, why)
        else:
            keep.append(row)
    return keep


def renew_claims(
    *, engine: Engine, worker: str, ids: list[int], now: dt.datetime, settings: Settings
) -> None:
    """Extend this worker's claims on ``ids`` (the rows it is still sending): the dispatcher's heartbeat.

    Claims are short so that a crashed dispatcher's rows go out again soon; a live one keeps its rows
    by renewing them (and, on SQLite, the dispatcher lease) every third of a lease.
    """
    if not ids:
        return
    table: sa.Table = Reminder.__table__  # type: ignore[attr-defined]
    until = now + dt.timedelta(seconds=settings.claim_lease)
    with Session(engine) as session, session.begin():
        if _is_sqlite(session):
            _take_lease(session, worker, now, now + dt.timedelta(seconds=lease_seconds(settings)))
        session.execute(
            sa.update(table)
            .where(table.c.id.in_(ids), table.c.claimed_by == worker, table.c.status == "pending")
            .values(claimed_until=until)
        )


def claim_due(
    *,
    engine: Engine,
    worker: str,
    now: dt.datetime,
    limit: int,
    settings: Settings,
    only_test_sends: bool = False,
) -> list[Reminder]:
    """Claim up to ``limit`` due reminders for ``worker``, committed in one transaction.

    Due means pending, ``next_attempt_at`` reached, and not claimed or claimed with an expired
    lease (a crashed dispatcher's rows). On PostgreSQL rows locked by a concurrent claim are
    skipped (``FOR UPDATE SKIP LOCKED``), so workers never claim the same row; on SQLite the claim
    first takes or renews the single-dispatcher lease.

    Args:
        engine: the database.
        worker: this dispatcher's name (stored in ``claimed_by`` and the lease).
        now: the current instant.
        limit: most rows to claim.
        settings: claim_lease (seconds a claim lasts) and the SQLite lease length.
        only_test_sends: claim only test sends (``Reminder.test_send``: the test-send lane).

    Returns:
        The claimed rows (detached, readable), oldest due first.

    Raises:
        DispatcherBusy: SQLite, and another dispatcher holds the lease.
    """
    until = now + dt.timedelta(seconds=settings.claim_lease)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if _is_sqlite(session):
            _take_lease(session, worker, now, now + dt.timedelta(seconds=lease_seconds(settings)))
        unclaimed = sa.or_(col(Reminder.claimed_until).is_(None), col(Reminder.claimed_until) <= now)
        query = (
            select(Reminder)
            .where(Reminder.status == "pending", col(Reminder.next_attempt_at) <= now, unclaimed)
            .order_by(col(Reminder.next_attempt_at), col(Reminder.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if only_test_sends:
            query = query.where(col(Reminder.test_send))
        rows: list[Reminder] = []
        for _ in range(_REFILLS):  # rows cancelled instead of claimed leave room: select again
            wanted = limit - len(rows)
            found = list(
                session.exec(query.where(col(Reminder.id).not_in([r.id for r in rows])).limit(wanted)).all()
            )
            kept = _filter(session, found, now)
            rows += kept
            session.flush()
            if len(found) < wanted or len(kept) == len(found):
                break  # nothing more is due, or the batch is full
        table: sa.Table = Reminder.__table__  # type: ignore[attr-defined]
        claimed = sa.update(table).where(table.c.id.in_([r.id for r in rows]))
        session.execute(claimed.values(claimed_by=worker, claimed_until=until))
        for row in rows:
            set_committed_value(row, "claimed_by", worker)
            set_committed_value(row, "claimed_until", until)
    return rows
