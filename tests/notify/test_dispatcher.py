"""The dispatcher against real receivers on 127.0.0.1 (HTTP sink, aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from loopback import Loopback
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
from smtp_server import smtp_server
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.db.engine import session_scope
from reminder.db.models import Channel, Delivery, Reminder
from reminder.errors import DispatcherBusy
from reminder.notify.base import Message, SendResult
from reminder.notify.dispatcher import dispatch_due
from reminder.notify.outbox import list_dead, replan_notice, requeue

NOW = local("2025-03-03T09:00:00")
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
S = settings(max_attempts=3, backoff_base=60.0, backoff_max=600.0)


@pytest.fixture
def sink() -> Iterator[Loopback]:
    with Loopback() as s:
        yield s


def _queue(engine: Engine, target: str, n: int = 1, due: dt.datetime = NOW, **kw: Any) -> list[Reminder]:
    with session_scope(engine) as session:
        owner = company(session)
        return queued(session, channel(session, owner, target=target, secret=SECRET, **kw), due, n=n)


def _rows(engine: Engine) -> list[Reminder]:
    with Session(engine) as session:
        return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def _deliveries(engine: Engine, reminder_id: int | None = None) -> list[Delivery]:
    with Session(engine) as session:
        query = select(Delivery).order_by(Delivery.id)
        if reminder_id is not None:
            query = query.where(Delivery.reminder_id == reminder_id)
        return list(session.exec(query).all())


def test_due_reminders_are_sent_once_each_with_their_stable_id(db: Engine, sink: Loopback) -> None:
    due = _queue(db, sink.url(), n=5)
    _queue(db, sink.url("/hooks/b"), due=NOW + dt.timedelta(days=1))
    stats = dispatch_due(engine=db, settings=S, worker="w1", now=NOW)
    assert (stats.claimed, stats.sent) == (5, 5)
    assert sorted(sink.ids()) == sorted(r.message_id for r in due)
    assert {r.json()["type"] for r in sink.received} == {"test"}
    statuses = [(r.status, r.sent_at) for r in _rows(db)]
    assert statuses == [("sent", NOW)] * 5 + [("pending", None)]
    attempts = [(d.attempt, d.ok, d.status_code, d.worker) for d in _deliveries(db)]
    assert attempts == [(1, True, 200, "w1")] * 5
    assert all(d.latency_ms and d.latency_ms > 0 for d in _deliveries(db))
    again = dispatch_due(engine=db, settings=S, worker="w1", now=NOW + dt.timedelta(minutes=5))
    assert again.claimed == 0 and len(sink.ids()) == 5, "nothing is sent twice"


def test_a_failing_receiver_gets_retries_with_backoff_and_the_same_id(db: Engine, sink: Loopback) -> None:
    (row,) = _queue(db, sink.url())
    sink.fail_next(2, 500)
    now = NOW
    first = dispatch_due(engine=db, settings=S, worker="w1", now=now)
    assert (first.retrying, first.sent) == (1, 0)
    (stored,) = _rows(db)
    wait = (stored.next_attempt_at - now).total_seconds()
    assert 30 <= wait <= 60, "first retry after backoff_base, jittered into [½, 1]"
    assert dispatch_due(engine=db, settings=S, worker="w1", now=now + dt.timedelta(seconds=29)).claimed == 0
    for _ in range(2):
        now = _rows(db)[0].next_attempt_at
        dispatch_due(engine=db, settings=S, worker="w1", now=now)
    (stored,) = _rows(db)
    assert (stored.status, stored.attempts) == ("sent", 3)
    assert [(d.attempt, d.ok, d.status_code) for d in _deliveries(db)] == [
        (1, False, 500),
        (2, False, 500),
        (3, True, 200),
    ]
    assert sink.ids() == [row.message_id] * 3, "every retry carries the same webhook-id"


def test_max_attempts_then_dead_then_requeued_by_an_operator(db: Engine, sink: Loopback) -> None:
    _queue(db, sink.url())
    sink.fail_always(503)
    now = NOW
    for _ in range(3):
        stats = dispatch_due(engine=db, settings=S, worker="w1", now=now)
        now = _rows(db)[0].next_attempt_at
    assert stats.dead == 1
    (stored,) = _rows(db)
    assert (stored.status, stored.attempts) == ("dead", 3)
    assert "503" in (stored.last_error or "")
    with Session(db) as session:
        assert [r.id for r in list_dead(session=session)] == [stored.id]
    sink.heal()
    later = NOW + dt.timedelta(hours=3)
    with session_scope(db) as session:
        requeue(session=session, reminder_id=stored.id, now=later)
    assert dispatch_due(engine=db, settings=S, worker="w1", now=later).sent == 1
    assert [d.ok for d in _deliveries(db)] == [False, False, False, True]


def test_a_permanent_refusal_is_dead_after_one_attempt(db: Engine, sink: Loopback) -> None:
    _queue(db, sink.url())
    sink.fail_next(1, 404)
    assert dispatch_due(engine=db, settings=S, worker="w1", now=NOW).dead == 1
    assert [(r.status, r.attempts) for r in _rows(db)] == [("dead", 1)]


def test_a_429_waits_at_least_retry_after(db: Engine, sink: Loopback) -> None:
    _queue(db, sink.url())
    sink.fail_next(1, 429, Retry_After="900")
    dispatch_due(engine=db, settings=S, worker="w1", now=NOW)
    (stored,) = _rows(db)
    assert stored.status == "pending" and stored.next_attempt_at >= NOW + dt.timedelta(seconds=900)


class _Held:
    """A channel whose local rate limiter is full: nothing is sent."""

    kind = "webhook"

    def send(self, message: Message) -> SendResult:
        return SendResult(ok=False, retry_after=40.0, throttled=True, error="本地限流 / rate limited locally")


def test_a_local_rate_limit_requeues_without_an_attempt(db: Engine) -> None:
    _queue(db, "http://127.0.0.1:9/hooks/held", n=3)
    stats = dispatch_due(engine=db, settings=S, worker="w1", now=NOW, channel_factory=lambda row, s: _Held())
    assert (stats.claimed, stats.throttled, stats.retrying) == (3, 3, 0)
    assert {(r.status, r.attempts, r.next_attempt_at) for r in _rows(db)} == {
        ("pending", 0, NOW + dt.timedelta(seconds=40))
    }
    assert _deliveries(db) == []


def test_a_payload_that_cannot_be_rendered_is_dead_with_the_reason(db: Engine, sink: Loopback) -> None:
    (row,) = _queue(db, sink.url())
    with session_scope(db) as session:
        stored = session.get(Reminder, row.id)
        assert stored is not None
        stored.purpose = (
            "before"  # a "before" reminder needs a notice and a deadline: this payload has neither
        )
        session.add(stored)
    assert dispatch_due(engine=db, settings=S, worker="w1", now=NOW).dead == 1
    (delivery,) = _deliveries(db)
    assert "notice.title" in (delivery.error or "")
    assert sink.ids() == []


def test_a_stored_channel_that_no_longer_builds_fails_its_reminders_not_the_others(
    db: Engine, sink: Loopback
) -> None:
    _queue(db, sink.url(), n=2)
    with session_scope(db) as session:
        owner = company(session, "坏渠道企业")
        broken = Channel(
            company_id=owner.id, kind="webhook", target=sink.url("/hooks/c"), secret="not-a-whsec-secret"
        )
        session.add(broken)
        session.flush()
        queued(session, broken, NOW)
    stats = dispatch_due(engine=db, settings=S, worker="w1", now=NOW)
    assert (stats.sent, stats.dead) == (2, 1)
    assert "whsec_" in (next(r for r in _rows(db) if r.status == "dead").last_error or "")


def test_reminders_planned_from_a_notice_go_out_and_late_ones_say_the_days_left_today(
    db: Engine, sink: Loopback
) -> None:
    planned_at = local("2025-03-01T10:00:00")
    with session_scope(db) as session:
        notice = store_notice(session, deadline("2025-03-31", time="17:00"), now=planned_at)
        owner = company(session)
        channel(session, owner, target=sink.url(), secret=SECRET)
        verdict(session, owner, notice)
        replan_notice(session=session, notice_id=notice.id, now=planned_at, settings=S)
    down_until = local("2025-03-26T08:00:00")  # the worker was down for the 14- and 7-day reminders
    stats = dispatch_due(engine=db, settings=S, worker="w1", now=down_until)
    assert stats.sent == 1, (
        "the 14- and 7-day reminders came due while down: only the newer goes out (issue 16)"
    )
    bodies = [r.json()["data"] for r in sink.received]
    assert [b["days_left"] for b in bodies] == [5], "days left are counted from the day it is sent"
    with Session(db) as session:
        assert [r.status for r in reminders(session)] == ["cancelled", "sent", "pending", "pending"]


def test_sends_run_concurrently_but_never_more_than_dispatch_concurrency(db: Engine) -> None:
    _queue(db, "http://127.0.0.1:9/hooks/slow", n=24)
    lock, in_flight, peak = threading.Lock(), [0], [0]

    class Slow:
        kind = "webhook"

        def send(self, message: Message) -> SendResult:
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            time.sleep(0.02)
            with lock:
                in_flight[0] -= 1
            return SendResult(ok=True, status_code=200)

    stats = dispatch_due(
        engine=db, settings=settings(dispatch_concurrency=4, dispatch_batch=10), worker="w1", now=NOW,
        channel_factory=lambda row, s: Slow(),
    )  # fmt: skip
    assert stats.sent == 24
    assert 1 < peak[0] <= 4


def test_email_reminders_carry_the_message_id_and_a_one_click_unsubscribe(db: Engine) -> None:
    with smtp_server("none") as (box, port):
        mail = settings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
            mail_from="申报提醒 <reminder@example.cn>",
        )
        with session_scope(db) as session:
            owner = company(session)
            target = channel(session, owner, kind="email", target="boss@example.cn")
            (row,) = queued(session, target, NOW)
        assert dispatch_due(engine=db, settings=mail, worker="w1", now=NOW).sent == 1
    (received,) = box.messages
    parsed = email.message_from_bytes(received.content, policy=email.policy.default)
    assert parsed["Message-ID"].startswith(f"<{row.message_id}@")
    assert f"/unsubscribe/{target.id}/" in parsed["List-Unsubscribe"]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_secrets_and_targets_never_reach_the_log(
    db: Engine, sink: Loopback, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hidden = sink.url("/hooks/k3y-do-not-log")
    _queue(db, hidden, n=2)
    sink.fail_always(500)
    dispatch_due(engine=db, settings=S, worker="w1", now=NOW)
    assert caplog.records, "the failures were logged"
    assert SECRET not in caplog.text
    ours = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("reminder.notify.dispatcher", "reminder.notify._"))
    ]
    assert ours and not any("k3y-do-not-log" in line for line in ours), (
        "the dispatcher names channels by id only"
    )


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_second_sqlite_dispatcher_is_refused(db: Engine, sink: Loopback) -> None:
    _queue(db, sink.url())
    dispatch_due(engine=db, settings=S, worker="first", now=NOW)
    with pytest.raises(DispatcherBusy, match=r"another dispatcher holds the SQLite lease \(holder first"):
        dispatch_due(engine=db, settings=S, worker="second", now=NOW + dt.timedelta(seconds=1))
