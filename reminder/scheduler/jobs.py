"""What the scheduler runs: plain functions that read the clock and the outbox, nothing else.

The scheduler (``reminder.scheduler``) only decides *when*; once-only delivery is the outbox's
job, so a job that runs late, twice or after a restart does no harm.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from reminder.companies.data_rights import purge_deliveries
from reminder.config import Settings
from reminder.db.engine import session_scope
from reminder.db.match_counts import fold_pending_counts
from reminder.db.models import utcnow
from reminder.errors import DispatcherBusy
from reminder.notify.dispatcher import DispatchStats, dispatch_due
from reminder.notify.outbox import PlanStats, plan_digests
from reminder.notify.outbox import sweep as sweep_outbox
from reminder.notify.test_sends import purge_test_sends

__all__ = ["tick", "digests", "sweep", "fold_counts"]

log = logging.getLogger(__name__)


def tick(*, engine: Engine, settings: Settings, worker: str) -> DispatchStats:
    """Send what is due now (including everything that came due while no worker ran)."""
    try:
        return dispatch_due(engine=engine, settings=settings, worker=worker)
    except DispatcherBusy as exc:
        log.warning("%s", exc)
        return DispatchStats()


def digests(*, engine: Engine, settings: Settings) -> PlanStats:
    """Plan today's digests (the dispatcher tick sends them)."""
    with session_scope(engine) as session:
        return plan_digests(session=session, now=utcnow(), settings=settings)


def sweep(*, engine: Engine, settings: Settings) -> PlanStats:
    """Cancel reminders whose deadline passed or moved, replan open notices, catch up on digests."""
    with session_scope(engine) as session:
        stats = sweep_outbox(session=session, now=utcnow(), settings=settings)
    with session_scope(engine) as session:  # delivery-record retention (issue 16, item 20)
        purge_deliveries(session=session, now=utcnow(), retention_days=settings.delivery_retention_days)
        purge_test_sends(session=session, now=utcnow())  # test results are read within minutes
    if stats.inserted or stats.cancelled:
        log.info("sweep: %s", stats)
    return stats


def fold_counts(*, engine: Engine) -> int:
    """Add new notices' verdicts to each company's counts (the dashboard's), off matching's path."""
    with session_scope(engine) as session:
        folded = fold_pending_counts(session)
    if folded:
        log.info("counts: %d notices added", folded)
    return folded
