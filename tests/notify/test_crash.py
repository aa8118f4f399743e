"""Crash safety: ``reminder worker`` processes killed with SIGKILL at random moments, then restarted.

At the end every reminder was delivered, the receiver saw exactly one distinct id per reminder, and
no id arrived more often than once plus the number of kills (a kill between a send and its record
repeats that send once, with the same id). On PostgreSQL two workers running at once deliver each id
exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from loopback import Loopback
from notify_factories import channel, company, local, queued
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from reminder.db.engine import session_scope
from reminder.db.models import Delivery, Reminder

N = 1000
KILLS = 3
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
REMINDER = Path(sys.executable).with_name("reminder")


def _env(engine: Engine, lease: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_") and k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        REMINDER_WEBHOOK_ALLOW_HOSTS='["127.0.0.1"]',
        REMINDER_WEBHOOK_ALLOW_HTTP="true",
        REMINDER_WEBHOOK_TIMEOUT="5",
        REMINDER_DISPATCH_INTERVAL="0.2",
        REMINDER_DISPATCH_BATCH="50",
        REMINDER_DISPATCH_CONCURRENCY="4",
        REMINDER_CLAIM_LEASE=str(lease),
    )
    return env


def _fill(engine: Engine, sink: Loopback) -> set[str]:
    with session_scope(engine) as session:
        owner = company(session)
        rows = queued(
            session,
            channel(session, owner, target=sink.url(), secret=SECRET),
            local("2025-03-03T09:00:00"),
            n=N,
        )
        return {r.message_id for r in rows}


def _sent(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.exec(select(func.count()).select_from(Reminder).where(Reminder.status == "sent")).one()
        )


def _start(engine: Engine, name: str, log: Path, lease: float) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(REMINDER), "worker", "--name", name],
            env=_env(engine, lease),
            cwd=log.parent,
            stdout=out,
            stderr=out,
        )


def _wait(condition: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"timed out waiting for {what}; worker output:\n{log.read_text(errors='replace')[-4000:]}"
            )
        time.sleep(0.02)


def _stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, log.read_text(errors="replace")[-4000:]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # PostgreSQL's lease expiry: test_outbox_claims
def test_killed_workers_lose_nothing_and_repeat_at_most_once_per_kill(db: Engine, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    rng = random.Random(20250303)
    with Loopback(delay=0.005) as sink:
        expected = _fill(db, sink)
        for _ in range(KILLS):
            seen = len(sink.ids())
            proc = _start(db, "crash-worker", log, lease=2.0)
            try:
                _wait(
                    lambda seen=seen: len(sink.ids()) >= seen + 20 or _sent(db) == N,
                    60,
                    "the worker to start sending",
                    log,
                )
                time.sleep(rng.uniform(0.0, 0.2))
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        killed_at = _sent(db)
        final = _start(db, "crash-worker", log, lease=2.0)
        try:
            _wait(lambda: _sent(db) == N, 120, f"all {N} reminders to be sent", log)
        finally:
            _stop(final, log)
        counts = sink.counts()
    assert killed_at < N, "the kills happened while there was work left"
    assert set(counts) == expected, "exactly the planned ids arrived, each at least once"
    assert max(counts.values()) <= 1 + KILLS, f"repeats per id bounded by the kills: {counts.most_common(3)}"
    with Session(db) as session:
        assert session.exec(select(Reminder.status).distinct()).all() == ["sent"]


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_two_postgres_workers_in_parallel_deliver_each_id_exactly_once(db: Engine, tmp_path: Path) -> None:
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with Loopback(delay=0.005) as sink:
        procs = [
            _start(db, name, log, lease=60.0)
            for name, log in zip(("worker-a", "worker-b"), logs, strict=True)
        ]
        try:
            for log in logs:  # both running before there is work, so both take part
                _wait(
                    lambda log=log: "started" in log.read_text(errors="replace"),
                    60,
                    "the workers to start",
                    log,
                )
            expected = _fill(db, sink)
            _wait(lambda: _sent(db) == N, 120, f"all {N} reminders to be sent", logs[0])
        finally:
            for proc, log in zip(procs, logs, strict=True):
                _stop(proc, log)
        counts = sink.counts()
    assert set(counts) == expected
    assert set(counts.values()) == {1}, "no id arrived twice"
    with Session(db) as session:
        per_worker = dict(
            session.exec(select(Delivery.worker, func.count()).group_by(col(Delivery.worker))).all()
        )
    assert set(per_worker) == {"worker-a", "worker-b"} and sum(per_worker.values()) == N, per_worker
