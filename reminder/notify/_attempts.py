"""Recording what each send got back, and what operators do with reminders that gave up.

SendResult ─┬─ throttled (local rate limit, nothing sent) ─ due again after retry_after; no attempt counted
            └─ a Delivery row (channel, status code, latency, error, worker), attempts + 1, then
                 ├─ ok ───────────────────────────── sent
                 ├─ permanent, or max_attempts hit ─ dead (shown to operators; ``requeue`` revives it)
                 │                                   a test send: failed (its company reads the result)
                 └─ otherwise ────────────────────── pending, next try after
                                                     min(backoff_max, backoff_base · 2^(attempts-1)) with jitter

A test send (``Reminder.test_send``) has one attempt, whatever ``settings.max_attempts`` says.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.models import Delivery, Reminder
from reminder.errors import NotRequeueable, ReminderNotFound
from reminder.notify.base import SendResult

__all__ = [
    "backoff",
    "record_attempt",
    "record_attempts",
    "requeue",
    "list_dead",
    "list_reminders",
    "list_deliveries",
]

log = logging.getLogger(__name__)


def backoff(attempts: int, settings: Settings, jitter: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: exponential, capped, scaled by jitter.

    Args:
        attempts: failures so far (1 after the first).
        settings: backoff_base and backoff_max.
        jitter: a number in [0, 1); the delay is scaled into [½, 1] of the exponential value.

    >>> from reminder.config import Settings
    >>> [backoff(n, Settings(backoff_base=30, backoff_max=100), 1.0) for n in (1, 2, 3, 4)]
    [30.0, 60.0, 100.0, 100.0]
    """
    delay = min(settings.backoff_max, settings.backoff_base * 2 ** max(attempts - 1, 0))
    return float(delay * (0.5 + 0.5 * jitter))


def _throttled(result: SendResult) -> bool:
    """The channel's own rate limiter held the message back: nothing went out."""
    return not result.ok and (
        result.throttled or (result.retry_after is not None and result.status_code is None)
    )


def record_attempt(
    *,
    session: Session,
    reminder_id: int,
    worker: str,
    result: SendResult,
    now: dt.datetime,
    settings: Settings,
    jitter: Callable[[], float] = random.random,
) -> Reminder:
    """Record one send of a claimed reminder and decide what happens next.

    Args:
        session: the session (flushed, not committed).
        reminder_id: the reminder sent.
        worker: the dispatcher that sent it (its claim is released).
        result: what the channel reported.
        now: when the attempt ended.
        settings: max_attempts, backoff_base, backoff_max.
        jitter: returns a number in [0, 1) (tests pass a fixed one).

    Returns:
        The reminder, updated.

    Raises:
        ReminderNotFound: no such reminder (deleted meanwhile).
    """
    (row,) = record_attempts(
        session=session,
        results=[(reminder_id, result)],
        worker=worker,
        now=now,
        settings=settings,
        jitter=jitter,
    )
    return row


def record_attempts(
    *,
    session: Session,
    results: Sequence[tuple[int, SendResult]],
    worker: str,
    now: dt.datetime,
    settings: Settings,
    jitter: Callable[[], float] = random.random,
) -> list[Reminder]:
    """:func:`record_attempt` for several reminders at once: the dispatcher's path.

    One SELECT … FOR UPDATE, one executemany UPDATE and one executemany INSERT of deliveries, however
    many results (the ORM's per-object bookkeeping would dominate the dispatcher's time).

    Raises:
        ReminderNotFound: one of the reminders does not exist (deleted meanwhile).
    """
    ids = [reminder_id for reminder_id, _ in results]
    query = select(Reminder).where(col(Reminder.id).in_(ids)).with_for_update()
    rows = {r.id: r for r in session.exec(query.execution_options(populate_existing=True)).all()}
    states: list[tuple[Reminder, _State]] = []
    deliveries: list[dict[str, object]] = []
    for reminder_id, result in results:
        row = rows.get(reminder_id)
        if row is None:
            raise ReminderNotFound(reminder_id)
        state = _State.of(row)
        delivery = _apply(state, row, worker, result, now, settings, jitter)
        if delivery is not None:
            deliveries.append(delivery)
        states.append((row, state))
    _write(session, states, deliveries)
    return [row for row, _ in states]


