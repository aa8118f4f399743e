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
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from icalendar import Calendar, Timezone, vDuration

from reminder.config import Settings
from reminder.db.models import Company, DeadlineRow, NoticeRow
from reminder.matching import company_verdicts
from reminder.matching.company_view import Shared
from reminder.notify.facts_lines import fact_lines, row_facts_json
from reminder.notify.links import view_url
from reminder.notify.planning import offset_times
from reminder.rules import manual_item_zh
from reminder.web.company.common import TZ, request_now
from reminder.web.company.output_cache import cached_output, notice_parts
from reminder.web.company.views import deadline_text, kind_label, status_label
from reminder.web.deps import CompanyDep, SessionDep, SettingsDep

__all__ = ["router", "calendar_text", "CALENDAR_STATUSES", "REFRESH", "vtimezone"]

router = APIRouter(tags=["calendar"])

#: verdicts whose deadlines go into the feed
CALENDAR_STATUSES: frozenset[str] = frozenset({"eligible", "possibly_eligible"})
#: how often subscribers should fetch the feed again
REFRESH = dt.timedelta(hours=6)
#: a timed deadline is shown as the half hour before it
_TIMED_SPAN = dt.timedelta(minutes=30)
#: parts kept in ``notice_parts`` beyond which alarms are written afresh (~2 per deadline otherwise)
_MAX_PARTS = 50_000


