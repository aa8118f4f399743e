"""Chinese date expressions: find them with exact spans and read them into :class:`DatePoint`.

Which dates are deadlines is decided elsewhere (``deadlines.py``); this module only reads dates.
One compiled regex scans the match view once; Python code runs per match, never per character.

    DateMention ── start: DatePoint            2025年3月28日, 3月10日16:00, 9月底, 114年3月31日
                └─ end: DatePoint | None       3月15日至4月15日, 11月16日至18日, 3月10日9:00-17:00

Span conventions: a span covers the date, a weekday in brackets and a time written right after it
(``3月10日(星期一)16:00``) and, for a range, the connector and the end. Words around the date are
cues for ``deadlines.py`` and stay outside: 自/于 before, 起/前/之前/止/截止 after. The one exception
is 起 inside a connector such as 起至 (``3月15日起至4月15日``).

The grammar and its vocabulary live in ``_dates_grammar.py`` and ``data/dates.yaml``.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import itertools
import logging
import re
from dataclasses import dataclass, replace

from reminder.extract._dates_grammar import DAY_FIRST, Grammar, Vocab, grammar
from reminder.extract.regex_shortcuts import positions
from reminder.model import ParseFailure

__all__ = ["DatePoint", "DateMention", "find_dates"]

logger = logging.getLogger(__name__)

#: a unit right after a digit run: it is an amount or a count, not a damaged date
_COMPACT_UNITS = frozenset("万元亿人个家号件次项%")
#: part of a month → the day it resolves to (0 = the month's last day)
_PART_DAY = {"end": 0, "late": 0, "early": 10, "mid": 20}

Resolved = tuple[dt.date, dt.time | None, str]


@dataclass(frozen=True)
class DatePoint:
    """One calendar point as written: any field the text omits is None.

    >>> DatePoint(2025, 9, None, part="end").resolve(2024)
    (datetime.date(2025, 9, 30), None, 'month')
    """

    #: Gregorian year (民国 years converted); None when the text omits it (3月10日)
    year: int | None
    month: int
    #: None for a month alone (6月) or a part of a month (9月底)
    day: int | None
    #: "end" (月底/月末/年底), "early" (上旬), "mid" (中旬), "late" (下旬), or None
    part: str | None = None
    #: 24:00 is no time at all: the day's end, like a date written without one
    hour: int | None = None
    minute: int | None = None
    #: a year counted from the notice's (今年 0, 明年 1, 去年 -1); ``year`` is then None
    rel_year: int | None = None

    def resolve(self, default_year: int) -> Resolved:
        """The date, time of day and grain this point stands for.

        Args:
            default_year: the year to use when the text gave none.

        Returns:
            ``(date, time or None, grain)``; grain is "minute", "hour", "day" or "month". A month
            alone or 月底/下旬 resolves to the month's last day, 上旬 to the 10th, 中旬 to the 20th.

        Raises:
            ValueError: the date does not exist in that year (2月29日 in 2025).
        """
        year = self.year if self.year is not None else default_year
        last = calendar.monthrange(year, self.month)[1]
        if self.day is not None:
            day, grain = self.day, "day"
        else:
            day, grain = _PART_DAY.get(self.part or "end", 0) or last, "month"
        date = dt.date(year, self.month, day)
        if self.hour is None:
            return date, None, grain
        time = dt.time(self.hour, self.minute or 0)
        return date, time, "hour" if self.minute is None else "minute"


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text: one point, or a range with a start and an end."""

    #: offsets in the input string, covering the whole expression including a range's end
    span: tuple[int, int]
    #: ``input[span[0]:span[1]]``
    text: str
    start: DatePoint
    #: end of a range; inherits year and month from ``start`` when the text omits them
    end: DatePoint | None = None
    #: weak reading: a month with neither day nor part (6月, 9月份, 2025年6月)
    latent: bool = False
    #: name of the rule that matched
    rule: str = ""
    #: read from a date whose separators were lost in scraping (2025311): a guess to check
    low_confidence: bool = False

    def resolve(self, default_year: int) -> tuple[Resolved, Resolved | None]:
        """Start and end resolved; a year-less range that steps back (12月1日至1月31日) ends next year.

        Raises:
            ValueError: a date does not exist in the year used.
        """
        start = self.start.resolve(default_year)
        if self.end is None:
            return start, None
        end = self.end.resolve(default_year)
        if self.end.year is None and end[0] < start[0]:
            end = self.end.resolve(default_year + 1)
        return start, end