@dataclass
class _State:
    """The columns an attempt changes, worked on as plain values."""

    status: str
    attempts: int
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None
    claimed_by: str | None
    claimed_until: dt.datetime | None
    updated_at: dt.datetime

    @classmethod
    def of(cls, row: Reminder) -> _State:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def _write(
    session: Session, states: list[tuple[Reminder, _State]], deliveries: list[dict[str, object]]
) -> None:
    table: sa.Table = Reminder.__table__  # type: ignore[attr-defined]
    names = [f.name for f in fields(_State)]
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values({n: sa.bindparam(f"b_{n}") for n in names})
    )
    params = [{"b_id": row.id, **{f"b_{n}": getattr(state, n) for n in names}} for row, state in states]
    session.execute(update, params)
    if deliveries:
        session.execute(sa.insert(Delivery.__table__), deliveries)  # type: ignore[attr-defined]
    for row, state in states:  # the loaded rows show the new state without the ORM flushing them again
        for name in names:
            set_committed_value(row, name, getattr(state, name))


def _apply(
    state: _State,
    row: Reminder,
    worker: str,
    result: SendResult,
    now: dt.datetime,
    settings: Settings,
    jitter: Callable[[], float],
) -> dict[str, object] | None:
    """Apply one result to ``state``; returns the Delivery row to insert (None: nothing was sent)."""
    state.updated_at = now
    if state.claimed_by in (worker, None):
        state.claimed_by = state.claimed_until = None
    if _throttled(result):
        wait = result.retry_after if result.retry_after is not None else settings.backoff_base
        state.next_attempt_at = now + dt.timedelta(seconds=wait)
        state.last_error = result.error or "本地限流，稍后发送 / held back by the local rate limit"
        return None
    state.attempts += 1
    _decide(state, row, result, now, settings, jitter)
    return {
        "reminder_id": row.id, "channel_id": row.channel_id, "attempt": state.attempts, "at": now, "ok": result.ok,
        "status_code": result.status_code, "latency_ms": result.latency_ms, "error": result.error, "worker": worker,
    }  # fmt: skip


def _decide(
    state: _State, row: Reminder, result: SendResult, now: dt.datetime, settings: Settings,
    jitter: Callable[[], float],
) -> None:  # fmt: skip
    if result.ok:
        state.status, state.sent_at, state.last_error = "sent", now, None
        return
    if state.status != "pending":  # cancelled meanwhile, or sent by another worker: leave it
        return
    state.last_error = result.error or f"发送失败 / send failed (status {result.status_code})"
    if result.permanent or state.attempts >= (1 if row.test_send else settings.max_attempts):
        # a test send's failure is its company's to read, not an operator's to re-queue (issue 16, item 14)
        state.status = "failed" if row.test_send else "dead"
        level = logging.WARNING if state.status == "dead" else logging.INFO  # a failed test: its company's
        log.log(
            level,
            "reminder %s %s after %d attempts: %s",
            row.id,
            state.status,
            state.attempts,
            state.last_error,
        )
        return
    wait = max(backoff(state.attempts, settings, jitter()), result.retry_after or 0.0)
    state.next_attempt_at = now + dt.timedelta(seconds=wait)


def requeue(*, session: Session, reminder_id: int, now: dt.datetime) -> Reminder:
    """Give a dead reminder a fresh set of attempts, due now.

    Raises:
        ReminderNotFound: no such reminder.
        NotRequeueable: it is not dead.
    """
    row = session.get(Reminder, reminder_id)
    if row is None:
        raise ReminderNotFound(reminder_id)
    if row.status != "dead":
        raise NotRequeueable(reminder_id, row.status)
    row.status, row.attempts, row.next_attempt_at, row.updated_at = "pending", 0, now, now
    row.claimed_by = row.claimed_until = None
    session.add(row)
    session.flush()
    log.info("reminder %d re-queued", reminder_id)
    return row


def list_reminders(
    *, session: Session, status: str | None = None, company_id: int | None = None, limit: int = 100
) -> Sequence[Reminder]:
    """Reminders, latest due first, optionally of one status and one company."""
    query = select(Reminder)
    if status is not None:
        query = query.where(Reminder.status == status)
    if company_id is not None:
        query = query.where(Reminder.company_id == company_id)
    return session.exec(
        query.order_by(col(Reminder.due_at).desc(), col(Reminder.id).desc()).limit(limit)
    ).all()


def list_dead(*, session: Session, limit: int = 100) -> Sequence[Reminder]:
    """Reminders that gave up (max attempts or a permanent failure), for operators."""
    return list_reminders(session=session, status="dead", limit=limit)


def list_deliveries(*, session: Session, reminder_id: int) -> Sequence[Delivery]:
    """Every attempt of one reminder, oldest first."""
    query = select(Delivery).where(Delivery.reminder_id == reminder_id).order_by(col(Delivery.id))
    return session.exec(query).all()
