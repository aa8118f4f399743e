"""A company's deadlines as an iCalendar (RFC 5545) feed that calendar apps subscribe to.

    GET /c/{company_id}/calendar.ics?token=…

One VEVENT per dated deadline of every notice the company is eligible or possibly eligible for
(its description: verdict, time, the notice's top benefit, how to apply and first contact, quote, link):
an all-day event for a date-only deadline, or an event ending at the stated time (Asia/Shanghai, with
its VTIMEZONE). UIDs are stable (deadline id + company id), so a refresh updates events in place.
Alarms are the pushed reminders' instants (``planning.offset_times``: reminder_hour on the working day
each offset lands on), as absolute UTC triggers. Outlook, Apple Calendar, 钉钉 and 飞书 subscribe with a
plain GET, so the token travels in the URL (access logs redact it).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from reminder.config import Settings
from reminder.db.models import Company, DeadlineRow
from reminder.matching import company_matches
from reminder.notify.facts_lines import fact_lines, row_facts_json
from reminder.notify.links import view_url
from reminder.notify.planning import offset_times
from reminder.rules import manual_item_zh
from reminder.web.company.common import TZ, request_now
from reminder.web.company.views import deadline_text, kind_label, status_label
from reminder.web.deps import CompanyDep, SessionDep, SettingsDep

__all__ = ["router", "build_calendar", "CALENDAR_STATUSES", "REFRESH", "vtimezone"]

router = APIRouter(tags=["calendar"])

#: verdicts whose deadlines go into the feed
CALENDAR_STATUSES: frozenset[str] = frozenset({"eligible", "possibly_eligible"})
#: how often subscribers should fetch the feed again
REFRESH = dt.timedelta(hours=6)
#: a timed deadline is shown as the half hour before it
_TIMED_SPAN = dt.timedelta(minutes=30)


def _host(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "reminder.localhost"


def _description(item: Any, deadline: DeadlineRow, link: str) -> str:
    lines = [
        f"资格判断：{status_label(item.status)}",
        f"时间：{deadline_text(deadline)}（{kind_label(deadline.kind)}）",
    ]
    if deadline.batch:
        lines.append(f"批次：{deadline.batch}")
    # issue 13: the top benefit, how to apply and the first contact, as in every reminder
    lines += [f"{fact.label}：{fact.text}" for fact in fact_lines(row_facts_json(item.notice))]
    if item.missing:
        lines.append(f"请补充企业信息：{'、'.join(item.missing)}")
    for result in item.manual:
        lines.append(f"需人工确认：{manual_item_zh(result)}")
    if deadline.quote:
        lines.append(f"原文：{deadline.quote}")
    if item.notice.issuer:
        lines.append(f"发布单位：{item.notice.issuer}")
    lines.append(f"详情：{link}")
    return "\n".join(lines)


def _summary(item: Any, deadline: DeadlineRow) -> str:
    mark = "【开始】" if deadline.kind == "window_open" else "【截止】"
    batch = f"·{deadline.batch}" if deadline.batch else ""
    return f"{mark}{item.notice.title}（{kind_label(deadline.kind)}{batch}）"


def _alarms(deadline_at: dt.datetime, offsets: Sequence[int], *, hour: int) -> list[Alarm]:
    """One DISPLAY alarm per pushed reminder, at the same instant (absolute, UTC)."""
    alarms = []
    for days, due in offset_times(deadline_at, offsets, hour=hour, tz=TZ):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "申报截止提醒" if days else "今天截止")
        alarm.add("trigger", due.astimezone(dt.UTC), parameters={"VALUE": "DATE-TIME"})
        alarms.append(alarm)
    return alarms


def _event(item: Any, deadline: DeadlineRow, company: Company, settings: Settings) -> Event | None:
    if deadline.date is None or deadline.to_be_announced:
        return None
    link = view_url(company.id or 0, company.view_salt, settings)
    event = Event()
    event.add("uid", f"deadline-{deadline.id}-company-{company.id}@{_host(settings)}")
    event.add("dtstamp", item.notice.updated_at)
    event.add("last-modified", item.notice.updated_at)
    if deadline.time is None:
        event.add("dtstart", deadline.date)
        event.add("dtend", deadline.date + dt.timedelta(days=1))
    else:
        end = dt.datetime.combine(deadline.date, deadline.time, tzinfo=TZ)
        event.add("dtstart", end - _TIMED_SPAN)
        event.add("dtend", end)
    event.add("summary", _summary(item, deadline))
    event.add("description", _description(item, deadline, link))
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    event.add("categories", [status_label(item.status)])
    if deadline.at is not None:
        for alarm in _alarms(deadline.at, company.reminder_offsets or [], hour=settings.reminder_hour):
            event.add_component(alarm)
    return event


def build_calendar(company: Company, items: Sequence[Any], settings: Settings) -> Calendar:
    """The feed for one company.

    Args:
        company: the company (name, reminder offsets).
        items: its MatchViews; those eligible or possibly eligible contribute their deadlines.
        settings: base URL (links, UID host) and the local reminder hour (all-day alarms).

    Returns:
        A calendar with a VTIMEZONE for every zone its events use.
    """
    cal = Calendar()
    cal.add("prodid", "-//reminder//申报提醒//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"申报截止 · {company.name}")
    cal.add("x-wr-caldesc", "符合及可能符合条件的申报通知截止时间（申报提醒）")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for item in items:
        if item.status not in CALENDAR_STATUSES:
            continue
        for deadline in item.deadlines:
            event = _event(item, deadline, company, settings)
            if event is not None:
                cal.add_component(event)
    for index, tzid in enumerate(_zones(cal)):
        zone = vtimezone(tzid)
        if zone is not None:
            cal.subcomponents.insert(index, zone)
    return cal


def _zones(cal: Calendar) -> list[str]:
    """The zones the events' start times are in (alarms are in UTC, all-day events in none): what
    ``get_used_tzids`` finds by walking every property of every component, a fifth of the feed's time."""
    starts = (c.decoded("DTSTART") for c in cal.subcomponents if c.name == "VEVENT")
    return sorted({str(s.tzinfo) for s in starts if isinstance(s, dt.datetime) and s.tzinfo is not None})


@functools.cache
def vtimezone(tzid: str) -> Timezone | None:
    """The VTIMEZONE of a zone, built once per process (``add_missing_timezones`` rebuilt Asia/Shanghai
    on every request: a third of the feed's time); None for a zone icalendar does not know."""
    try:
        return Timezone.from_tzid(tzid)
    except ValueError:
        return None


@router.get(
    "/c/{company_id}/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "RFC 5545 feed"}},
)
def calendar_feed(
    company: CompanyDep, session: SessionDep, settings: SettingsDep, request: Request
) -> Response:
    """The company's eligible and possibly eligible deadlines as an iCalendar feed."""
    assert company.id is not None
    items = company_matches(
        session=session, company_id=company.id, now=request_now(request), include_past=True
    )
    body = build_calendar(company, items, settings).to_ical()
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="reminder.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )
