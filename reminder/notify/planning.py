"""Which reminders a company should get, and when: pure functions of the facts and ``now``.

    (company, deadline, verdict, channels, now) ─ plan_deadline ─┬─ "before" at each offset (14, 7, 3, 1, 0 days)
                                                                 │    at reminder_hour, moved back to a working day,
                                                                 │    never at or after the deadline itself
                                                                 └─ "new_call" now, when offsets were missed and the
                                                                      channel was never reminded of this deadline
    (old deadline → new deadline, reminded channels) ─ plan_change ── one "changed" message per channel
    (company digest choice, now, number of items) ──── plan_digest ── one "digest" per channel per slot

Nothing here reads the database or the clock: the outbox (``reminder.notify.outbox``) turns the plans
into rows, and a plan's ``key`` makes planning twice harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reminder.calendar import TZ, is_workday

__all__ = [
    "PLANNED_KINDS",
    "CONCERNED",
    "DIGEST_GRACE",
    "DeadlineFacts",
    "PlannedReminder",
    "concerns",
    "days_left",
    "message_id",
    "previous_workday",
    "offset_times",
    "plan_deadline",
    "plan_change",
    "digest_slot",
    "plan_digest",
]

#: deadline kinds that get reminders ("recommendation": the local department's earlier cutoff)
PLANNED_KINDS: tuple[str, ...] = ("application", "materials", "window_open", "recommendation")
#: verdicts that make a notice concern a company ("possible" is an older spelling of possibly_eligible)
CONCERNED: tuple[str, ...] = ("eligible", "possibly_eligible", "possible")
#: a digest slot missed (worker down) is still sent this long afterwards, then skipped
DIGEST_GRACE = dt.timedelta(days=1)


@dataclass(frozen=True)
class DeadlineFacts:
    """What planning needs to know about one stored deadline."""

    id: int
    notice_id: int
    #: application, recommendation, materials, window_open or other
    kind: str
    #: the instant it passes; None while to be announced
    at: dt.datetime | None
    to_be_announced: bool = False
    #: False once a newer version of the notice moved or dropped it
    active: bool = True


@dataclass(frozen=True)
class PlannedReminder:
    """One message to one channel at one instant; ``key`` is its identity in the outbox."""

    key: str
    #: before, new_call, changed or digest
    purpose: str
    company_id: int
    channel_id: int
    due_at: dt.datetime
    notice_id: int | None = None
    deadline_id: int | None = None
    #: days before the deadline (``before`` only)
    offset: int | None = None
    #: whole days from the day it goes out to the deadline's day
    days_left: int | None = None
    #: the deadline this one replaced (``changed`` only)
    previous_deadline_id: int | None = None

    @property
    def message_id(self) -> str:
        return message_id(self.key)


def message_id(key: str) -> str:
    """The stable id every attempt of a reminder carries (webhook-id, Message-ID).

    >>> message_id("before:1:2:7:3")
    'rem_8b126b03b1f7c1af9ddd7452'
    """
    return "rem_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def concerns(verdict: str | None, deadline: DeadlineFacts) -> bool:
    """Whether a deadline gets reminders for a company with this verdict on its notice."""
    return (
        verdict in CONCERNED
        and deadline.active
        and deadline.kind in PLANNED_KINDS
        and not deadline.to_be_announced
        and deadline.at is not None
    )


def days_left(deadline_at: dt.datetime, on: dt.datetime, tz: ZoneInfo = TZ) -> int:
    """Calendar days from the local day of ``on`` to the local day of the deadline.

    >>> days_left(dt.datetime(2025, 3, 10, 17, tzinfo=TZ), dt.datetime(2025, 3, 3, 9, tzinfo=TZ))
    7
    """
    return (deadline_at.astimezone(tz).date() - on.astimezone(tz).date()).days


def previous_workday(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the last working day before it (调休 Saturdays count).

    >>> previous_workday(dt.date(2025, 10, 3))  # 国庆
    datetime.date(2025, 9, 30)
    """
    while not is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def offset_times(
    deadline_at: dt.datetime, offsets: Iterable[int], *, hour: int, tz: ZoneInfo = TZ
) -> tuple[tuple[int, dt.datetime], ...]:
    """When each offset's reminder goes out, earliest first.

    Each goes out at ``hour``:00 local time, ``offset`` days before the deadline's day, moved back to
    a working day. One that would go out at or after the deadline is dropped; two that land on the
    same instant keep the smaller offset.

    Args:
        deadline_at: the instant the deadline passes.
        offsets: days before the deadline (0 = on the day).
        hour: local hour of day.
        tz: the local time zone.

    Returns:
        ``(offset, due_at)`` pairs.

    >>> [(o, t.isoformat()) for o, t in offset_times(dt.datetime(2025, 10, 9, 17, tzinfo=TZ), [7, 0], hour=9)]
    [(7, '2025-09-30T09:00:00+08:00'), (0, '2025-10-09T09:00:00+08:00')]
    """
    deadline_day = deadline_at.astimezone(tz).date()
    by_time: dict[dt.datetime, int] = {}
    for offset in sorted({o for o in offsets if o >= 0}, reverse=True):
        day = previous_workday(deadline_day - dt.timedelta(days=offset))
        due = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
        if due < deadline_at:
            by_time[due] = offset  # later (smaller) offsets overwrite: the closer reminder wins
    return tuple((by_time[t], t) for t in sorted(by_time))