class _Impossible(ValueError):
    """A date-like expression that names no real date or time; the message is bilingual."""


def find_dates(text: str) -> tuple[list[DateMention], list[ParseFailure]]:
    """All date expressions in ``text``, in order and non-overlapping.

    Args:
        text: the match view (simplified, half-width) of a document.

    Returns:
        The mentions, and the expressions refused as impossible (13月40日, 2月30日, 25:00) or as
        reversed ranges (4月15日至3月1日), each with a bilingual reason.

    >>> [m.text for m in find_dates("于2023年3月15日-4月15日开放,5 月 31 日、8月31日前报送")[0]]
    ['2023年3月15日-4月15日', '5 月 31 日', '8月31日']
    """
    g = grammar()
    mentions: list[DateMention] = []
    failures: list[ParseFailure] = []
    pos = 0
    anchors = _anchors(text, g)
    while (m := _search(text, pos, g, anchors)) is not None:
        try:
            mention = _mention(m, g.vocab)
        except _Impossible as exc:
            failures.append(ParseFailure(quote=m.group(), span=m.span(), reason=str(exc)))
            logger.debug("refused date %r: %s", m.group(), exc)
            pos = m.end()
            continue
        if mention is None:  # looked like a date but is not one (15月, 统一月度): look again further on
            pos = m.start() + 1
            continue
        mention = _with_hours(text, mention, g)
        mentions.append(mention)
        pos = mention.span[1]
        pos = _continue_list(text, mention, g, mentions, pos)
    return _merge(mentions, _compact_dates(text, g)), failures


def _anchors(text: str, g: Grammar) -> list[int]:
    """Where ``g.anchor`` matches in ``text``, in order: each branch is tried only where its literal
    stands (str.find skips to it; the engine tests the branches' first characters at every position).

    A branch with more than its literal is scanned for as one pattern (the engine skips to the literal
    and checks the rest in C, where a test of each occurrence in Python costs more: most 年 start no
    date). Its matches are just the literal, so they miss none of the literal's occurrences unless the
    literal overlaps itself (aa in aaa): then each occurrence is tested."""
    found: set[int] = set()
    for lead, part in g.anchor_parts:
        if part is None:
            found.update(positions(text, lead))
        elif _overlaps_itself(lead):
            found.update(a for a in positions(text, lead) if part.match(text, a))
        else:
            found.update(m.start() for m in part.finditer(text))
    return sorted(found)


@functools.cache
def _overlaps_itself(word: str) -> bool:
    """Whether two occurrences of ``word`` may overlap (a proper suffix of it is also its prefix: 阿阿)."""
    return any(word.startswith(word[i:]) for i in range(1, len(word)))


def _search(text: str, pos: int, g: Grammar, anchors: list[int] | None = None) -> re.Match[str] | None:
    """``g.date.search(text, pos)``, trying only the positions that may start a date: the few before
    each anchor (年, 月, the start of a numeric date) that every expression holds near its start.
    ``anchors``: the text's :func:`_anchors`, worked out once for all searches in it."""
    if anchors is None:
        anchors = _anchors(text, g)
    for at in itertools.islice(anchors, bisect.bisect_left(anchors, pos), None):
        lo = max(pos, at - g.reach)
        if text[at] == DAY_FIRST:  # 30/6/2025: the day's one or two digits stand before the slash
            lo = max(pos, at - 2)
        elif text[at] in "年月":
            # only the run of date characters right before a 年 or 月 may start a date whose first 年 or
            # 月 it is (the dates with an earlier one were tried at that one); a numeric date starts at
            # its anchor
            run = g.lead.search(text, lo, at)
            lo = run.start() if run is not None else at
        else:
            lo = at
        while (first := g.first.search(text, lo, at + 1)) is not None:
            m = g.date.match(text, first.start())
            if m is not None:
                return m
            lo = first.start() + 1
        pos = at + 1
    return None


