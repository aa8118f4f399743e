"""Periodic jobs run once per period across processes, however many run the scheduler.

    once_per_period(job, period, run) ─ INSERT job_runs (job, period, worker) ON CONFLICT DO NOTHING
                                      ├ inserted: run() ── finished_at = now
                                      │           └ run() raised: the row is deleted (the next fire retries)
                                      └ conflict: another process has it ── skipped (None)
    sweep_once / digests_once ──────── the scheduler's "sweep" (per sweep_interval) and "digests" (per local day)

Every ``reminder serve`` and ``reminder worker`` process schedules the same jobs; the (job, period)
primary key of ``job_runs`` lets the first one run each period's sweep or digest planning, so
several processes do not sweep or plan several times. The dispatcher tick, the "sources" job and the
"counts" job are not limited: they take work from queues (due reminders, due sources, notices whose
verdicts wait in match_counts_pending) through claims or SKIP LOCKED, so each item is done once however
many processes run them, and more processes share the work rather than repeat it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from reminder.config import Settings
from reminder.db.models import JobRun, utcnow
from reminder.notify.outbox import PlanStats
from reminder.scheduler import jobs

__all__ = [
    "JOB_RUNS_KEPT",
    "interval_period",
    "day_period",
    "once_per_period",
    "purge_job_runs",
    "sweep_once",
    "digests_once",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: how long job_runs rows are kept (the sweep deletes older ones)
JOB_RUNS_KEPT = dt.timedelta(days=30)

_TABLE: sa.Table = JobRun.__table__  # type: ignore[attr-defined]


def interval_period(now: dt.datetime, seconds: float) -> str:
    """The key of the ``seconds``-long period holding ``now``: its UTC start, e.g. ``2026-12-06T07:00:00Z``."""
    step = max(seconds, 0.001)
    start = (now.timestamp() // step) * step
    stamp = dt.datetime.fromtimestamp(start, dt.UTC)
    spec = "seconds" if step == int(step) else "milliseconds"
    return stamp.isoformat(timespec=spec).replace("+00:00", "Z")


def day_period(now: dt.datetime, timezone: str) -> str:
    """The local day holding ``now`` (e.g. ``2026-12-06``): the period of the daily digests."""
    return now.astimezone(ZoneInfo(timezone)).date().isoformat()


def _claim(engine: Engine, job: str, period: str, worker: str, now: dt.datetime) -> bool:
    values = {"job": job, "period": period, "worker": worker[:64], "started_at": now}
    with engine.begin() as conn:
        dialect = conn.dialect.name
        if dialect == "postgresql":
            statement: sa.Executable = (
                postgresql.insert(_TABLE).values(**values).on_conflict_do_nothing().returning(_TABLE.c.job)
            )
        elif dialect == "sqlite":
            statement = (
                sqlite.insert(_TABLE).values(**values).on_conflict_do_nothing().returning(_TABLE.c.job)
            )
        else:  # another database: the primary key refuses the second insert
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(_TABLE).values(**values))
            except sa.exc.IntegrityError:
                return False
            return True
        return conn.execute(statement).first() is not None  # RETURNING: rowcount is unreliable here


def _where(job: str, period: str) -> sa.ColumnElement[bool]:
    return sa.and_(_TABLE.c.job == job, _TABLE.c.period == period)


def once_per_period(*, engine: Engine, job: str, period: str, worker: str, run: Callable[[], T]) -> T | None:
    """Run ``run()`` if no process has run ``job`` for ``period`` yet; None when another one has.

    Raises:
        Exception: whatever ``run()`` raised (its claim is given back first, so the next fire retries).
    """
    if not _claim(engine, job, period, worker, utcnow()):
        log.info("periodic job %s %s: already run by another process, skipped", job, period)
        return None
    try:
        result = run()
    except BaseException:
        with engine.begin() as conn:
            conn.execute(sa.delete(_TABLE).where(_where(job, period)))
        raise
    with engine.begin() as conn:
        conn.execute(sa.update(_TABLE).where(_where(job, period)).values(finished_at=utcnow()))
    log.info("periodic job %s %s: ran in %s", job, period, worker)
    return result


def purge_job_runs(*, engine: Engine, now: dt.datetime, kept: dt.timedelta = JOB_RUNS_KEPT) -> int:
    """Delete job_runs rows started more than ``kept`` before ``now``; returns how many."""
    with engine.begin() as conn:
        gone = conn.execute(sa.delete(_TABLE).where(_TABLE.c.started_at < now - kept))
    return int(gone.rowcount)


def sweep_once(*, engine: Engine, settings: Settings, worker: str) -> PlanStats | None:
    """The sweep (and retention purges), once per ``sweep_interval`` across processes."""

    def run() -> PlanStats:
        stats = jobs.sweep(engine=engine, settings=settings)
        purge_job_runs(engine=engine, now=utcnow())
        return stats

    period = interval_period(utcnow(), settings.sweep_interval)
    return once_per_period(engine=engine, job="sweep", period=period, worker=worker, run=run)


def digests_once(*, engine: Engine, settings: Settings, worker: str) -> PlanStats | None:
    """Today's digest planning, once per local day across processes."""
    period = day_period(utcnow(), settings.timezone)
    return once_per_period(
        engine=engine,
        job="digests",
        period=period,
        worker=worker,
        run=lambda: jobs.digests(engine=engine, settings=settings),
    )