def _host(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "reminder.localhost"


def _description(item: Any, deadline: DeadlineRow, link: str, facts: Sequence[str]) -> str:
    lines = [
        f"资格判断：{status_label(item.status)}",
        f"时间：{deadline_text(deadline)}（{kind_label(deadline.kind)}）",
    ]
    if deadline.batch:
        lines.append(f"批次：{deadline.batch}")
    # issue 13: the top benefit, how to apply and the first contact, as in every reminder
    lines += facts
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


def _facts(notice: NoticeRow) -> list[str]:
    return [f"{fact.label}：{fact.text}" for fact in fact_lines(row_facts_json(notice))]


def _summary(item: Any, deadline: DeadlineRow) -> str:
    mark = "【开始】" if deadline.kind == "window_open" else "【截止】"
    batch = f"·{deadline.batch}" if deadline.batch else ""
    return f"{mark}{item.notice.title}（{kind_label(deadline.kind)}{batch}）"


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says (icalendar's escaping, in its order)."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: bytes) -> bytes:
    """A content line (UTF-8) folded into pieces of at most 74 octets, never inside a character nor
    right after a backslash or caret (icalendar's folding, so the feed reads the same to calendar apps)."""
    if len(line) < 75:
        return line
    folded, rest = _fold_start(line)
    return folded + rest


def _fold_start(line: bytes) -> tuple[bytes, bytes]:
    """The pieces of ``_fold(line + anything)`` that ``line`` alone decides, each followed by the fold,
    and the rest of ``line``: a piece is cut by the 75 octets from its start, all in ``line``."""
    pieces = []
    start = 0
    while len(line) - start >= 75:
        end = start + 74
        while line[end] & 0xC0 == 0x80:  # a continuation byte: the piece ends before its character
            end -= 1
        if line[end - 1] in b"\\^" and end - 1 > start:  # keep an escape with what it escapes
            end -= 1
        pieces.append(line[start:end] + b"\r\n ")
        start = end
    return b"".join(pieces), line[start:]


def _fold_end(rest: bytes, end: bytes, kept: dict[int, bytes]) -> bytes:
    """``_fold(rest + end)`` for the rest of a line that ``_fold_start`` left (under 75 octets), with
    ``end`` folded once per length of ``rest`` (in ``kept``): where ``end`` is cut depends on that length
    alone, unless ``rest`` ends with an escape, which a cut right after it would split."""
    if rest.endswith((b"\\", b"^")):
        return _fold(rest + end)
    tail = kept.get(len(rest))
    if tail is None:
        tail = kept[len(rest)] = _fold(b"x" * len(rest) + end)[len(rest) :]
    return rest + tail


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _alarms(deadline_at: dt.datetime, offsets: Sequence[int], *, hour: int) -> list[str]:
    """One DISPLAY alarm per pushed reminder, at the same instant (absolute, UTC)."""
    lines = []
    for days, due in offset_times(deadline_at, offsets, hour=hour, tz=TZ):
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{'申报截止提醒' if days else '今天截止'}",
            f"TRIGGER;VALUE=DATE-TIME:{_utc(due)}",
            "END:VALARM",
        ]
    return lines


def _written(lines: Sequence[str]) -> bytes:
    """Content lines as served: folded, each ended by CRLF."""
    return b"".join(_fold(line.encode()) + b"\r\n" for line in lines)


def _span(deadline: DeadlineRow) -> list[str]:
    assert deadline.date is not None
    if deadline.time is None:
        day = deadline.date
        return [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}"]
    end = dt.datetime.combine(deadline.date, deadline.time, tzinfo=TZ)
    zone = f"DTSTART;TZID={TZ.key}:{end - _TIMED_SPAN:%Y%m%dT%H%M%S}"
    return [zone, f"DTEND;TZID={TZ.key}:{end:%Y%m%dT%H%M%S}"]


@dataclass(frozen=True)
class _Feed:
    """What one company's feed puts in every event."""

    offsets: tuple[int, ...]
    hour: int
    #: ``URL:{link}`` as written, and the link itself
    url: bytes
    link: str
    #: the description's last line (escaped, after its line break), and the UID after the deadline's id
    detail_line: bytes
    uid_tail: bytes
    #: the alarms by deadline instant (``parts`` has them by offsets too)
    alarms: dict[dt.datetime, bytes] = field(default_factory=dict)
    #: ``detail_line`` folded after a line's rest, by the rest's length (``_fold_end``)
    ends: dict[int, bytes] = field(default_factory=dict)


def _lines(lines: Sequence[str]) -> str | None:
    """Description lines escaped and joined as ``_text`` escapes them joined by newlines; None when a
    line ends with a carriage return (``_text`` reads it with the newline after it as one line break)."""
    if any(line.endswith("\r") for line in lines):
        return None
    return "\\n".join(_text(line) for line in lines)


#: descriptions' starts kept per deadline (companies' missing fields vary: the common ones come first)
_STARTS_KEPT = 16


@dataclass(frozen=True)
class _Dated:
    """What a dated deadline's events share, whichever company's feed they are in."""

    #: BEGIN:VEVENT … DTSTAMP, and LAST-MODIFIED with TRANSP, as written
    head: bytes
    mid: bytes
    #: ``UID:deadline-{id}`` (digits need no escaping; the company's part follows)
    uid: bytes
    at: dt.datetime | None
    timed: bool
    #: per verdict: the description's lines before the company's own, and after them (escaped)
    tops: dict[str, tuple[str | None, str | None]]
    #: per verdict and company lines (``_checks``): ``_fold_start`` of the description but its link
    starts: dict[tuple[str, str], tuple[bytes, bytes]]


def _dated(item: Any, deadline: DeadlineRow) -> _Dated | None:
    if deadline.date is None or deadline.to_be_announced:
        return None
    stamp = _utc(item.notice.updated_at)
    lines = ["BEGIN:VEVENT", f"SUMMARY:{_text(_summary(item, deadline))}", *_span(deadline)]
    return _Dated(
        _written([*lines, f"DTSTAMP:{stamp}"]),
        _written([f"LAST-MODIFIED:{stamp}", "TRANSP:TRANSPARENT"]),
        f"UID:deadline-{deadline.id}".encode(),
        deadline.at,
        deadline.time is not None,
        {},
        {},
    )


def _top(item: Any, deadline: DeadlineRow, parts: dict[Hashable, Any]) -> tuple[str | None, str | None]:
    """The description's lines of the verdict, the deadline and the notice's facts, and those of the
    deadline's quote and the notice's issuer, each escaped (None: written whole, see ``_lines``)."""
    facts = parts.get(("ical-facts", item.notice.id))
    if facts is None:
        facts = parts[("ical-facts", item.notice.id)] = _facts(item.notice)
    lines = [
        f"资格判断：{status_label(item.status)}",
        f"时间：{deadline_text(deadline)}（{kind_label(deadline.kind)}）",
    ]
    if deadline.batch:
        lines.append(f"批次：{deadline.batch}")
    after = [f"原文：{deadline.quote}"] if deadline.quote else []
    if item.notice.issuer:
        after.append(f"发布单位：{item.notice.issuer}")
    return _lines([*lines, *facts]), _lines(after)


def _checks(item: Any) -> str | None:
    """The description's lines of the company's missing fields and manual checks, escaped."""
    said = [f"请补充企业信息：{'、'.join(item.missing)}"] if item.missing else []
    said += [f"需人工确认：{manual_item_zh(result)}" for result in item.manual]
    return _lines(said)


def _event(
    item: Any,
    deadline: DeadlineRow,
    dated: _Dated,
    feed: _Feed,
    parts: dict[Hashable, Any],
    checks: str | None,
) -> bytes:
    """The VEVENT as served (its properties in icalendar's order).

    What depends on the notice or the deadline alone (``_Dated``: the lines up to DTSTAMP, most of the
    description) and the alarms (the same for every deadline at one instant and every company with the
    same offsets) are kept in ``parts``: written once, they are most of a feed's cost.
    """
    top = dated.tops.get(item.status)
    if top is None:
        top = dated.tops[item.status] = _top(item, deadline, parts)
    head, tail = top
    if head is not None and tail is not None and checks is not None:
        # all but the link is the same for companies with the same checks: written once (``_fold_start``)
        said = (item.status, checks)
        start = dated.starts.get(said)
        if start is None:
            text = "\\n".join([piece for piece in (head, checks, tail) if piece])
            folded, rest = _fold_start(f"DESCRIPTION:{text}".encode())
            start = (_status_line(item.status) + folded, rest)
            if len(dated.starts) < _STARTS_KEPT:
                dated.starts[said] = start
        lead, rest = start
        description = lead + _fold_end(rest, feed.detail_line, feed.ends)
    else:  # a line ending in a carriage return: written whole
        text = _text(_description(item, deadline, feed.link, _facts(item.notice)))
        description = _status_line(item.status) + _fold(f"DESCRIPTION:{text}".encode())
    alarms = b""
    if dated.at is not None:
        alarms = feed.alarms.get(dated.at, b"")
        if not alarms:
            key = ("ical-alarms", dated.at, feed.offsets, feed.hour)
            alarms = parts.get(key, b"")
            if not alarms:
                alarms = _written(_alarms(dated.at, feed.offsets, hour=feed.hour))
                if len(parts) < _MAX_PARTS:  # companies' own offsets could otherwise add up without end
                    parts[key] = alarms
            feed.alarms[dated.at] = alarms
    uid = dated.uid + feed.uid_tail
    return b"".join([
        dated.head, uid if len(uid) < 75 else _fold(uid), b"\r\n", description, b"\r\n",
        dated.mid, feed.url, alarms, b"END:VEVENT\r\n",
    ])  # fmt: skip


def _status_line(status: str) -> bytes:
    return _CATEGORIES.get(status) or _written([f"CATEGORIES:{_text(status_label(status))}"])


def _deadlines(item: Any, parts: dict[Hashable, Any]) -> list[tuple[DeadlineRow, _Dated]]:
    """The notice's dated deadlines with what their events share (made once per notices' version)."""
    key = ("ical-dated", item.notice.id)
    found = parts.get(key)
    if found is None:
        found = parts[key] = [(d, made) for d in item.deadlines if (made := _dated(item, d)) is not None]
    assert isinstance(found, list)
    return found


#: each verdict's CATEGORIES line as written
_CATEGORIES = {s: _written([f"CATEGORIES:{_text(status_label(s))}"]) for s in CALENDAR_STATUSES}


def _head(company: Company) -> Calendar:
    """The calendar's own properties (written by icalendar: a handful, once per feed)."""
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
    return cal


def _feed(company: Company, settings: Settings) -> _Feed:
    """What the company's feed puts in every event."""
    link = view_url(company.id or 0, company.view_salt, settings)
    return _Feed(
        tuple(company.reminder_offsets or []), settings.reminder_hour, _written([f"URL:{link}"]), link,
        f"\\n{_text(f'详情：{link}')}".encode(), _text(f"-company-{company.id}@{_host(settings)}").encode(),
    )  # fmt: skip


def calendar_text(
    company: Company, items: Sequence[Any], settings: Settings, parts: dict[Hashable, Any] | None = None
) -> bytes:
    """The feed for one company, as the bytes served.

    The events are written here, line by line: the icalendar library spent ~1 ms of CPU on each of a
    thousand events (components, typed properties, sorting). The calendar's head and the VTIMEZONE
    still come from icalendar; tests/web/test_ical.py reads the whole feed back with it.

    Args:
        company: the company (name, reminder offsets).
        items: its MatchViews; those eligible or possibly eligible contribute their deadlines.
        settings: base URL (links, UID host) and the local reminder hour (all-day alarms).
        parts: what is written of the notices alone, kept for other companies (``notice_parts``).
    """
    kept = parts if parts is not None else {}
    feed = _feed(company, settings)
    events: list[bytes] = []
    timed = False
    said: dict[int, str | None] = {}  # the company's own lines come from the verdict, which notices share
    for item in items:
        if item.status not in CALENDAR_STATUSES:
            continue
        dated = _deadlines(item, kept)
        checks = None
        if dated:
            if id(item.verdict) not in said:
                said[id(item.verdict)] = _checks(item)
            checks = said[id(item.verdict)]
        for deadline, shared in dated:
            events.append(_event(item, deadline, shared, feed, kept, checks))
            timed = timed or shared.timed
    head = _head(company).to_ical()
    assert head.endswith(b"END:VCALENDAR\r\n")
    zone = vtimezone(TZ.key) if timed else None  # all-day events and UTC alarms need none
    return b"".join([head[: -len(b"END:VCALENDAR\r\n")], zone or b"", *events, b"END:VCALENDAR\r\n"])


@functools.cache
def vtimezone(tzid: str) -> bytes | None:
    """The VTIMEZONE of a zone as written, built once per process (``add_missing_timezones`` rebuilt
    Asia/Shanghai on every request: a third of the feed's time); None for a zone icalendar does not know."""
    try:
        zone: bytes = Timezone.from_tzid(tzid).to_ical()
    except ValueError:
        return None
    return zone


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
    now = request_now(request)

    def fresh(shared: Shared) -> bytes:
        found = company_verdicts(
            session=session, company_id=company.id or 0, now=now, include_past=True, shared=shared
        )
        # only these contribute events: the rest are not made into MatchViews
        listed = [i for i in found.listed() if found.statuses[i] in CALENDAR_STATUSES]
        return calendar_text(company, found.views(listed), settings, notice_parts(request, shared.version))

    # kept until the company, the notices or the day change (output_cache.py): apps poll it
    body = cached_output(request, session, company, now, "ical", fresh)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="reminder.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )
