"""A company's deadlines as an iCalendar (RFC 5545) feed that calendar apps subscribe to.

    GET /c/{company_id}/calendar.ics?token=…

One VEVENT per dated deadline of every notice the company is eligible or possibly eligible for
(its description: verdict, time, the notice's top benefit, how to apply and first contact, quote, link):
an all-day event for a date-only deadline, or an event ending at the stated time (Asia/Shanghai, with
its VTIMEZONE). UIDs are stable (deadline id + company id), so a refresh updates events in place.
Alarms are the pushed reminders' instants (``planning.offset_times``: reminder_hour on the working day
each offset lands on), as absolute UTC triggers. Outlook, Apple Calendar, 钉钉 and 飞书 subscribe with a
plain GET, so the token travels in the URL (access logs redact it).

A first visit writes few bytes of its own: each notice's events are one template per (notice, verdict,
company lines) shared by every company (``_Blocks``), filled with the company's UID tail and link by one
``%``; companies with the same verdict and lines on every notice share the whole feed's template
(``_Feeds``, ``calendar_of``). ``calendar_fields(…, blocks=False)`` writes each event on its own: the
reference tests/web/test_ical_blocks.py and test_ical_feeds.py compare both with.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from icalendar import Calendar, Timezone, vDuration

from reminder.config import Settings
from reminder.db.models import Company, DeadlineRow, NoticeRow
from reminder.matching import company_verdicts
from reminder.matching.company_verdicts import CompanyVerdicts
from reminder.matching.company_view import Shared
from reminder.notify.facts_lines import fact_lines, row_facts_json
from reminder.notify.links import view_url
from reminder.notify.planning import offset_times
from reminder.rules import manual_item_zh
from reminder.web.company.common import TZ, request_now
from reminder.web.company.ical_text import (
    escape,
    escaped_lines,
    fold,
    fold_end,
    fold_start,
    utc_stamp,
    written,
)
from reminder.web.company.output_cache import cached_output, notice_parts
from reminder.web.company.views import deadline_text, kind_label, status_label
from reminder.web.deps import CompanyDep, SessionDep, SettingsDep

__all__ = [
    "router",
    "calendar_text",
    "calendar_fields",
    "calendar_of",
    "CALENDAR_STATUSES",
    "REFRESH",
    "vtimezone",
]

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


def _alarms(deadline_at: dt.datetime, offsets: Sequence[int], *, hour: int) -> list[str]:
    """One DISPLAY alarm per pushed reminder, at the same instant (absolute, UTC)."""
    lines = []
    for days, due in offset_times(deadline_at, offsets, hour=hour, tz=TZ):
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{'申报截止提醒' if days else '今天截止'}",
            f"TRIGGER;VALUE=DATE-TIME:{utc_stamp(due)}",
            "END:VALARM",
        ]
    return lines


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
    #: ``detail_line`` folded after a line's rest, by the rest's length (``ical_text.fold_end``)
    ends: dict[int, bytes] = field(default_factory=dict)


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
    #: per verdict and company lines (``_checks``): ``ical_text.fold_start`` of the description but its link
    starts: dict[tuple[str, str], tuple[bytes, bytes]]


def _dated(item: Any, deadline: DeadlineRow) -> _Dated | None:
    if deadline.date is None or deadline.to_be_announced:
        return None
    stamp = utc_stamp(item.notice.updated_at)
    lines = ["BEGIN:VEVENT", f"SUMMARY:{escape(_summary(item, deadline))}", *_span(deadline)]
    return _Dated(
        written([*lines, f"DTSTAMP:{stamp}"]),
        written([f"LAST-MODIFIED:{stamp}", "TRANSP:TRANSPARENT"]),
        f"UID:deadline-{deadline.id}".encode(),
        deadline.at,
        deadline.time is not None,
        {},
        {},
    )


def _top(item: Any, deadline: DeadlineRow, parts: dict[Hashable, Any]) -> tuple[str | None, str | None]:
    """The description's lines of the verdict, the deadline and the notice's facts, and those of the
    deadline's quote and the notice's issuer, each escaped (None: written whole, see ``ical_text.escaped_lines``)."""
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
    return escaped_lines([*lines, *facts]), escaped_lines(after)


def _checks(item: Any) -> str | None:
    """The description's lines of the company's missing fields and manual checks, escaped."""
    return _checks_of(item.missing, item.manual)


def _start(
    item: Any, deadline: DeadlineRow, dated: _Dated, parts: dict[Hashable, Any], checks: str | None
) -> tuple[bytes, bytes] | None:
    """The event's CATEGORIES line with the description's pieces but its link folded (``ical_text.fold_start``),
    and the rest before the link: the same for companies with the same checks, so written once. None
    when a line ends in a carriage return (the description is written whole, ``ical_text.escaped_lines``)."""
    top = dated.tops.get(item.status)
    if top is None:
        top = dated.tops[item.status] = _top(item, deadline, parts)
    head, tail = top
    if head is None or tail is None or checks is None:
        return None
    said = (item.status, checks)
    start = dated.starts.get(said)
    if start is None:
        text = "\\n".join([piece for piece in (head, checks, tail) if piece])
        folded, rest = fold_start(f"DESCRIPTION:{text}".encode())
        start = (_status_line(item.status) + folded, rest)
        if len(dated.starts) < _STARTS_KEPT:
            dated.starts[said] = start
    return start


def _alarm_lines(dated: _Dated, feed: _Feed, parts: dict[Hashable, Any]) -> bytes:
    """The event's alarms as written: the same for every deadline at one instant and every company with
    the same offsets and hour (kept in ``parts``, and per feed)."""
    if dated.at is None:
        return b""
    alarms = feed.alarms.get(dated.at, b"")
    if not alarms:
        key = ("ical-alarms", dated.at, feed.offsets, feed.hour)
        alarms = parts.get(key, b"")
        if not alarms:
            alarms = written(_alarms(dated.at, feed.offsets, hour=feed.hour))
            if len(parts) < _MAX_PARTS:  # companies' own offsets could otherwise add up without end
                parts[key] = alarms
        feed.alarms[dated.at] = alarms
    return alarms


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
    start = _start(item, deadline, dated, parts, checks)
    if start is not None:
        lead, rest = start
        description = lead + fold_end(rest, feed.detail_line, feed.ends)
    else:  # a line ending in a carriage return: written whole
        text = escape(_description(item, deadline, feed.link, _facts(item.notice)))
        description = _status_line(item.status) + fold(f"DESCRIPTION:{text}".encode())
    uid = dated.uid + feed.uid_tail
    return b"".join([
        dated.head, uid if len(uid) < 75 else fold(uid), b"\r\n", description, b"\r\n",
        dated.mid, feed.url, _alarm_lines(dated, feed, parts), b"END:VEVENT\r\n",
    ])  # fmt: skip


def _status_line(status: str) -> bytes:
    return _CATEGORIES.get(status) or written([f"CATEGORIES:{escape(status_label(status))}"])


def _deadlines(item: Any, parts: dict[Hashable, Any]) -> list[tuple[DeadlineRow, _Dated]]:
    """The notice's dated deadlines with what their events share (made once per notices' version)."""
    key = ("ical-dated", item.notice.id)
    found = parts.get(key)
    if found is None:
        found = parts[key] = [(d, made) for d in item.deadlines if (made := _dated(item, d)) is not None]
    assert isinstance(found, list)
    return found


#: each verdict's CATEGORIES line as written
_CATEGORIES = {s: written([f"CATEGORIES:{escape(status_label(s))}"]) for s in CALENDAR_STATUSES}


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


def _name_line(name: str) -> bytes:
    # X-WR-CALNAME is an unknown property to icalendar: written verbatim (RFC 7265), not escaped
    return fold(f"X-WR-CALNAME:申报截止 · {name}".encode()) + b"\r\n"


@functools.cache
def _head_around() -> tuple[bytes, bytes]:
    """The calendar's head (``_head``) before and after its name's line, the same for every company."""
    head = _head(Company(name="\x00")).to_ical()
    before, found, after = head.partition(_name_line("\x00"))
    assert found and after.endswith(b"END:VCALENDAR\r\n"), "one name line, then the rest"
    return before, after[: -len(b"END:VCALENDAR\r\n")]


def _head_text(company: Company) -> bytes:
    """``_head`` as written, but END:VCALENDAR: only the name's line is the company's."""
    if "\n" in company.name:  # icalendar refuses it
        return bytes(_head(company).to_ical()[: -len(b"END:VCALENDAR\r\n")])
    before, after = _head_around()
    return before + _name_line(company.name) + after


def _feed(company: Company, settings: Settings) -> _Feed:
    """What the company's feed puts in every event."""
    link = view_url(company.id or 0, company.view_salt, settings)
    return _Feed(
        tuple(company.reminder_offsets or []), settings.reminder_hour, written([f"URL:{link}"]), link,
        f"\\n{escape(f'详情：{link}')}".encode(), escape(f"-company-{company.id}@{_host(settings)}").encode(),
    )  # fmt: skip


#: bytes of blocks (``_Blocks``) kept per notices' version and reminder offsets, beyond which notices
#: not yet kept are written event by event
_BLOCK_BYTES = 32 * 1024 * 1024


class _Blocks:
    """Each notice's events as one template, by (notice, verdict, company lines): what companies with the
    same reminder offsets and hour share of a notice's events, all but the company's UID tail and link.

    A template is for ``bytes % _Holes``: ``%(u)b`` takes the UID's tail, ``%(l)b`` the URL line and
    ``%(N)b`` the description's last line (the link) folded after a rest of N octets (``ical_text.fold_end``):
    where the link is cut depends on that length alone. A first visit so joins ~600 templates instead
    of writing ~1,100 events.
    """

    def __init__(self) -> None:
        #: by the notice row's id: the row, the template (None: see ``_block``), whether an event is timed,
        #: and the longest ``_Dated.uid``
        self.made: dict[tuple[int, str, str | None], tuple[NoticeRow, bytes | None, bool, int]] = {}
        self.size = 0


class _Holes(dict[bytes, bytes]):
    """What one company's feed puts in the holes of ``_Blocks`` templates (link lines made when asked)."""

    def __init__(self, feed: _Feed) -> None:
        super().__init__({b"u": feed.uid_tail, b"l": feed.url})
        self.feed = feed

    def __missing__(self, key: bytes) -> bytes:
        length = int(key)
        end = self[key] = fold_end(b"x" * length, self.feed.detail_line, self.feed.ends)[length:]
        return end