def _before_key(company_id: int, deadline_id: int, offset: int, channel_id: int) -> str:
    return f"before:{company_id}:{deadline_id}:{offset}:{channel_id}"


def _for_deadline(
    key: str,
    purpose: str,
    company_id: int,
    channel_id: int,
    deadline: DeadlineFacts,
    due: dt.datetime,
    offset: int | None,
    tz: ZoneInfo,
) -> PlannedReminder:
    assert deadline.at is not None
    return PlannedReminder(
        key=key,
        purpose=purpose,
        company_id=company_id,
        channel_id=channel_id,
        due_at=due,
        notice_id=deadline.notice_id,
        deadline_id=deadline.id,
        offset=offset,
        days_left=days_left(deadline.at, due, tz),
    )


def plan_deadline(
    *,
    company_id: int,
    channel_ids: Sequence[int],
    offsets: Iterable[int],
    deadline: DeadlineFacts,
    verdict: str | None,
    now: dt.datetime,
    hour: int,
    covered: frozenset[int] = frozenset(),
    tz: ZoneInfo = TZ,
) -> tuple[PlannedReminder, ...]:
    """The reminders one company gets for one deadline, on each of its channels.

    Args:
        company_id: the company.
        channel_ids: its enabled channels.
        offsets: its reminder offsets (days before).
        deadline: the deadline.
        verdict: the company's verdict on the notice (eligible, possibly_eligible, not_eligible, None).
        now: the planning instant.
        hour: local hour reminders go out (settings.reminder_hour).
        covered: channels that already have (or had) a reminder for this deadline: missed offsets
            are then just missed, no "new call" is added.
        tz: the local time zone.

    Returns:
        "before" reminders for the offsets still ahead; plus one immediate "new_call" per uncovered
        channel when some offsets are already past. Nothing once the deadline has passed.
    """
    if not concerns(verdict, deadline) or deadline.at is None or deadline.at <= now:
        return ()
    times = offset_times(deadline.at, offsets, hour=hour, tz=tz)
    ahead = [(o, t) for o, t in times if t > now]
    missed = len(ahead) < len(times)
    plans: list[PlannedReminder] = []
    for channel_id in channel_ids:
        if missed and channel_id not in covered:
            key = f"new_call:{company_id}:{deadline.id}:{channel_id}"
            plans.append(_for_deadline(key, "new_call", company_id, channel_id, deadline, now, None, tz))
        for offset, due in ahead:
            key = _before_key(company_id, deadline.id, offset, channel_id)
            plans.append(_for_deadline(key, "before", company_id, channel_id, deadline, due, offset, tz))
    return tuple(plans)


