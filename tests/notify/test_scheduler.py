"""The background worker (APScheduler) and the reminder commands, against real databases and receivers."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from loopback import Loopback
from notify_factories import channel, company, deadline, queued, reminders, settings, store_notice, verdict
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from reminder.cli import app
from reminder.db.engine import session_scope
from reminder.db.models import Reminder, utcnow
from reminder.errors import DispatcherBusy
from reminder.notify.base import SendResult
from reminder.notify.outbox import record_attempt
from reminder.scheduler import JOB_IDS, jobs, start_scheduler

SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
runner = CliRunner()


@pytest.fixture
def sink() -> Iterator[Loopback]:
    with Loopback() as s:
        yield s


def _sent(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.exec(select(func.count()).select_from(Reminder).where(Reminder.status == "sent")).one()
        )


def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll (the scheduler runs on its own clock); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _queue(engine: Engine, target: str, n: int, due: dt.datetime) -> list[Reminder]:
    with session_scope(engine) as session:
        owner = company(session)
        return queued(session, channel(session, owner, target=target, secret=SECRET), due, n=n)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_the_worker_schedules_its_three_jobs_and_stops_cleanly(db: Engine) -> None:
    s = settings(dispatch_interval=3600.0, reminder_hour=8)
    worker = start_scheduler(engine=db, settings=s, name="jobs-test")
    try:
        assert worker.running
        found = {job.id: job for job in worker.scheduler.get_jobs()}
        assert (
            set(found)
            == set(JOB_IDS)
            == {"dispatch", "digests", "sweep", "counts", "sources", "source_digest"}
        )
        assert found["dispatch"].func_ref == "reminder.scheduler.jobs:tick"
        assert isinstance(found["dispatch"].trigger, IntervalTrigger)
        assert found["dispatch"].trigger.interval == dt.timedelta(seconds=3600)
        assert isinstance(found["digests"].trigger, CronTrigger)
        assert str(found["digests"].trigger.fields[5]) == "8", "digests planned daily at reminder_hour"
        assert found["counts"].func_ref == "reminder.scheduler.jobs:fold_counts"
        assert found["counts"].trigger.interval == dt.timedelta(minutes=1), (
            "large notices counted each minute"
        )
        assert all(job.coalesce and job.misfire_grace_time for job in found.values())
    finally:
        worker.shutdown()
    assert not worker.running
    again = start_scheduler(engine=db, settings=s, name="next-worker")  # the lease was given back
    again.shutdown()


def test_after_a_restart_everything_that_came_due_is_sent_once(db: Engine, sink: Loopback) -> None:
    yesterday = utcnow() - dt.timedelta(days=1)
    due = _queue(db, sink.url(), 6, yesterday)
    _queue(db, sink.url("/hooks/later"), 1, utcnow() + dt.timedelta(days=30))
    fast = settings(dispatch_interval=0.1)
    worker = start_scheduler(engine=db, settings=fast, name="catch-up")
    try:
        _until(lambda: _sent(db) == 6)
    finally:
        worker.shutdown()
    restarted = start_scheduler(engine=db, settings=fast, name="catch-up-2")
    try:
        _until(lambda: restarted.scheduler.get_job("dispatch").next_run_time is not None)
        time.sleep(0.5)  # several ticks of the restarted worker: nothing is due any more
    finally:
        restarted.shutdown()
    assert sorted(sink.ids()) == sorted(r.message_id for r in due), (
        "each due reminder once, the future one not"
    )


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_second_worker_on_sqlite_is_refused_until_the_first_stops(db: Engine) -> None:
    first = start_scheduler(engine=db, settings=settings(dispatch_interval=3600.0), name="first")
    try:
        with pytest.raises(DispatcherBusy, match="holder first"):
            start_scheduler(engine=db, settings=settings(), name="second")
    finally:
        first.shutdown()
    start_scheduler(engine=db, settings=settings(dispatch_interval=3600.0), name="second").shutdown()


def test_the_sweep_job_plans_open_notices_and_cancels_passed_deadlines(db: Engine) -> None:
    now = utcnow()
    with session_scope(db) as session:
        ahead = store_notice(
            session, deadline((now + dt.timedelta(days=40)).date().isoformat()), title="仍在申报期的通知"
        )
        passed = store_notice(
            session, deadline((now + dt.timedelta(days=40)).date().isoformat()), title="将要截止的通知"
        )
        owner = company(session)
        channel(session, owner)
        verdict(session, owner, ahead)
        verdict(session, owner, passed)
    jobs.sweep(engine=db, settings=settings())
    with Session(db) as session:
        planned = {n.id: len(reminders(session, notice_id=n.id, purpose="before")) for n in (ahead, passed)}
    assert planned[ahead.id] >= 3 and planned[passed.id] == planned[ahead.id], "both open notices planned"
    with session_scope(db) as session:  # the second notice's deadline is corrected into the past
        store_notice(
            session, deadline((now - dt.timedelta(days=1)).date().isoformat()), title="将要截止的通知"
        )
    swept = jobs.sweep(engine=db, settings=settings())
    assert swept.cancelled == planned[passed.id]
    assert jobs.sweep(engine=db, settings=settings()).inserted == 0, "sweeping again changes nothing"
    with Session(db) as session:
        assert {r.notice_id for r in reminders(session, status="pending", purpose="before")} == {ahead.id}


# ── the command line ───────────────────────────────────────────────────────────────────────


@pytest.fixture
def cli_env(db: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The CLI pointed at the test database, loopback webhooks allowed."""
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REMINDER_WEBHOOK_ALLOW_HOSTS", '["127.0.0.1"]')
    monkeypatch.setenv("REMINDER_WEBHOOK_ALLOW_HTTP", "true")
    return db


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_list_dead_requeue_and_dispatch_once_from_the_command_line(cli_env: Engine, sink: Loopback) -> None:
    (row,) = _queue(cli_env, sink.url(), 1, utcnow() - dt.timedelta(minutes=1))
    with session_scope(cli_env) as session:
        failure = SendResult(ok=False, status_code=410, error="HTTP 410 Gone", permanent=True)
        record_attempt(
            session=session, reminder_id=row.id, worker="w", result=failure, now=utcnow(), settings=settings()
        )
    listed = runner.invoke(app, ["reminders", "list", "--status", "dead"])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("id\tstatus") and len(lines) == 2
    assert lines[1].startswith(f"{row.id}\tdead\ttest\t") and lines[1].endswith("\t1\tHTTP 410 Gone")
    requeued = runner.invoke(app, ["reminders", "requeue", str(row.id)])
    assert requeued.exit_code == 0 and "re-queued" in requeued.stdout
    refused = runner.invoke(app, ["reminders", "requeue", str(row.id)])
    assert refused.exit_code == 1 and "only dead reminders can be re-queued" in refused.stderr
    assert "Traceback" not in refused.output
    sent = runner.invoke(app, ["dispatch", "--once"])
    assert sent.exit_code == 0, sent.output
    assert "sent 1" in sent.stdout
    assert sink.ids() == [row.message_id]
    empty = runner.invoke(app, ["reminders", "list", "--status", "dead"])
    assert "no reminders" in empty.stdout


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_second_worker_command_exits_with_the_lease_message(cli_env: Engine) -> None:
    holder = start_scheduler(engine=cli_env, settings=settings(dispatch_interval=3600.0), name="web-app")
    try:
        result = runner.invoke(app, ["worker"])
    finally:
        holder.shutdown()
    assert result.exit_code == 3
    assert "另一个发送进程正在运行" in result.stderr and "holder web-app" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_reminder_is_a_clear_error(cli_env: Engine) -> None:
    result = runner.invoke(app, ["reminders", "requeue", "424242"])
    assert result.exit_code == 1 and "no reminder with id 424242" in result.stderr