def _with_hours(text: str, m: DateMention, g: Grammar) -> DateMention:
    """7月10日(9:00-17:30) opens at 9:00 and closes at 17:30; 7月3日至7月4日(9:00-17:30) likewise."""
    h = g.hours.match(text, m.span[1])
    if (
        h is None
        or m.start.day is None
        or m.start.hour is not None
        or (m.end is not None and m.end.hour is not None)
    ):
        return m
    (h1, m1), (h2, m2) = (_clock(h.group(k)) for k in ("h1", "h2"))
    if not (h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60):
        return m
    start = replace(m.start, hour=h1, minute=m1)
    end = _clock_point(m.end or m.start, h2, m2)
    span = (m.span[0], h.end())
    return replace(m, span=span, text=text[span[0] : span[1]], start=start, end=end, rule=m.rule + "_hours")


def _clock(token: str) -> tuple[int, int]:
    hour, minute = re.split(r"\s*[:∶]\s*", token)
    return int(hour), int(minute)


def _clock_point(p: DatePoint, hour: int, minute: int) -> DatePoint:
    if hour == 24 and minute == 0:
        return replace(p, hour=None, minute=None)
    return replace(p, hour=hour, minute=minute)


def _merge(mentions: list[DateMention], extra: list[DateMention]) -> list[DateMention]:
    """``mentions`` plus the ``extra`` ones that overlap none of them, in text order."""
    if not extra:
        return mentions
    taken = [m.span for m in mentions]
    keep = [e for e in extra if not any(a < e.span[1] and e.span[0] < b for a, b in taken)]
    return sorted(mentions + keep, key=lambda m: m.span[0])


def _compact_dates(text: str, g: Grammar) -> list[DateMention]:
    """Dates whose separators were lost (202359—2023530, 2025311 17:00), read only where unambiguous."""
    out = []
    for c in g.compact.finditer(text):
        if c.start() and (
            text[c.start() - 1].isascii()
            and (text[c.start() - 1].isalnum() or text[c.start() - 1] in "_./=%-")
        ):
            continue  # part of a code, a URL or a longer number
        if text[c.end() : c.end() + 1] in _COMPACT_UNITS:
            continue  # 2025311万元 is an amount
        start = _compact_point(c.group("a"), c.group("ah"), c.group("am"))
        if start is None:
            continue
        end = _compact_point(c.group("b"), c.group("bh"), c.group("bm")) if c.group("b") else None
        if end is not None and _key(end, last=True) < _key(start, last=False):
            end = None
        span = (c.start(), c.end() if end is not None else c.end("am") if c.group("am") else c.end("a"))
        rule = "compact_date_range" if end is not None else "compact_date"
        out.append(DateMention(span, text[span[0] : span[1]], start, end, rule=rule, low_confidence=True))
    return out


def _compact_point(run: str, hour: str | None, minute: str | None) -> DatePoint | None:
    """The one reading of a digit run (year, month, day, maybe a swallowed hour); None if none or several."""
    year, rest = int(run[:4]), run[4:]
    hours: list[tuple[str, int | None]] = [(rest, int(hour) if hour else None)]
    if minute is not None and hour is None:  # the hour is the run's last one or two digits
        hours = [(rest[:-n], int(rest[-n:])) for n in (2, 1) if len(rest) > n]
    elif minute is None and len(rest) > 4:
        return None
    readings = set()
    for md, hh in hours:
        if hh is not None and hh > 24:
            continue
        for cut in (1, 2):
            m, d = md[:cut], md[cut:]
            if not (1 <= len(d) <= 2) or m.startswith("0") and cut == 1 or d.startswith("0") and len(d) == 1:
                continue
            if 1 <= int(m) <= 12 and 1 <= int(d) <= calendar.monthrange(year, int(m))[1]:
                readings.add((int(m), int(d), hh))
    if len(readings) != 1:
        return None
    month, day, hh = readings.pop()
    if hh is None:
        return DatePoint(year, month, day)
    return _clock_point(DatePoint(year, month, day), hh, int(minute or 0))


def _continue_list(text: str, head: DateMention, g: Grammar, out: list[DateMention], pos: int) -> int:
    """Day-only items after a date (3月10日、20日和30日) inherit its year and month."""
    if head.end is not None or head.start.day is None:
        return pos
    c = g.list_day.match(text, pos)
    if c is None:  # most dates head no list: spare them the copy below
        return pos
    base = replace(head.start, hour=None, minute=None)
    while c is not None:
        try:
            point = _with_time(
                c, "c", replace(base, day=_point_day(c, "c", base.year, base.month, g.vocab)), g.vocab
            )
        except _Impossible:
            return pos  # left for the main scan, which reports nothing for a bare day
        span = (c.start("cd"), c.end())
        out.append(DateMention(span, text[span[0] : span[1]], point, rule="list_day"))
        pos = c.end()
        c = g.list_day.match(text, pos)
    return pos


