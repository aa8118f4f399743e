"""The reminder outbox: reminders are rows, planned ahead, claimed when due, every attempt recorded.

    planning (pure) ──▶ replan_notice / replan_company / plan_digests / sweep ──▶ reminders (pending)
    dispatcher ──▶ claim_due ──▶ send ──▶ record_attempt ──▶ sent │ pending (retry later) │ dead
    operators ──▶ list_dead / requeue
    test sends ──▶ ``test_sends.queue_test``: one attempt, sent at once, a failure is "failed" (not dead)

Keys make planning idempotent; claims with leases make sending survive crashes (see ``_claims``).
Functions taking a session flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import Session

from reminder.config import Settings
from reminder.errors import DataFileError
from reminder.holidays import reload_schedule
from reminder.notify._attempts import (
    backoff,
    list_dead,
    list_deliveries,
    list_reminders,
    record_attempt,
    record_attempts,
    requeue,
)
from reminder.notify._claims import (
    LEASE_NAME,
    claim_due,
    hold_lease,
    lease_seconds,
    release_lease,
    renew_claims,
)
from reminder.notify._coverage import planning_years, years_without_holidays
from reminder.notify._digests import plan_digests
from reminder.notify._outbox_rows import PlanStats
from reminder.notify._replan import (
    cancel_stale,
    replan_companies,
    replan_company,
    replan_notice,
    sweep_notices,
)

__all__ = [
    "LEASE_NAME",
    "PlanStats",
    "replan_notice",
    "replan_company",
    "replan_companies",
    "plan_digests",
    "cancel_stale",
    "sweep",
    "replan_calendar",
    "planning_years",
    "years_without_holidays",
    "claim_due",
    "hold_lease",
    "release_lease",
    "lease_seconds",
    "renew_claims",
    "record_attempt",
    "record_attempts",
    "backoff",
    "requeue",
    "list_dead",
    "list_reminders",
    "list_deliveries",
]

log = logging.getLogger(__name__)


def replan_calendar(*, session: Session, now: dt.datetime, settings: Settings) -> PlanStats:
    """Re-read the holiday table; when its days changed, move pending reminders to the new working days.

    Only reminders never tried are moved (same key: none is sent twice); those whose day did not
    change are left alone, so ``refreshed`` counts exactly the affected reminders.

    Raises:
        DataFileError: the table is invalid (the schedule in use is kept).
    """
    if not reload_schedule():
        return PlanStats()
    stats = sweep_notices(session=session, now=now, settings=settings)
    log.info("节假日安排已更新 / holiday schedule changed: %s", stats)
    return stats


def sweep(*, session: Session, now: dt.datetime, settings: Settings) -> PlanStats:
    """The periodic pass: cancel reminders whose deadline passed or moved, replan open notices, plan digests.

    Args:
        session: the session (flushed, not committed).
        now: the current instant.
        settings: reminder_hour, digest_weekday and the link base.

    Returns:
        What changed in the outbox.
    """
    try:  # an operator's new holiday table: the replanning below moves reminders off its holidays
        reload_schedule()
    except DataFileError as exc:  # keep planning on the schedule in use; the operator sees the error
        log.error("%s", exc)
    return sweep_notices(session=session, now=now, settings=settings) + plan_digests(
        session=session, now=now, settings=settings
    )
