"""Claiming due rows and recording attempts, on SQLite and PostgreSQL (no sending here)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from notify_factories import (
    channel,
    company,
    deadline,
    local,
    queued,
    reminders,
    settings,
    store_notice,
    verdict,
)
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.db.engine import session_scope
from reminder.db.models import Delivery, Reminder
from reminder.errors import DispatcherBusy, NotRequeueable, ReminderNotFound
from reminder.notify.base import SendResult
from reminder.notify.outbox import claim_due, lease_seconds, list_dead, record_attempt, replan_notice, requeue

NOW = local("2025-03-03T09:00:00")
S = settings(claim_lease=60.0, max_attempts=3, backoff_base=60.0, backoff_max=600.0)


def _queue(engine: Engine, n: int, due: dt.datetime = NOW) -> list[int]:
    with session_scope(engine) as session:
        owner = company(session)
        rows = queued(session, channel(session, owner), due, n=n)
        return [r.id for r in rows if r.id is not None]


def _row(engine: Engine, reminder_id: int) -> Reminder:
    with Session(engine) as session:
        row = session.get(Reminder, reminder_id)
        assert row is not None
        return row


def _deliveries(engine: Engine, reminder_id: int) -> list[tuple[int, bool, int | None, str | None]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Delivery).where(Delivery.reminder_id == reminder_id).order_by(Delivery.id)
        ).all()
        return [(d.attempt, d.ok, d.status_code, d.worker) for d in rows]


def _record(
    engine: Engine, reminder_id: int, result: SendResult, now: dt.datetime, worker: str = "w1"
) -> Reminder:
    with session_scope(engine) as session:
        return record_attempt(
            session=session,
            reminder_id=reminder_id,
            worker=worker,
            result=result,
            now=now,
            settings=S,
            jitter=lambda: 0.5,
        )


def test_only_due_rows_are_claimed_and_a_claim_holds_until_its_lease_expires(db: Engine) -> None:
    due = _queue(db, 3)
    _queue(db, 1, due=NOW + dt.timedelta(hours=1))
    claimed = claim_due(engine=db, worker="w1", now=NOW, limit=10, settings=S)
    assert sorted(r.id for r in claimed) == due
    assert {(r.claimed_by, r.claimed_until) for r in claimed} == {("w1", NOW + dt.timedelta(seconds=60))}
    assert claim_due(engine=db, worker="w1", now=NOW + dt.timedelta(seconds=59), limit=10, settings=S) == []
    # the dispatcher died without recording: once the lease expires the rows are claimed again (crash recovery)
    again = claim_due(engine=db, worker="w1", now=NOW + dt.timedelta(seconds=61), limit=10, settings=S)
    assert sorted(r.id for r in again) == due


def test_claims_come_in_batches_oldest_first(db: Engine) -> None:
    late = _queue(db, 2, due=NOW - dt.timedelta(minutes=5))
    _queue(db, 3)
    first = claim_due(engine=db, worker="w1", now=NOW, limit=2, settings=S)
    assert [r.id for r in first] == late
    assert len(claim_due(engine=db, worker="w1", now=NOW, limit=10, settings=S)) == 3


def test_a_reminder_whose_deadline_passed_is_cancelled_instead_of_claimed(db: Engine) -> None:
    with session_scope(db) as session:
        notice = store_notice(session, deadline("2025-03-31", time="17:00"), now=NOW)
        owner = company(session)
        channel(session, owner)
        verdict(session, owner, notice)
        replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    after = local("2025-04-01T09:00:00")  # the worker was down for weeks
    assert claim_due(engine=db, worker="w1", now=after, limit=10, settings=S) == []
    with Session(db) as session:
        assert {(r.status, r.cancelled_reason) for r in reminders(session)} == {
            ("cancelled", "截止日期已过 / deadline passed")
        }


def test_success_marks_sent_and_records_the_attempt(db: Engine) -> None:
    (rid,) = _queue(db, 1)
    claim_due(engine=db, worker="w1", now=NOW, limit=10, settings=S)
    row = _record(db, rid, SendResult(ok=True, status_code=200, latency_ms=12.5), NOW)
    assert (row.status, row.attempts, row.sent_at, row.claimed_by, row.last_error) == (
        "sent",
        1,
        NOW,
        None,
        None,
    )
    assert _deliveries(db, rid) == [(1, True, 200, "w1")]


def test_failures_back_off_exponentially_then_die(db: Engine) -> None:
    (rid,) = _queue(db, 1)
    failure = SendResult(ok=False, status_code=500, latency_ms=3.0, error="HTTP 500")
    row = _record(db, rid, failure, NOW)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, NOW + dt.timedelta(seconds=45))
    assert row.last_error == "HTTP 500"
    row = _record(db, rid, failure, row.next_attempt_at)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=45 + 90)
    row = _record(db, rid, failure, row.next_attempt_at)
    assert (row.status, row.attempts) == ("dead", 3), "max_attempts = 3"
    assert _deliveries(db, rid) == [(1, False, 500, "w1"), (2, False, 500, "w1"), (3, False, 500, "w1")]
    with Session(db) as session:
        assert [r.id for r in list_dead(session=session)] == [rid]


def test_backoff_is_capped_and_jittered_within_half_to_full(db: Engine) -> None:
    (rid,) = _queue(db, 1)
    many = settings(max_attempts=20, backoff_base=60.0, backoff_max=600.0)
    now = NOW
    for attempt in range(1, 8):
        with session_scope(db) as session:
            row = record_attempt(
                session=session, reminder_id=rid, worker="w1", result=SendResult(ok=False, status_code=502),
                now=now, settings=many,
            )  # fmt: skip
        wait = (row.next_attempt_at - now).total_seconds()
        full = min(600.0, 60.0 * 2 ** (attempt - 1))
        assert full / 2 <= wait <= full
        now = row.next_attempt_at


def test_a_permanent_failure_is_dead_at_once(db: Engine) -> None:
    (rid,) = _queue(db, 1)
    row = _record(db, rid, SendResult(ok=False, status_code=404, error="HTTP 404", permanent=True), NOW)
    assert (row.status, row.attempts, row.last_error) == ("dead", 1, "HTTP 404")


def test_a_local_rate_limit_requeues_without_counting_an_attempt(db: Engine) -> None:
    (rid,) = _queue(db, 1)
    claim_due(engine=db, worker="w1", now=NOW, limit=10, settings=S)
    held = SendResult(ok=False, retry_after=30.0, throttled=True, error="本地限流 / rate limited locally")
    row = _record(db, rid, held, NOW)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, None)
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert _deliveries(db, rid) == [], "nothing was sent, so no attempt is recorded"


def test_a_remote_rate_limit_counts_and_waits_at_least_retry_after(db: Engine) -> None:
    (rid,) = _queue(db, 1)
    row = _record(db, rid, SendResult(ok=False, status_code=429, retry_after=300.0), NOW)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, NOW + dt.timedelta(seconds=300))


def test_a_dead_reminder_can_be_requeued_and_nothing_else(db: Engine) -> None:
    (rid,) = _queue(db, 1)
    _record(db, rid, SendResult(ok=False, status_code=400, permanent=True), NOW)
    later = NOW + dt.timedelta(hours=2)
    with session_scope(db) as session:
        row = requeue(session=session, reminder_id=rid, now=later)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, later)
    assert [r.id for r in claim_due(engine=db, worker="w1", now=later, limit=10, settings=S)] == [rid]
    with session_scope(db) as session, pytest.raises(NotRequeueable, match="only dead reminders"):
        requeue(session=session, reminder_id=rid, now=later)
    with session_scope(db) as session, pytest.raises(ReminderNotFound, match="no reminder with id 999999"):
        requeue(session=session, reminder_id=999999, now=later)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_sqlite_allows_one_dispatcher_and_says_who_holds_the_lease(db: Engine) -> None:
    _queue(db, 2)
    assert len(claim_due(engine=db, worker="first", now=NOW, limit=1, settings=S)) == 1
    with pytest.raises(DispatcherBusy) as caught:
        claim_due(engine=db, worker="second", now=NOW, limit=10, settings=S)
    message = str(caught.value)
    assert "另一个发送进程正在运行" in message and "another dispatcher holds the SQLite lease" in message
    assert "holder first" in message
    assert len(claim_due(engine=db, worker="first", now=NOW, limit=10, settings=S)) == 1, "the holder renews"
    expired = NOW + dt.timedelta(seconds=lease_seconds(S) + 1)
    assert claim_due(engine=db, worker="second", now=expired, limit=10, settings=S) != [], (
        "a dead holder's lease lapses"
    )


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_postgres_workers_claiming_at_once_never_share_a_row(db: Engine) -> None:
    ids = _queue(db, 60)
    start = threading.Barrier(4)
    got: dict[str, list[int]] = {}

    def work(name: str) -> None:
        start.wait()
        mine: list[int] = []
        while batch := claim_due(engine=db, worker=name, now=NOW, limit=5, settings=S):
            mine += [r.id for r in batch if r.id is not None]
        got[name] = mine

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [i for mine in got.values() for i in mine]
    assert sorted(claimed) == sorted(ids), "every row claimed exactly once"
    assert sum(1 for mine in got.values() if mine) >= 2, "the work was shared"