def _mention(m: re.Match[str], v: Vocab) -> DateMention | None:
    """The mention a match of the grammar stands for; None when it is no date after all."""
    start, kind = _point(m, "s", v)
    if start is None:
        return None
    end, span_end = _range_end(m, start, v)
    if end is None:
        span_end = m.end("se")
    rule = f"{kind}_range" if end is not None else kind
    latent = (
        start.day is None and start.part is None and (end is None or (end.day is None and end.part is None))
    )
    span = (m.start(), span_end)
    text = m.string[span[0] : span[1]]
    return DateMention(span=span, text=text, start=start, end=end, latent=latent, rule=rule)


def _range_end(m: re.Match[str], start: DatePoint, v: Vocab) -> tuple[DatePoint | None, int]:
    """The end of a range (None when the match has none usable) and where the mention ends."""
    if m.group("sd2") is not None:  # 3月15-20日: the end day sits inside the start's day group
        end = replace(start, day=_day(m.group("sd2"), start.year, start.month, v), hour=None, minute=None)
        return _ordered(start, end, inherited=True, next_year=False, v=v), m.end("se")
    read = _end_point(m, start, v) if m.group("conn") is not None else None
    if read is None:
        return None, m.end("se")
    end, inherited = read
    return _ordered(start, end, inherited, m.group("nx") is not None, v), m.end()


def _end_point(m: re.Match[str], start: DatePoint, v: Vocab) -> tuple[DatePoint, bool] | None:
    """The end as written after the connector, completed from ``start``; and whether its year was inherited."""
    bare = replace(start, hour=None, minute=None)
    if m.group("fd") is not None:  # 11月16日至18日
        return _with_time(m, "f", replace(bare, day=_point_day(m, "f", start.year, start.month, v)), v), True
    if m.group("tth") is not None or m.group("tth2") is not None:  # 3月10日9:00-17:00
        return (_with_time(m, "t", bare, v), True) if start.day is not None else None
    end, _ = _point(m, "e", v)
    if end is None:
        return None
    if end.year is not None or end.rel_year is not None:
        return end, False
    return replace(end, year=start.year, rel_year=start.rel_year), True


def _ordered(start: DatePoint, end: DatePoint, inherited: bool, next_year: bool, v: Vocab) -> DatePoint:
    """``end``, moved into the next year when the range crosses New Year; raises when reversed."""
    backwards = _before(end, start)
    if inherited and (next_year or (backwards and start.month - end.month >= v.year_wrap_min_gap)):
        year = start.year + 1 if start.year is not None else None
        if end.day is not None:
            _day(str(end.day), year, end.month, v)  # 2月29日 may not exist in the next year
        return replace(end, year=year)
    if backwards:
        raise _Impossible("起止颠倒,结束早于开始 / reversed range: the end is before the start")
    return end


def _before(end: DatePoint, start: DatePoint) -> bool:
    """Whether ``end`` is earlier than ``start``; False when only one of them has a year."""
    if (end.year is None) != (start.year is None):
        return False
    return _key(end, last=True) < _key(start, last=False)


def _key(p: DatePoint, last: bool) -> tuple[int, int, int, int, int]:
    """Sort key of a point; a month without a day counts as its first (start) or last (end) day."""
    day = p.day if p.day is not None else (_PART_DAY.get(p.part or "", 0) or (31 if last else 1))
    hour = p.hour if p.hour is not None else (23 if last else 0)
    minute = p.minute if p.minute is not None else (59 if last else 0)
    return (p.year or 0, p.month, day, hour, minute)