def plan_change(
    *,
    company_id: int,
    channel_ids: Sequence[int],
    old_deadline_id: int,
    new: DeadlineFacts,
    verdict: str | None,
    now: dt.datetime,
    tz: ZoneInfo = TZ,
) -> tuple[PlannedReminder, ...]:
    """One "deadline changed: old → new" message per channel that was reminded of the old deadline.

    Args:
        company_id: the company.
        channel_ids: its enabled channels that were sent a reminder for the old deadline.
        old_deadline_id: the deadline that moved.
        new: the deadline that replaced it.
        verdict: the company's verdict on the notice.
        now: the planning instant (the message is due at once).
        tz: the local time zone.

    Returns:
        Nothing when the new deadline no longer concerns the company or has passed.
    """
    if not concerns(verdict, new) or new.at is None or new.at <= now:
        return ()
    left = days_left(new.at, now, tz)
    return tuple(
        PlannedReminder(
            key=f"changed:{company_id}:{old_deadline_id}:{new.id}:{channel_id}",
            purpose="changed",
            company_id=company_id,
            channel_id=channel_id,
            notice_id=new.notice_id,
            deadline_id=new.id,
            due_at=now,
            days_left=left,
            previous_deadline_id=old_deadline_id,
        )
        for channel_id in channel_ids
    )


def _slot(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


def digest_slot(
    *, digest: str, now: dt.datetime, hour: int, weekday: int, tz: ZoneInfo = TZ
) -> dt.datetime | None:
    """The latest digest instant at or before ``now``, if it is recent enough to send.

    Daily digests go out on working days, weekly ones on ``weekday`` (0 = Monday), both at
    ``hour``:00 local time. A slot older than :data:`DIGEST_GRACE` is skipped (the next one comes).

    Args:
        digest: the company's choice: daily, weekly or off.
        now: the planning instant.
        hour: local hour (settings.reminder_hour).
        weekday: the weekly digest's weekday (settings.digest_weekday).
        tz: the local time zone.

    Returns:
        The slot, or None ("off", or no slot within the grace period).

    >>> digest_slot(digest="weekly", now=dt.datetime(2025, 3, 4, 8, tzinfo=TZ), hour=9, weekday=0).isoformat()
    '2025-03-03T09:00:00+08:00'
    """
    if digest not in ("daily", "weekly"):
        return None
    today = now.astimezone(tz).date()
    for back in range(8):
        day = today - dt.timedelta(days=back)
        wanted = is_workday(day) if digest == "daily" else day.weekday() == weekday
        slot = _slot(day, hour, tz)
        if wanted and slot <= now:
            return slot if now - slot <= DIGEST_GRACE else None
    return None


def plan_digest(
    *,
    company_id: int,
    channel_ids: Sequence[int],
    digest: str,
    now: dt.datetime,
    hour: int,
    weekday: int,
    items: int,
    tz: ZoneInfo = TZ,
) -> tuple[PlannedReminder, ...]:
    """One digest per channel for the current slot; none when it would list nothing.

    Args:
        company_id: the company.
        channel_ids: its enabled channels.
        digest: daily, weekly or off.
        now: the planning instant.
        hour: local hour (settings.reminder_hour).
        weekday: weekly digest weekday (settings.digest_weekday).
        items: how many open matched notices the digest would list.
        tz: the local time zone.

    Returns:
        The digests, due at once (their slot has come); keyed by the slot's local day.
    """
    slot = digest_slot(digest=digest, now=now, hour=hour, weekday=weekday, tz=tz)
    if slot is None or items <= 0:
        return ()
    day = slot.date().isoformat()
    return tuple(
        PlannedReminder(
            key=f"digest:{company_id}:{channel_id}:{day}",
            purpose="digest",
            company_id=company_id,
            channel_id=channel_id,
            due_at=slot,
        )
        for channel_id in channel_ids
    )
