"""The background worker: APScheduler decides when, the outbox decides what (and that it goes out once).

    start_scheduler ─ (SQLite) take the dispatcher lease, or DispatcherBusy
                    ├ "dispatch"  every dispatch_interval s ─ reminder.scheduler.jobs:tick     (first run at once: catch-up)
                    ├ "digests"   daily at reminder_hour:00 ─ reminder.scheduler.jobs:digests  ┐ once per period across
                    ├ "sweep"     every sweep_interval s ──── reminder.scheduler.jobs:sweep    ┘ processes (periodic.py;
                    │                                                   first run at once)
                    ├ "counts"    every minute ─ new notices' verdicts added to the dashboard's counts
                    ├ "sources"   every 5 min ─ watched sources due (source_jobs.py)
                    └ "source_digest" daily at reminder_hour:05 ─ operator's mail of newly flagged sources
                                  (reminder.sources_digest, once per day across processes)
    Worker.wake ───── send queued test messages now (the test-send lane, lane.py)
    Worker.shutdown ─ stop the scheduler and the lane, give the lease back

After a restart the first tick claims every row that came due while no worker ran; each is sent once
(claims and keys), so nothing is skipped and nothing doubled. ``reminder serve`` runs the same worker
inside the web app; ``reminder worker`` runs it alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from reminder.config import Settings
from reminder.db.models import utcnow
from reminder.notify.outbox import hold_lease, release_lease
from reminder.scheduler.lane import TestSendLane
from reminder.scheduler.source_jobs import add_source_job

__all__ = ["JOB_IDS", "SWEEP_INTERVAL", "Worker", "default_worker_name", "start_scheduler"]

log = logging.getLogger(__name__)

#: the scheduler's job ids
JOB_IDS: tuple[str, ...] = ("dispatch", "digests", "sweep", "counts", "sources", "source_digest")
#: seconds between adding new notices' verdicts to the counts (matching queues them: match_counts)
COUNTS_INTERVAL = 60.0
#: default seconds between sweeps (cancel passed deadlines, replan open notices, catch up on digests);
#: the scheduler uses ``settings.sweep_interval``
SWEEP_INTERVAL = 3600.0


def default_worker_name() -> str:
    """``host:pid``: unique per running process, stored in claims and the SQLite lease."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}"


class Worker:
    """A running scheduler with its jobs; ``shutdown()`` stops it and releases the SQLite lease."""

    def __init__(
        self, scheduler: BackgroundScheduler, engine: Engine, name: str, lane: TestSendLane | None = None
    ) -> None:
        #: the APScheduler instance (jobs: :data:`JOB_IDS`)
        self.scheduler = scheduler
        self.engine = engine
        #: the worker name in claims and the lease
        self.name = name
        #: sends test messages as soon as the web app queues them
        self.lane = lane

    def wake(self) -> None:
        """Send the queued test messages now instead of at the next tick."""
        if self.lane is not None:
            self.lane.wake()

    @property
    def running(self) -> bool:
        """Whether the scheduler is running (for /healthz)."""
        return bool(self.scheduler.running)

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling, let running jobs finish (``wait``), and give the SQLite lease back."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        if self.lane is not None:
            self.lane.stop(timeout=10.0 if wait else 0.0)
        release_lease(engine=self.engine, worker=self.name)
        log.info("worker %s stopped", self.name)


def _add_jobs(scheduler: BackgroundScheduler, engine: Engine, settings: Settings, name: str) -> None:
    now = dt.datetime.now(ZoneInfo(settings.timezone))
    common = {"replace_existing": True, "coalesce": True, "max_instances": 1}
    scheduler.add_job(
        "reminder.scheduler.jobs:tick", "interval", seconds=settings.dispatch_interval, id="dispatch",
        kwargs={"engine": engine, "settings": settings, "worker": name}, next_run_time=now,
        misfire_grace_time=max(1, int(settings.dispatch_interval)), **common,
    )  # fmt: skip
    once = {"engine": engine, "settings": settings, "worker": name}  # once per period across processes
    scheduler.add_job(
        "reminder.scheduler.periodic:digests_once", "cron", hour=settings.reminder_hour, minute=0,
        id="digests", kwargs=once, misfire_grace_time=3600, **common,
    )  # fmt: skip
    scheduler.add_job(
        "reminder.scheduler.periodic:sweep_once", "interval", seconds=settings.sweep_interval, id="sweep",
        kwargs=once, next_run_time=now, misfire_grace_time=3600, **common,
    )  # fmt: skip
    scheduler.add_job(  # any process may run it: a notice being added by one is skipped by the others
        "reminder.scheduler.jobs:fold_counts", "interval", seconds=COUNTS_INTERVAL, id="counts",
        kwargs={"engine": engine}, next_run_time=now, misfire_grace_time=int(COUNTS_INTERVAL), **common,
    )  # fmt: skip
    add_source_job(scheduler, engine, settings, name, **common)  # watched sources due (source_jobs.py)
    scheduler.add_job(
        "reminder.sources_digest:flag_digest_once", "cron", hour=settings.reminder_hour, minute=5,
        id="source_digest", kwargs=once, misfire_grace_time=3600, **common,
    )  # fmt: skip


def start_scheduler(*, engine: Engine, settings: Settings, name: str | None = None) -> Worker:
    """Start the dispatcher tick, the digest planning and the sweep in background threads.

    Args:
        engine: the database (at the head schema).
        settings: dispatch_interval, reminder_hour, timezone and everything the jobs read.
        name: worker name; default ``host:pid``. Reusing a crashed worker's name on SQLite takes its
            lease over at once instead of waiting for it to expire.

    Returns:
        The running :class:`Worker`.

    Raises:
        DispatcherBusy: SQLite, and another dispatcher holds the lease.
    """
    name = name or default_worker_name()
    hold_lease(engine=engine, worker=name, now=utcnow(), settings=settings)
    scheduler = BackgroundScheduler(timezone=ZoneInfo(settings.timezone))
    _add_jobs(scheduler, engine, settings, name)
    scheduler.start()
    log.info("worker %s started: dispatch every %ss", name, settings.dispatch_interval)
    return Worker(scheduler, engine, name, TestSendLane(engine=engine, settings=settings, worker=name))