def _escaped(piece: bytes) -> bytes:
    return piece.replace(b"%", b"%%")


def _block(
    item: Any, feed: _Feed, parts: dict[Hashable, Any], checks: str | None
) -> tuple[bytes | None, bool, int]:
    """The notice's events as a ``_Blocks`` template (None when one cannot be: a description written
    whole, ``_start``, or a rest that ends in an escape, as the link's fold then reads the rest too),
    whether one is timed, and the longest ``_Dated.uid``."""
    pieces = []
    timed = False
    longest = 0
    for deadline, dated in _deadlines(item, parts):
        start = _start(item, deadline, dated, parts, checks)
        if start is None or start[1].endswith((b"\\", b"^")):
            return None, False, 0
        lead, rest = start
        pieces += [
            _escaped(dated.head + dated.uid), b"%(u)b", _escaped(b"\r\n" + lead + rest), b"%%(%d)b" % len(rest),
            _escaped(b"\r\n" + dated.mid), b"%(l)b", _escaped(_alarm_lines(dated, feed, parts) + b"END:VEVENT\r\n"),
        ]  # fmt: skip
        timed = timed or dated.timed
        longest = max(longest, len(dated.uid))
    return b"".join(pieces), timed, longest


def _checks_of(missing: Sequence[str], manual: Sequence[Any]) -> str | None:
    said = [f"请补充企业信息：{'、'.join(missing)}"] if missing else []
    said += [f"需人工确认：{manual_item_zh(result)}" for result in manual]
    return escaped_lines(said)


