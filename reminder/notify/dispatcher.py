"""The dispatcher: claim due reminders, render, send with bounded concurrency, record every attempt.

    dispatch_due ─ loop: claim_due (a batch) ─ none left → done
                        ├ build each channel once (channel_factory; build_channel by default)
                        ├ render + send in a thread pool of settings.dispatch_concurrency
                        └ record_attempt for each result as it completes (small transactions)

A crash between a send and its record leaves the row claimed; after the claim lease expires (45 s by
default: a live dispatcher renews the claims of what it is still sending every third of a lease) the
row is claimed and sent again with the same message id, which receivers use to drop the repeat.
Targets and secrets are never logged: only channel ids and kinds.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.engine import session_scope
from reminder.db.models import Channel as ChannelRow
from reminder.db.models import Reminder, utcnow
from reminder.errors import DispatcherBusy, ReminderError
from reminder.notify import base
from reminder.notify.channels import build_channel, make_http_client
from reminder.notify.links import unsubscribe_url
from reminder.notify.outbox import claim_due, record_attempts, renew_claims
from reminder.notify.planning import days_left
from reminder.notify.render import render_message

__all__ = ["ChannelFactory", "DispatchStats", "dispatch_due"]

log = logging.getLogger(__name__)

#: seconds of finished sends recorded together in one transaction
RECORD_WINDOW = 0.1
#: builds the sender for one stored channel
ChannelFactory = Callable[[ChannelRow, Settings], base.Channel]


@dataclass(frozen=True)
class DispatchStats:
    """What one ``dispatch_due`` call did."""

    #: rows claimed (each sent once in this call, or held back by a rate limit)
    claimed: int = 0
    sent: int = 0
    #: failed attempts that will be retried
    retrying: int = 0
    #: reminders that gave up in this call
    dead: int = 0
    #: held back by a local rate limit, due again later (not an attempt)
    throttled: int = 0
    #: one-attempt sends (test messages) that failed: their company reads why, nobody retries them
    failed: int = 0

    def __add__(self, other: DispatchStats) -> DispatchStats:
        return DispatchStats(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, ...]:
        return (self.claimed, self.sent, self.retrying, self.dead, self.throttled, self.failed)


class _Senders:
    """One sender per stored channel for the duration of a dispatch call, sharing one HTTP client."""

    def __init__(self, factory: ChannelFactory | None, settings: Settings) -> None:
        self.factory, self.settings = factory, settings
        self.built: dict[int, base.Channel | BaseException] = {}
        self.client: httpx.Client | None = None

    def _build(self, row: ChannelRow) -> base.Channel:
        if self.factory is not None:
            return self.factory(row, self.settings)
        if self.client is None:
            self.client = make_http_client(
                self.settings, max_connections=max(1, self.settings.dispatch_concurrency)
            )
        return build_channel(row.kind, row.target, row.secret, self.settings, client=self.client)

    def get(self, row: ChannelRow) -> base.Channel | BaseException:
        assert row.id is not None
        if row.id not in self.built:
            try:
                self.built[row.id] = self._build(row)
            except (
                Exception
            ) as exc:  # a stored channel that no longer builds: its reminders fail, others go on
                log.warning("channel %d (%s) cannot be built: %s", row.id, row.kind, type(exc).__name__)
                self.built[row.id] = exc
        return self.built[row.id]

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def _fresh(payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The payload with days left counted from the sending day (a catch-up after downtime stays truthful)."""
    deadline = payload.get("deadline") or {}
    if not deadline.get("at"):
        return payload
    return {**payload, "days_left": days_left(dt.datetime.fromisoformat(deadline["at"]), now)}


def _failure(exc: BaseException) -> base.SendResult:
    """A result for a reminder that could not even be attempted (bad channel, unrenderable payload)."""
    if isinstance(exc, ReminderError):
        return base.SendResult(ok=False, error=str(exc), permanent=True)
    return base.SendResult(ok=False, error=f"内部错误 / internal error: {type(exc).__name__}")


def _send(
    row: Reminder,
    sender: base.Channel | BaseException,
    channel: ChannelRow,
    settings: Settings,
    now: dt.datetime,
) -> base.SendResult:
    if isinstance(sender, BaseException):
        return _failure(sender)
    try:
        unsubscribe = (
            unsubscribe_url(channel.id, settings) if channel.kind == "email" and channel.id else None
        )
        message = render_message(
            row.purpose, _fresh(row.payload, now), message_id=row.message_id, settings=settings,
            unsubscribe_url=unsubscribe,
        )  # fmt: skip
        return sender.send(message)
    except Exception as exc:  # channels report failures; anything raised is a bug, never a secret in the log
        log.exception("reminder %d: sending through channel %d (%s) raised", row.id, channel.id, channel.kind)
        return _failure(exc)


def _record(
    engine: Engine, done: list[tuple[Reminder, base.SendResult]], worker: str, clock: Callable[[], dt.datetime],
    settings: Settings,
) -> DispatchStats:  # fmt: skip
    """Record finished sends in one transaction; count what became of them."""
    results = [(row.id, result) for row, result in done if row.id is not None]
    with session_scope(engine) as session:
        updated = record_attempts(
            session=session, results=results, worker=worker, now=clock(), settings=settings
        )
    stats = DispatchStats()
    for (before, result), after in zip(done, updated, strict=True):
        throttled = after.attempts == before.attempts and not result.ok
        stats += DispatchStats(
            sent=int(after.status == "sent" and result.ok),
            retrying=int(after.status == "pending" and not throttled),
            dead=int(after.status == "dead"),
            throttled=int(throttled),
            failed=int(after.status == "failed"),
        )
    return stats


