"""Prometheus text exposition (format 0.0.4), written by hand: counts read from the database.

    collect(session, scheduler_running) ─ one query per family ─ [Family] ─ render() ─ text

Families: reminder_notices{status}, reminder_companies, reminder_matches{status} (eligible and possibly
eligible, from ``match_counts``),
reminder_reminders{status}, reminder_deliveries_total{ok}, reminder_delivery_latency_seconds
(histogram over every recorded attempt), reminder_scheduler_running, reminder_up and
reminder_holiday_data_missing{year} (1 for a planning year counted Monday–Friday for lack of data),
reminder_sources_flagged (watched sources an operator should look at) and
reminder_source_failures{source} (failed polls in a row, per source id).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from reminder.db.match_counts import COUNTED
from reminder.db.models import (
    NOTICE_STATUSES,
    REMINDER_STATUSES,
    Company,
    Delivery,
    Match,
    MatchCount,
    MatchCountPending,
    NoticeRow,
    Reminder,
)
from reminder.db.source_models import SourceRow
from reminder.holidays import covered
from reminder.notify.outbox import planning_years
from reminder.notify.test_sends import REAL_DELIVERY, REAL_REMINDER

__all__ = ["CONTENT_TYPE", "LATENCY_BUCKETS", "Family", "collect", "render", "down"]

#: the Content-Type Prometheus expects for this format
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: histogram bucket bounds, seconds (webhooks and SMTP: tens of ms to the 10 s timeout)
LATENCY_BUCKETS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Family:
    """One metric family: name, type, help and its samples (suffix, labels, value)."""

    name: str
    kind: str
    help: str
    samples: list[tuple[str, Labels, float]] = field(default_factory=list)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(families: Iterable[Family]) -> str:
    """The exposition text: ``# HELP``, ``# TYPE``, then one line per sample."""
    lines: list[str] = []
    for fam in families:
        lines += [f"# HELP {fam.name} {fam.help}", f"# TYPE {fam.name} {fam.kind}"]
        for suffix, labels, value in fam.samples:
            text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
            lines.append(f"{fam.name}{suffix}{'{' + text + '}' if text else ''} {_number(value)}")
    return "\n".join(lines) + "\n"


def _by_status(session: Session, column: Any, statuses: Sequence[str], *where: Any) -> dict[str, int]:
    rows = session.exec(select(column, func.count()).where(*where).group_by(column)).all()
    counts = dict.fromkeys(statuses, 0)
    counts.update({str(status): int(n) for status, n in rows})
    return counts


def _matches(session: Session) -> dict[str, int]:
    """Eligible and possibly eligible verdicts, summed from the counts matching keeps per company
    (``match_counts``): counting every match row took ~20 ms per scrape at 200,000 matches. New notices
    whose counts are not added yet (``match_counts_pending``) are counted from their matches (a scrape
    writes nothing)."""
    eligible, possible = session.exec(
        select(
            func.coalesce(func.sum(MatchCount.eligible), 0), func.coalesce(func.sum(MatchCount.possible), 0)
        )
    ).one()
    queued = select(MatchCountPending.notice_id)
    is_eligible = col(Match.status) == "eligible"
    owed_eligible, owed_possible = session.exec(
        select(
            func.coalesce(func.sum(sa.case((is_eligible, 1), else_=0)), 0),
            func.coalesce(func.sum(sa.case((is_eligible, 0), else_=1)), 0),
        ).where(col(Match.notice_id).in_(queued), col(Match.status).in_(COUNTED))
    ).one()
    eligible += owed_eligible
    possible += owed_possible
    return {"eligible": int(eligible), "possibly_eligible": int(possible)}


def _labelled(name: str, kind: str, help: str, label: str, counts: dict[str, int]) -> Family:
    return Family(name, kind, help, [("", ((label, key),), float(n)) for key, n in sorted(counts.items())])


def _latency(session: Session) -> Family:
    seconds = col(Delivery.latency_ms) / 1000.0
    known = sa.and_(col(Delivery.latency_ms).is_not(None), REAL_DELIVERY)  # test sends are no deliveries
    buckets = [func.coalesce(func.sum(sa.case((seconds <= le, 1), else_=0)), 0) for le in LATENCY_BUCKETS]
    row: tuple[Any, ...] = tuple(
        session.exec(select(func.count(), func.coalesce(func.sum(seconds), 0.0), *buckets).where(known)).one()
    )
    count, total = float(row[0]), float(row[1] or 0.0)
    cumulative = [float(n or 0) for n in row[2:]]
    fam = Family(
        "reminder_delivery_latency_seconds", "histogram", "Time each delivery attempt took, seconds."
    )
    for le, n in zip(LATENCY_BUCKETS, cumulative, strict=True):
        fam.samples.append(("_bucket", (("le", _number(le)),), n))
    fam.samples.extend([("_bucket", (("le", "+Inf"),), count), ("_sum", (), total), ("_count", (), count)])
    return fam


def _holidays(session: Session, now: dt.datetime) -> Family:
    fam = Family(
        "reminder_holiday_data_missing", "gauge",
        "1 for a year reminders are planned in without official holiday data (Monday-Friday fallback).",
    )  # fmt: skip
    for year in planning_years(session=session, now=now):
        fam.samples.append(("", (("year", str(year)),), 0.0 if covered(year) else 1.0))
    return fam


def _sources(session: Session) -> list[Family]:
    rows = session.exec(
        select(SourceRow.id, SourceRow.consecutive_failures, SourceRow.flagged).order_by(col(SourceRow.id))
    ).all()
    flagged = Family(
        "reminder_sources_flagged", "gauge",
        "Watched sources flagged for an operator (failing, or the list template probably changed).",
        [("", (), float(sum(1 for _, _, flag in rows if flag)))],
    )  # fmt: skip
    failures = Family(
        "reminder_source_failures", "gauge", "Failed polls in a row, per watched source id.",
        [("", (("source", str(i)),), float(n)) for i, n, _ in rows],
    )  # fmt: skip
    return [flagged, failures]


def collect(session: Session, *, scheduler_running: bool, now: dt.datetime | None = None) -> list[Family]:
    """Read every family from the database.

    Args:
        session: a session on the service's database.
        scheduler_running: whether the app's scheduler is running.
        now: the current instant (default: the clock), for the holiday data years.

    Returns:
        The families, ready for :func:`render`.
    """
    companies = session.exec(select(func.count()).select_from(Company)).one()
    delivered = session.exec(
        select(col(Delivery.ok), func.count()).where(REAL_DELIVERY).group_by(col(Delivery.ok))
    ).all()
    deliveries = {"true": 0, "false": 0} | {("true" if ok else "false"): int(n) for ok, n in delivered}
    return [
        Family("reminder_up", "gauge", "1 when the database can be read.", [("", (), 1.0)]),
        _labelled(
            "reminder_notices",
            "gauge",
            "Notices stored, by status.",
            "status",
            _by_status(session, NoticeRow.status, NOTICE_STATUSES),
        ),
        Family("reminder_companies", "gauge", "Companies registered.", [("", (), float(companies))]),
        _labelled(
            "reminder_matches",
            "gauge",
            "Company-notice verdicts that concern the company (eligible, possibly eligible), by status.",
            "status",
            _matches(session),
        ),
        _labelled(
            "reminder_reminders",
            "gauge",
            "Reminders in the outbox, by status.",
            "status",
            _by_status(session, Reminder.status, REMINDER_STATUSES, REAL_REMINDER),
        ),
        _labelled("reminder_deliveries_total", "counter", "Delivery attempts, by outcome.", "ok", deliveries),
        _latency(session),
        _holidays(session, now or dt.datetime.now(dt.UTC)),
        *_sources(session),
        Family(
            "reminder_scheduler_running",
            "gauge",
            "1 when the scheduler runs in this process.",
            [("", (), 1.0 if scheduler_running else 0.0)],
        ),
    ]


def down(*, scheduler_running: bool) -> list[Family]:
    """What can be said when the database cannot be read."""
    return [
        Family("reminder_up", "gauge", "1 when the database can be read.", [("", (), 0.0)]),
        Family(
            "reminder_scheduler_running",
            "gauge",
            "1 when the scheduler runs in this process.",
            [("", (), 1.0 if scheduler_running else 0.0)],
        ),
    ]