def calendar_text(
    company: Company, items: Sequence[Any], settings: Settings, parts: dict[Hashable, Any] | None = None
) -> bytes:
    """The feed for one company, as the bytes served (``calendar_fields`` of MatchViews).

    Args:
        company: the company (name, reminder offsets).
        items: its MatchViews; those eligible or possibly eligible contribute their deadlines.
        settings: base URL (links, UID host) and the local reminder hour (all-day alarms).
        parts: what is written of the notices alone, kept for other companies (``notice_parts``).
    """
    return calendar_fields(company, [(vars(item), vars(item)) for item in items], settings, parts)


def calendar_fields(
    company: Company,
    fields: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
    settings: Settings,
    parts: dict[Hashable, Any] | None = None,
    *,
    blocks: bool = True,
) -> bytes:
    """The feed for one company, as the bytes served.

    The events are written here, line by line: the icalendar library spent ~1 ms of CPU on each of a
    thousand events (components, typed properties, sorting). The calendar's head and the VTIMEZONE
    still come from icalendar; tests/web/test_ical.py reads the whole feed back with it.

    Args:
        company: the company (name, reminder offsets).
        fields: each MatchView's fields as two mappings, its notice's and its verdict's
            (``CompanyVerdicts.fields``); those eligible or possibly eligible contribute their deadlines.
        settings: base URL (links, UID host) and the local reminder hour (all-day alarms).
        parts: what is written of the notices alone, kept for other companies (``notice_parts``).
        blocks: join each notice's events from its ``_Blocks`` template (False: every event written on
            its own, the reference the templates are tested against).
    """
    kept = parts if parts is not None else {}
    feed = _feed(company, settings)
    room = 75 - len(feed.uid_tail)  # a block's UIDs are written whole when shorter than 75 octets
    events, timed, _, _ = _events(fields, feed, kept, room if blocks else -1)
    return _body(company, feed, events, timed)


def _events(
    fields: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
    feed: _Feed,
    kept: dict[Hashable, Any],
    room: int,
) -> tuple[list[bytes], bool, bool, int]:
    """The feed's events for ``bytes % _Holes`` (``calendar_fields``), whether one is timed, whether all
    are blocks' templates (none written for this feed alone), and the longest ``_Dated.uid`` of those.
    ``room``: a block is used when its longest UID start is shorter (-1: none is, each event written)."""
    shared = kept.get(("ical-blocks", feed.offsets, feed.hour))
    if shared is None:
        shared = kept[("ical-blocks", feed.offsets, feed.hour)] = _Blocks()
    made = shared.made
    events: list[bytes] = []
    timed = False
    whole = True
    longest = 0
    said: dict[int, str | None] = {}  # the company's own lines come from the verdict, which notices share
    for side, part in fields:
        status = part["status"]
        if status not in CALENDAR_STATUSES:
            continue
        if id(part) in said:
            checks = said[id(part)]
        else:
            checks = said[id(part)] = _checks_of(part["missing"], part["manual"])
        if room >= 0:
            row = side["notice"]
            key = (id(row), status, checks)
            block = made.get(key)
            if block is None or block[0] is not row:  # the row is kept with it: its id is not reused
                block = (row, *_block(SimpleNamespace(**{**side, **part}), feed, kept, checks))
                if shared.size < _BLOCK_BYTES:
                    made[key] = block
                    shared.size += len(block[1] or b"")
            if block[1] is not None and block[3] < room:
                events.append(block[1])
                timed = timed or block[2]
                longest = max(longest, block[3])
                continue
        whole = False
        item = SimpleNamespace(**{**side, **part})
        for deadline, dated in _deadlines(item, kept):
            events.append(_escaped(_event(item, deadline, dated, feed, kept, checks)))
            timed = timed or dated.timed
    return events, timed, whole, longest


def _body(company: Company, feed: _Feed, events: Sequence[bytes], timed: bool) -> bytes:
    zone = _escaped(vtimezone(TZ.key) or b"") if timed else b""  # all-day events and UTC alarms need none
    # one pass of ``%`` fills every block's holes, writing the body as it goes
    return b"".join([_escaped(_head_text(company)), zone, *events, b"END:VCALENDAR\r\n"]) % _Holes(feed)