def _point(m: re.Match[str], p: str, v: Vocab) -> tuple[DatePoint | None, str]:
    """The point written in the groups prefixed ``p``, and the name of its form."""
    if m.group(p + "num") is not None:
        return _numeric(m, p, v), "numeric_date"
    year, roc = _year(m, p, v)
    if m.group(p + "year") is not None and year is None:
        return None, ""
    prefix = "roc_" if roc else ""
    rel = v.relative_years.get(m.group(p + "ry") or "")
    if m.group(p + "yp") is not None:
        return DatePoint(year, 12, None, part=v.year_parts[m.group(p + "yp")]), prefix + "year_end"
    month = _number(m.group(p + "m"), v)
    if m.group(p + "d") is not None:
        if not 1 <= month <= 12:
            raise _Impossible(f"月份不存在 / no such month: {month}月")
        point = DatePoint(year, month, _point_day(m, p, year, month, v), rel_year=rel)
        kind = "full_date" if year is not None else "relative_date" if rel is not None else "month_day"
        return _with_time(m, p, point, v), prefix + kind
    if not 1 <= month <= 12:
        return None, ""
    if m.group(p + "part") is not None:
        return DatePoint(year, month, None, part=v.month_parts[m.group(p + "part")]), prefix + "month_part"
    if year is None and m.group(p + "suf") is None and not m.group(p + "m")[0].isascii():
        return None, ""  # 一月 alone is too often part of a word (统一月度)
    return DatePoint(year, month, None), prefix + ("year_month" if year is not None else "month_only")


def _numeric(m: re.Match[str], p: str, v: Vocab) -> DatePoint | None:
    """2025-03-28, 2025/3/28, 2025.3.28, 114/06/30 (民国), 30/6/2025 (day first); None when month or
    day is out of range (a code, not a date)."""
    if m.group(p + "ny") is not None:
        year, month, day = int(m.group(p + "ny")), int(m.group(p + "nm")), int(m.group(p + "nd"))
    elif m.group(p + "nr") is not None:
        year, month, day = (
            int(m.group(p + "nr")) + v.roc_offset,
            int(m.group(p + "rm")),
            int(m.group(p + "rd")),
        )
    else:
        year, month, day = int(m.group(p + "dy")), int(m.group(p + "dm")), int(m.group(p + "dd"))
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return _with_time(m, p + "n", DatePoint(year, month, day), v)


def _year(m: re.Match[str], p: str, v: Vocab) -> tuple[int | None, bool]:
    """The Gregorian year in the groups prefixed ``p`` (None if absent or implausible), and whether it was 民国."""
    if m.group(p + "ya") is not None:
        return _number(m.group(p + "ya"), v), False
    if m.group(p + "yc") is not None:
        year = _number(m.group(p + "yc"), v)
        return (year if v.gregorian_years[0] <= year <= v.gregorian_years[1] else None), False
    roc = m.group(p + "rn") or m.group(p + "rb") or m.group(p + "rc")
    if roc is None:
        return None, False
    n = _number(roc, v)
    return (n + v.roc_offset if 1 <= n <= v.roc_bare_years[1] else None), True


def _point_day(m: re.Match[str], p: str, year: int | None, month: int, v: Vocab) -> int:
    return _day(m.group(p + "d"), year, month, v)


def _day(token: str, year: int | None, month: int, v: Vocab) -> int:
    """The day number, checked against the month (a year-less 2月29日 is allowed)."""
    day = _number(token, v)
    if not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        raise _Impossible(f"日期不存在 / no such date: {month}月{day}日" + (f" ({year})" if year else ""))
    return day


def _with_time(m: re.Match[str], p: str, point: DatePoint, v: Vocab) -> DatePoint:
    """``point`` with the time of day written in the groups prefixed ``p``, if any."""
    hour_token = m.group(p + "th") or m.group(p + "th2")
    if hour_token is None:
        return point
    hour = _number(hour_token, v)
    minute_token = m.group(p + "tm") or m.group(p + "tm2")
    minute = _number(minute_token, v) if minute_token is not None else None
    if m.group(p + "half") is not None:
        minute = 30
    elif m.group(p + "whole") is not None:
        minute = 0
    hour = _shift_hour(hour, v.time_of_day.get(m.group(p + "ap") or "", "am"))
    if hour == 24 and not minute:
        return point
    if hour > 23 or (minute or 0) > 59:
        raise _Impossible(f"时间不存在 / no such time of day: {m.group(p + 'time').strip()}")
    return replace(point, hour=hour, minute=minute)


def _shift_hour(hour: int, period: str) -> int:
    """24-hour clock from a 12-hour reading: 下午5时 = 17, 晚上12点 = 24, 中午1点 = 13."""
    if period == "pm" and 1 <= hour <= 12:
        return hour + 12
    if period == "noon" and 1 <= hour <= 5:
        return hour + 12
    return hour


def _number(token: str, v: Vocab) -> int:
    """An integer written in ASCII digits (spaces allowed inside) or Chinese numerals."""
    if token[0].isascii():
        return int(token.replace(" ", "").replace("\t", ""))
    return v.chinese_number(token)
