"""The source-watching job: every few minutes, poll the watched sources that are due (issue 17).

    poll_due_sources ─ due_source_ids (enabled, next_poll_at passed, no live claim, host not held
                     │ by another worker), grouped by host
                     └ per host: claim_sources takes the host's due sources together (claimed_by /
                       claimed_until, a lease like reminders' claims), unless another worker holds a
                       source on that host; reminder.watch.poll_claimed polls them one after the other,
                       each released after its poll

Several workers (``reminder serve`` / ``reminder worker`` processes on one PostgreSQL database) run this
job side by side: a source claimed by one is skipped by the others, a host is served by one worker at a
time (one request at a time per host across processes; within a process the fetcher's HostGate), and a
crashed worker's claims expire after ``reminder.watch.POLL_LEASE``. Each poll sets the source's
next_poll_at (its interval, jittered).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.config import Settings
from reminder.db.models import utcnow
from reminder.db.source_store import claim_sources, due_source_ids, hosts_of, release_sources
from reminder.sources import Fetcher, PageFetcher
from reminder.watch import POLL_LEASE, WatchReport, make_fetcher, poll_claimed

__all__ = ["SOURCE_CHECK_INTERVAL", "SOURCES_PER_RUN", "poll_due_sources", "add_source_job"]

log = logging.getLogger(__name__)

#: seconds between two looks for due sources
SOURCE_CHECK_INTERVAL = 300.0
#: sources polled per run at most (the rest wait for the next run; the job never runs twice at once)
SOURCES_PER_RUN = 50


def poll_due_sources(
    *, engine: Engine, settings: Settings, worker: str, fetcher: PageFetcher | None = None
) -> list[WatchReport]:
    """Poll the sources due now that this worker can claim (still due when claimed).

    Args:
        fetcher: the fetcher to share across the run; default one made from the settings.
    """
    with Session(engine) as session:
        due = due_source_ids(session=session, now=utcnow(), limit=SOURCES_PER_RUN, worker=worker)
        hosts = hosts_of(session=session, source_ids=due)
    if not due:
        return []
    by_host: dict[str, list[int]] = {}
    for source_id in due:
        by_host.setdefault(hosts.get(source_id, ""), []).append(source_id)
    own = fetcher is None
    use = make_fetcher(settings) if fetcher is None else fetcher
    reports: list[WatchReport] = []
    try:
        for host, ids in by_host.items():
            reports += _poll_host(engine, settings, host, ids, worker, use)
    finally:
        if own and isinstance(use, Fetcher):
            use.close()
    failed = sum(1 for r in reports if not r.ok)
    log.info(
        "sources: %d polled (%d failed), %d claimed elsewhere", len(reports), failed, len(due) - len(reports)
    )
    return reports


def _poll_host(
    engine: Engine, settings: Settings, host: str, ids: list[int], worker: str, fetcher: PageFetcher
) -> list[WatchReport]:
    """Claim the host's due sources together and poll them in sequence (none if another worker holds the host)."""
    with Session(engine) as session:
        taken = claim_sources(
            session=session, source_ids=ids, worker=worker, now=utcnow(), lease=POLL_LEASE, due_only=True
        )
        session.commit()
    if not taken:
        log.debug("sources: host %s is served by another worker", host)
        return []
    try:
        return poll_claimed(
            engine, settings, taken, worker=worker, now=utcnow, fetcher=fetcher, due_only=True
        )
    finally:  # a source left unpolled (an error) is given back at once, not at its lease's end
        with Session(engine) as session:
            release_sources(session=session, source_ids=taken, worker=worker)
            session.commit()


def add_source_job(scheduler: Any, engine: Engine, settings: Settings, name: str, **common: Any) -> None:
    """Add the "sources" job to an APScheduler scheduler (first run one interval after start)."""
    scheduler.add_job(
        "reminder.scheduler.source_jobs:poll_due_sources", "interval", seconds=SOURCE_CHECK_INTERVAL,
        id="sources", kwargs={"engine": engine, "settings": settings, "worker": name},
        misfire_grace_time=int(SOURCE_CHECK_INTERVAL), **common,
    )  # fmt: skip