#: bytes of whole feeds' templates (``_Feeds``) kept per notices' version and reminder offsets
_FEED_BYTES = 32 * 1024 * 1024
#: the longest UID a feed's template is made for (the company's UID tail is checked against it)
_ROOM = 75
#: (verdict, company lines) numbered for patterns per notices' version, beyond which they start again
_KINDS = 100_000


class _Feeds:
    """Whole feeds as one template each (``_Blocks``), by verdict pattern (``CompanyVerdicts.pattern``):
    companies with the same verdict and the same lines of their own (missing fields, checks to make) on
    every notice have the same events but for their UID tail and link. Dropped all at once when full."""

    def __init__(self) -> None:
        #: by pattern: the plan it is of (kept: its id is part of the pattern), the template (None: not
        #: all events are blocks'), the longest ``_Dated.uid`` (-1: seen once, no template written yet: a
        #: pattern no other company has costs its one company nothing more)
        self.made: dict[Hashable, tuple[object, bytes | None, int]] = {}
        self.size = 0


def calendar_of(
    company: Company, found: CompanyVerdicts, settings: Settings, parts: dict[Hashable, Any]
) -> bytes:
    """``calendar_fields`` of the company's eligible and possibly eligible notices in list order: the same
    bytes, from the template of the companies with the same verdict pattern when one is kept (written
    for the second company with it)."""
    feed = _feed(company, settings)
    numbers = parts.get("ical-kinds")
    if numbers is None:  # (verdict, company lines) → a number, never the same for two (``count``)
        numbers = parts["ical-kinds"] = ({}, itertools.count())
    kinds: dict[tuple[str, str | None], int] = numbers[0]
    counter: Iterator[int] = numbers[1]
    if len(kinds) >= _KINDS:  # numbers are never given again: patterns kept only stop matching
        kinds.clear()

    def kind(status: str, missing: Sequence[str], manual: Sequence[Any]) -> int:
        lines = (status, _checks_of(missing, manual))
        number = kinds.get(lines)
        return number if number is not None else kinds.setdefault(lines, next(counter))

    plan, pattern = found.pattern(CALENDAR_STATUSES, kind)
    feeds = parts.get(("ical-feeds", feed.offsets, feed.hour))
    if feeds is None:
        feeds = parts[("ical-feeds", feed.offsets, feed.hour)] = _Feeds()
    entry = feeds.made.get(pattern)
    if entry is None or entry[0] is not plan:  # a first company with it: remembered, written plainly
        entry = (plan, None, -1)
        _keep(feeds, pattern, entry, 8 * len(pattern))
    elif entry[2] < 0:  # a second one: the template is worth writing
        events, timed, whole, longest = _events(
            found.fields(found.listed(CALENDAR_STATUSES)), feed, parts, _ROOM
        )
        template = None
        if whole:  # the head (``%(h)b``) is the company's
            zone = _escaped(vtimezone(TZ.key) or b"") if timed else b""
            template = b"".join([b"%(h)b", zone, *events, b"END:VCALENDAR\r\n"])
        entry = (plan, template, longest)
        _keep(feeds, pattern, entry, len(template or b""))
    if entry[1] is not None and entry[2] + len(feed.uid_tail) < _ROOM:
        holes = _Holes(feed)
        holes[b"h"] = _head_text(company)
        return entry[1] % holes
    return calendar_fields(company, found.fields(found.listed(CALENDAR_STATUSES)), settings, parts)


def _keep(feeds: _Feeds, pattern: Hashable, entry: tuple[object, bytes | None, int], size: int) -> None:
    if feeds.size + size > _FEED_BYTES:
        feeds.made.clear()
        feeds.size = 0
    feeds.made[pattern] = entry
    feeds.size += size


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
        # the eligible and possibly eligible notices' events, read from the verdicts (no MatchView made)
        return calendar_of(company, found, settings, notice_parts(request, shared.version))

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
