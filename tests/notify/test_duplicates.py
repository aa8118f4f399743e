"""Issue 16, item 19: one deadline never produces two identical reminders at once.

The review's repro: a demo server (``make run``, demo day 2025-03-01) publishes a notice whose
deadline is 5 days after the real date; every channel got the 14-day and the 7-day reminder in the
same second, both saying 还剩 5 天. And after a crash, re-sends waited for a 300 s lease.
"""

from __future__ import annotations

import datetime as dt

from notify_factories import channel, company, deadline, local, reminders, settings, store_notice, verdict
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.calendar import TZ
from reminder.config import Settings
from reminder.db.engine import session_scope
from reminder.notify._claims import SUPERSEDED
from reminder.notify.clock import DemoInstant
from reminder.notify.outbox import claim_due, lease_seconds, renew_claims, replan_notice

NOW = local("2025-03-03T09:00:00")
S = settings(claim_lease=45.0)


def _plan(db: Engine, day: str, now: dt.datetime) -> None:
    with session_scope(db) as session:
        notice = store_notice(session, deadline(day, time="17:00"), now=now)
        owner = company(session)
        channel(session, owner)
        verdict(session, owner, notice)
        replan_notice(session=session, notice_id=notice.id or 0, now=now, settings=S)


def test_overdue_offsets_of_one_deadline_collapse_into_the_newest(db: Engine) -> None:
    _plan(db, "2025-03-27", NOW)
    down_until = local(
        "2025-03-24T10:00:00"
    )  # the worker was down: the 14-, 7- and 3-day reminders are all due
    claimed = claim_due(engine=db, worker="w1", now=down_until, limit=10, settings=S)
    assert [(r.purpose, r.offset_days) for r in claimed] == [("before", 3)]
    with Session(db) as session:
        cancelled = {r.offset_days: r.cancelled_reason for r in reminders(session, status="cancelled")}
    assert cancelled == {14: SUPERSEDED, 7: SUPERSEDED}


def test_collapsing_also_spans_claim_batches(db: Engine) -> None:
    _plan(db, "2025-03-27", NOW)
    first = claim_due(engine=db, worker="w1", now=local("2025-03-24T10:00:00"), limit=1, settings=S)
    assert [r.offset_days for r in first] == [3], "an older overdue row never goes out ahead of the newest"


def test_a_demo_day_never_plans_reminders_on_past_days(db: Engine) -> None:
    real = dt.datetime.now(TZ)
    day = (real + dt.timedelta(days=5)).date().isoformat()
    demo = DemoInstant(2025, 3, 1, 9, tzinfo=TZ)  # what `serve --as-of 2025-03-01` calls "now"
    _plan(db, day, demo)
    with Session(db) as session:
        rows = reminders(session, status="pending")
    overdue = [(r.purpose, r.offset_days) for r in rows if r.due_at <= dt.datetime.now(TZ)]
    assert overdue == [("new_call", None)], "one message now, never the 14- and 7-day reminders together"
    assert {r.offset_days for r in rows if r.purpose == "before"} <= {3, 1, 0}


def test_a_crashed_dispatchers_rows_go_out_again_within_a_minute() -> None:
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.claim_lease <= 60 and lease_seconds(defaults) <= 60


def test_a_live_dispatcher_renews_its_claims(db: Engine) -> None:
    _plan(db, "2025-03-27", NOW)
    (row,) = claim_due(engine=db, worker="w1", now=local("2025-03-13T09:00:00"), limit=10, settings=S)
    assert row.id is not None
    renew_claims(engine=db, worker="w1", ids=[row.id], now=local("2025-03-13T09:00:40"), settings=S)
    later = local("2025-03-13T09:01:00")  # past the first lease, within the renewed one
    assert claim_due(engine=db, worker="w1", now=later, limit=10, settings=S) == []
    crashed = local("2025-03-13T09:01:30")  # no renewal since: taken again
    assert [r.id for r in claim_due(engine=db, worker="w1", now=crashed, limit=10, settings=S)] == [row.id]