class _Flow:
    """Sends in flight: claimed rows submitted to the pool, recorded as they finish.

    The next batch is claimed while the previous one still sends (at most about two batches are
    claimed at once), so the pool never waits for a claim.
    """

    def __init__(
        self, engine: Engine, pool: cf.ThreadPoolExecutor, senders: _Senders, worker: str,
        clock: Callable[[], dt.datetime], settings: Settings, only_test_sends: bool = False,
    ) -> None:  # fmt: skip
        self.engine, self.pool, self.senders, self.worker = engine, pool, senders, worker
        self.clock, self.settings, self.only_test_sends = clock, settings, only_test_sends
        self.in_flight: dict[cf.Future[base.SendResult], Reminder] = {}
        self.seen: set[int] = set()
        self.exhausted = False
        self.stats = DispatchStats()
        self.renewed = time.monotonic()

    def refill(self) -> None:
        """Claim and submit another batch when fewer than a batch are in flight and more may be due."""
        if self.exhausted or len(self.in_flight) >= self.settings.dispatch_batch:
            return
        limit = self.settings.dispatch_batch
        rows = claim_due(
            engine=self.engine, worker=self.worker, now=self.clock(), limit=limit, settings=self.settings,
            only_test_sends=self.only_test_sends,
        )  # fmt: skip
        fresh = [r for r in rows if r.id not in self.seen]
        _unclaim(self.engine, [r for r in rows if r.id in self.seen], self.worker)
        self.exhausted = len(fresh) < limit
        self.seen.update(r.id for r in fresh if r.id is not None)
        self.stats += DispatchStats(claimed=len(fresh))
        with Session(self.engine) as session:
            ids = {r.channel_id for r in fresh}
            channels = {
                c.id: c for c in session.exec(select(ChannelRow).where(col(ChannelRow.id).in_(ids))).all()
            }
        for row in fresh:
            channel = channels[row.channel_id]
            sender = self.senders.get(channel)
            self.in_flight[self.pool.submit(_send, row, sender, channel, self.settings, self.clock())] = row

    def record_some(self) -> None:
        """Wait for sends to finish; record those that finished within a short window in one transaction."""
        beat = max(0.1, self.settings.claim_lease / 3)
        cf.wait(self.in_flight, timeout=beat, return_when=cf.FIRST_COMPLETED)
        finished, _ = cf.wait(self.in_flight, timeout=RECORD_WINDOW)
        done = [(self.in_flight.pop(f), f.result()) for f in finished]
        if done:
            self.stats += _record(self.engine, done, self.worker, self.clock, self.settings)
        if self.in_flight and time.monotonic() - self.renewed >= beat:
            self.heartbeat()

    def heartbeat(self) -> None:
        """Renew the claims of the rows still sending (short leases: a crash is retried within a minute)."""
        ids = [r.id for r in self.in_flight.values() if r.id is not None]
        renew_claims(
            engine=self.engine, worker=self.worker, ids=ids, now=self.clock(), settings=self.settings
        )
        self.renewed = time.monotonic()


@contextmanager
def _running(
    factory: ChannelFactory | None, settings: Settings
) -> Iterator[tuple[cf.ThreadPoolExecutor, _Senders]]:
    senders = _Senders(factory, settings)
    pool = cf.ThreadPoolExecutor(max_workers=max(1, settings.dispatch_concurrency), thread_name_prefix="send")
    try:
        yield pool, senders
    finally:
        pool.shutdown(wait=True)
        senders.close()


def dispatch_due(
    *,
    engine: Engine,
    settings: Settings,
    worker: str,
    now: dt.datetime | None = None,
    channel_factory: ChannelFactory | None = None,
    only_test_sends: bool = False,
) -> DispatchStats:
    """Send every reminder that is due, batch after batch, until none is left.

    Rows are claimed in batches of ``dispatch_batch``, sent by ``dispatch_concurrency`` threads and
    recorded as they finish; a row that comes due again during the call (e.g. a zero retry delay) is
    left for the next call.

    Args:
        engine: the database.
        settings: dispatch_batch, dispatch_concurrency, claim_lease, retry and backoff settings.
        worker: this dispatcher's name (claims and the SQLite lease are held under it).
        now: a fixed clock for tests; default the wall clock.
        channel_factory: builds a sender from a stored channel; default the real channels
            (``build_channel``) sharing one pinned HTTP client.
        only_test_sends: send only test sends (``Reminder.test_send``): the test-send lane.

    Returns:
        Counts of what happened.

    Raises:
        DispatcherBusy: SQLite, and another dispatcher holds the lease.
    """
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else utcnow
    with _running(channel_factory, settings) as (pool, senders):
        flow = _Flow(engine, pool, senders, worker, clock, settings, only_test_sends)
        try:
            flow.refill()
            while flow.in_flight:
                flow.record_some()
                flow.refill()
        except DispatcherBusy:  # the SQLite lease went to another dispatcher: record what was sent, then stop
            while flow.in_flight:
                flow.record_some()
            raise
    if flow.stats.claimed:
        log.info("dispatch by %s: %s", worker, flow.stats)
    return flow.stats


def _unclaim(engine: Engine, rows: list[Reminder], worker: str) -> None:
    """Release rows claimed twice in one call (due again at once): the next call takes them."""
    if not rows:
        return
    with session_scope(engine) as session:
        for row in rows:
            current = session.get(Reminder, row.id)
            if current is not None and current.claimed_by == worker:
                current.claimed_by = current.claimed_until = None
                session.add(current)
