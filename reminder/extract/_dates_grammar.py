"""The regex grammar of Chinese dates, compiled from the vocabulary in ``data/dates.yaml``.

One pattern, ``Grammar.date``, matches a whole expression: a start point, then optionally a range
connector and an end. Groups are named with a one-letter prefix per point so the interpreter in
``dates.py`` can read each point the same way:

    s…   start point        2023年3月15日9:00
    e…   full end point     至4月15日17:00
    f…   day-only end       至18日
    t…   time-only end      -17:00
    c…   day-only list item 、20日   (``Grammar.list_day``, tried right after a mention)

Inside a point: ``ya``/``yc`` Gregorian year in digits or Chinese numerals, ``rn``/``rb``/``rc`` 民国
year with a marker, bare, or in bare Chinese numerals (一一四年), ``ry`` a year relative to the notice
(今年, 明年), ``yp`` part of year (年底), ``m`` month, ``d`` day, ``part`` part of month, ``suf`` 份,
``ny``/``nm``/``nd`` numeric date (2025-03-28), ``nr``/``rm``/``rd`` 民国 numeric date (114/06/30),
``dd``/``dm``/``dy`` day-first numeric date (30/6/2025), ``th``… time of day.

Two side patterns: ``Grammar.hours`` reads opening hours in brackets right after a date
(``7月10日(9:00-17:30)``), and ``Grammar.compact`` reads dates whose separators were lost in
scraping (``2025311 17:00``, ``202422318:00``); the latter are flagged low-confidence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from reminder.errors import DataFileError
from reminder.extract._data import alternation, load_table
from reminder.extract.regex_shortcuts import optional_branches

__all__ = ["Vocab", "Grammar", "grammar", "load_vocab"]

_KEYS: dict[str, type] = {
    "numeral_digits": dict,
    "numeral_units": dict,
    "day_markers": list,
    "month_suffixes": list,
    "month_parts": dict,
    "year_parts": dict,
    "weekday_prefixes": list,
    "weekday_names": list,
    "same_day_words": list,
    "inclusive_marks": list,
    "time_of_day": dict,
    "hour_markers": list,
    "numeral_hour_markers": list,
    "minute_markers": list,
    "half_hour": list,
    "whole_hour": list,
    "range_connectors": list,
    "list_separators": list,
    "next_year_words": list,
    "year_wrap_min_gap": int,
    "roc_markers": list,
    "roc_offset": int,
    "roc_bare_years": list,
    "gregorian_years": list,
    "relative_years": dict,
    "time_separators": list,
}
_PARTS = {"end", "early", "mid", "late"}
_PERIODS = {"am", "pm", "noon"}

# Spaces PDF extraction leaves between tokens (2023 年 9 月 15 日), and one inside a number (202 6 年).
_S = r"[ \t]{0,2}"
_SP = r"[ \t]?"


@dataclass(frozen=True)
class Vocab:
    """The validated contents of ``data/dates.yaml``."""

    digits: dict[str, int]
    units: dict[str, int]
    words: dict[str, list[str]]
    month_parts: dict[str, str]
    year_parts: dict[str, str]
    time_of_day: dict[str, str]
    year_wrap_min_gap: int
    roc_offset: int
    roc_bare_years: tuple[int, int]
    gregorian_years: tuple[int, int]
    #: 今年 → 0, 明年 → 1, 去年 → -1: years counted from the notice's own
    relative_years: dict[str, int]

    def chinese_number(self, token: str) -> int:
        """二〇二五 → 2025 (digit by digit), 三十一 → 31, 廿一 → 21, 一百一十四 → 114.

        >>> load_vocab().chinese_number("二十八")
        28
        """
        if not any(ch in self.units for ch in token):
            return int("".join(str(self.digits.get(ch, 0)) for ch in token))
        total = current = 0
        for ch in token:
            if ch in self.units:
                total += (current or 1) * self.units[ch]
                current = 0
            else:
                current = self.digits.get(ch, 0)
        return total + current


def _fail(key: str, why: str) -> DataFileError:
    return DataFileError(f"dates.yaml: 键 {key!r} 有误 / bad key {key!r}: {why}")


def _words(data: dict[str, Any], key: str) -> list[str]:
    value = data[key]
    if not value or not all(isinstance(w, str) and w for w in value):
        raise _fail(key, "must be a non-empty list of non-empty strings")
    return [str(w) for w in value]


def _mapping(data: dict[str, Any], key: str, values: set[str] | type) -> dict[str, Any]:
    value = data[key]
    for word, meaning in value.items():
        ok = isinstance(meaning, values) if isinstance(values, type) else meaning in values
        if not isinstance(word, str) or not word or not ok:
            raise _fail(key, f"{word!r}: {meaning!r} is not one of {values}")
    return dict(value)


def _pair(data: dict[str, Any], key: str) -> tuple[int, int]:
    value = data[key]
    if len(value) != 2 or not all(isinstance(x, int) for x in value) or value[0] > value[1]:
        raise _fail(key, "must be [low, high], two integers")
    return int(value[0]), int(value[1])


@functools.cache
def load_vocab() -> Vocab:
    """Read and validate ``data/dates.yaml``.

    Raises:
        DataFileError: a key is unknown, missing or malformed; the message names it.
    """
    data = load_table("dates", _KEYS)
    lists = [k for k, t in _KEYS.items() if t is list and k not in ("roc_bare_years", "gregorian_years")]
    return Vocab(
        digits=_mapping(data, "numeral_digits", int),
        units=_mapping(data, "numeral_units", int),
        words={k: _words(data, k) for k in lists},
        month_parts=_mapping(data, "month_parts", _PARTS),
        year_parts=_mapping(data, "year_parts", _PARTS),
        time_of_day=_mapping(data, "time_of_day", _PERIODS),
        year_wrap_min_gap=int(data["year_wrap_min_gap"]),
        roc_offset=int(data["roc_offset"]),
        roc_bare_years=_pair(data, "roc_bare_years"),
        gregorian_years=_pair(data, "gregorian_years"),
        relative_years=_mapping(data, "relative_years", int),
    )


@dataclass(frozen=True)
class Grammar:
    """Compiled patterns plus the vocabulary they were built from."""

    vocab: Vocab
    date: re.Pattern[str]
    list_day: re.Pattern[str]
    hours: re.Pattern[str]
    compact: re.Pattern[str]
    #: what every match of ``date`` holds (年, 月, or a numeric date's year and separator) …
    anchor: re.Pattern[str]
    #: ``anchor`` as one pattern per branch, each with the literal it starts with (None: the literal is
    #: the whole branch, found by str.find); a part matches just its literal (the rest is looked ahead at)
    anchor_parts: tuple[tuple[str, re.Pattern[str] | None], ...]
    #: … at most this many characters after the match's start
    reach: int
    #: a character a match may start with
    first: re.Pattern[str]
    #: the run of characters a written date holds before its first 年 or 月, up to the end of the search
    lead: re.Pattern[str]


#: the anchor of a day-first numeric date (30/6/2025): its first slash, up to 2 characters after its start
DAY_FIRST = "/"
# A list item's number right before a month ("1.4月30日前，企业完成申报"): the month is not a decimal's.
_ITEM_NUMBER = r"(?<=^[0-9]\.)|(?<=\s[0-9]\.)|(?<=\s[0-9]{2}\.)"


class _Builder:
    """Builds the pattern text for each piece of the grammar from the vocabulary."""

    def __init__(self, v: Vocab) -> None:
        self.v = v
        w = v.words
        self.cn = "".join(re.escape(c) for c in [*v.digits, *v.units] if not c.isascii())
        self.cn_year = "".join(re.escape(c) for c in v.digits)
        self.cn_year_first = "".join(re.escape(c) for c in v.digits if not c.isascii())
        self.day_mark = alternation(w["day_markers"])
        self.conn = alternation(w["range_connectors"])
        self.colon = "[" + "".join(re.escape(c) for c in w["time_separators"]) + "]"

    def num(self) -> str:
        """A month, day or hour number: 1–2 ASCII digits or 1–3 Chinese numerals."""
        return rf"(?:[0-9]{{1,2}}|(?<![{self.cn}])[{self.cn}]{{1,3}})"

    def year(self, p: str) -> str:
        """A year and its 年; a bare 民国 number (114年) only when a month follows."""
        v, cn = self.v, self.cn
        lo, hi = v.roc_bare_years
        bare = "|".join(str(n) for n in range(hi, lo - 1, -1))
        return rf"""(?P<{p}year>
              (?<![0-9.])(?P<{p}ya>(?:1{_SP}9|2{_SP}0){_SP}[0-9]{_SP}[0-9])
            | (?<![{self.cn_year}])(?P<{p}yc>[{self.cn_year_first}][{self.cn_year}]{{3}})
            | (?:{alternation(v.words["roc_markers"])}){_S}(?P<{p}rn>[0-9]{{1,3}}|[{cn}]{{1,6}})
            | (?<![0-9.])(?P<{p}rb>{bare})(?={_S}年{_S}[0-9{cn}])
            | (?<![{cn}])(?P<{p}rc>[{self.cn_year_first}][{self.cn_year}]{{2}}|一百[{cn}]{{1,4}})
              (?={_S}年{_S}[0-9{cn}]{{1,3}}{_S}月)
            ){_S}年{_S}"""

    def month_tail(self, p: str, day_range: bool) -> str:
        """What follows a month: a day (or a day range, for a start), a part of month, or 份."""
        d2 = rf"(?:{_S}(?:{self.conn}){_S}(?P<{p}d2>{self.num()}))?" if day_range else ""
        w = self.w
        return rf"""(?:
              {_S}(?P<{p}d>{self.num()}){d2}{_S}(?:{self.day_mark})
            | {_S}(?P<{p}part>{alternation(list(self.v.month_parts))})
            | (?P<{p}suf>{alternation(w["month_suffixes"])})
            )?"""

    @property
    def w(self) -> dict[str, list[str]]:
        return self.v.words

    def time(self, p: str) -> str:
        """A time of day: 16:00, 16时, 下午5点半, 17时30分, 12点整."""
        w, cn = self.w, self.cn
        hour_mark = alternation(w["hour_markers"])
        # 三点 is as often "three points" as "three o'clock": numerals take 点 only after 下午 etc.
        cn_mark = alternation(w["numeral_hour_markers"])
        return rf"""(?P<{p}time>
            (?:(?P<{p}ap>{alternation(list(self.v.time_of_day))}){_S})?
            (?:
              (?P<{p}th>[0-9]{{1,2}}){_S}{self.colon}{_S}(?P<{p}tm>[0-9]{{2}})(?:{self.colon}[0-9]{{2}})?(?![0-9])
            | (?P<{p}th2>[0-9]{{1,2}}|[{cn}]{{1,3}}(?={_S}(?({p}ap)(?:{hour_mark})|(?:{cn_mark})))){_S}(?:{hour_mark})
              (?:{_S}(?P<{p}tm2>[0-9]{{1,2}}|[{cn}]{{1,3}}){_S}(?:{alternation(w["minute_markers"])})
               |(?P<{p}half>{alternation(w["half_hour"])})
               |(?P<{p}whole>{alternation(w["whole_hour"])}))?
            ))"""

    def weekday_time(self, p: str) -> str:
        """An optional weekday in brackets, then an optional time: (星期一)16:00.

        (What a date may end with after its day is listed by ``segment_meta._date_ends``: a new
        ending here goes there too.)"""
        w = self.w
        names = alternation(w["weekday_names"])
        # (星期一), 星期一, or Taiwan's bare (一) in brackets
        weekday = (
            rf"(?:\(?{_S}(?:{alternation(w['weekday_prefixes'])})(?:{names}){_S}\)?"
            rf"|\({_S}(?:{names}){_S}\))"
        )
        same_day = alternation(w["same_day_words"])
        return rf"(?:{_S}{weekday})?(?:{_S}(?:{same_day})?{_S}{self.time(p)})?"

    def date_point(self, p: str, day_range: bool = False) -> str:
        """One date point; a time is read only after a day."""
        year_part = alternation(list(self.v.year_parts))
        # 2025-03-28 / 2025/3/28 / 2025.3.28; Taiwan's 114/06/30 (民国 100–129); Hong Kong's day first,
        # 30/6/2025 (the group ``num`` closes each, for the weekday and time after it)
        numeric = rf"""(?<![0-9A-Za-z._/])(?:
              (?P<{p}ny>(?:19|20)[0-9]{{2}})(?P<{p}sep>[-./])(?P<{p}nm>[0-9]{{1,2}})(?P={p}sep)(?P<{p}nd>[0-9]{{1,2}})
            | (?P<{p}nr>1[0-2][0-9])(?P<{p}rsep>[-./])(?P<{p}rm>[0-9]{{1,2}})(?P={p}rsep)(?P<{p}rd>[0-9]{{1,2}})
            | (?P<{p}dd>[0-9]{{1,2}})/(?P<{p}dm>[0-9]{{1,2}})/(?P<{p}dy>(?:19|20)[0-9]{{2}})
            )(?P<{p}num>)(?![0-9A-Za-z/_]|\.[0-9])"""
        rel = alternation(list(self.v.relative_years))
        written = rf"""(?:{self.year(p)}|(?P<{p}ry>{rel}){_S})?
            (?:
              (?({p}year)年?(?P<{p}yp>{year_part})|(?!))
            | (?:(?<![0-9.])|{_ITEM_NUMBER})(?P<{p}m>{self.num()}){_S}月{self.month_tail(p, day_range)}
            )"""
        return rf"""(?:{numeric}|{written})
            (?({p}d){self.weekday_time(p)}|(?({p}num){self.weekday_time(p + "n")}|))"""

    def pattern(self) -> str:
        """A whole expression: start point, then optionally a connector and an end."""
        w = self.w
        end = rf"""(?:{self.date_point("e")}
            | (?P<fd>{self.num()}){_S}(?:{self.day_mark})(?![0-9]){self.weekday_time("f")}
            | {self.time("t")})"""
        # Every expression starts with a digit, a numeral or a 民国 marker: this cheap first test
        # lets the engine skip most positions (about 10x faster than trying every branch).
        first = rf"(?=[0-9{self.cn}]|{alternation(w['roc_markers'] + list(self.v.relative_years))})"
        # 4月1日(含)至4月30日: the start's inclusive mark stays inside the range
        incl = rf"(?:{_S}\((?:{alternation(w['inclusive_marks'])})\))?"
        return rf"""{first}{self.date_point("s", day_range=True)}(?P<se>)
            (?:{incl}{_S}(?P<conn>{self.conn}){_S}(?:(?P<nx>{alternation(w["next_year_words"])}){_S})?{end})?"""

    def anchor(self) -> str:
        """What every date expression holds: a 年 (a year, 今年 and the like, 年底), a 月 (a month), or
        the year and separator a numeric date starts with. Each branch starts with a literal so the
        engine can skip to the next one."""
        return "|".join(re.escape(lead) + rest for lead, rest in self.anchor_branches())

    def anchor_branches(self) -> list[tuple[str, str]]:
        """The branches of ``anchor``, each as the literal it starts with and the pattern after it."""
        # (a relative year word without 年 would be an anchor of its own)
        extra = [(w, "") for w in self.v.relative_years if "年" not in w and "月" not in w]
        # a 年 followed by neither a part of year nor a month (2025年度, 每年) is no date's first 年
        year = ("年", f"(?={self.after_year()})")
        # 民国 114/06/30 starts at its 1; a day-first 30/6/2025 is found at its first slash (``DAY_FIRST``)
        roc = ("1", "[0-2][0-9][-./][0-9]{1,2}[-./][0-9]")
        day_first = (DAY_FIRST, "[0-9]{1,2}/(?:19|20)[0-9]{2}(?![0-9])")
        return [year, ("月", ""), *extra, ("19", "[0-9]{2}[-./]"), ("20", "[0-9]{2}[-./]"), roc, day_first]

    def first(self) -> str:
        """The characters a date expression may start with (the lookahead at the start of ``pattern``)."""
        words = self.w["roc_markers"] + list(self.v.relative_years)
        return f"[0-9{self.cn}{''.join(sorted({re.escape(w[0]) for w in words}))}]"

    def reach(self) -> int:
        """How far after its start an expression's first anchor may lie, at most: a year with a 民国
        marker (中华民国 一一四 年) is the longest lead; spaces (_S) may sit between its tokens."""
        marker = max(len(w) for w in self.w["roc_markers"])
        spaces = 2
        # marker, spaces, 1-6 numerals, spaces, then 年; a Gregorian year is at most 7 characters with
        # its spaces (2 0 2 5), a month number 3; the 今年 words hold their 年
        longest = max(marker + spaces + 6 + spaces, 7 + spaces, 3 + spaces, 6 + spaces)
        return longest + 4  # a margin: a longer lead than counted only costs a little speed

    def lead(self) -> str:
        """The characters a written date may hold before its first 年 or 月 (digits, numerals with the
        O/o some pages write for 〇, spaces, 民国 markers, the first character of 今年 and the like),
        as a run that reaches the end of the searched stretch."""
        words = self.w["roc_markers"] + [w[0] for w in self.v.relative_years]
        chars = {*self.v.digits, *self.v.units, *"".join(words), *"0123456789 \t"} - {"年", "月"}
        return "[" + "".join(re.escape(c) for c in sorted(chars)) + r"]+\Z"

    def after_year(self) -> str:
        """What a written date holds right after its first 年 (a year's or 今年's): spaces, then a part
        of year (年底, 2025年年底) or the first character of a month's number."""
        return rf"{_S}(?:年?(?:{alternation(list(self.v.year_parts))})|[0-9{self.cn}])"

    def list_day(self) -> str:
        """A day-only list item right after a date: 、20日."""
        sep = alternation(self.w["list_separators"])
        return rf"""{_S}(?:{sep}){_S}(?P<cd>{self.num()}){_S}(?:{self.day_mark})(?![0-9])
            {self.weekday_time("c")}"""

    def hours(self) -> str:
        """Opening hours in brackets after a date or range: (9:00-17:30)."""
        clock = rf"[0-9]{{1,2}}{_S}{self.colon}{_S}[0-9]{{2}}"
        return rf"""{_S}\({_S}(?P<h1>{clock}){_S}(?:{self.conn}){_S}(?P<h2>{clock}){_S}\)"""

    def compact(self) -> str:
        """A date with its separators lost (202359, 2025311 17:00, 202422318:00), maybe a range of two."""
        # The digit run may swallow the hour (202422318:00): dates.py splits it.
        one = r"(?P<{x}>20[0-9]{{4,8}})(?![0-9])(?:(?P<{x}h>[ \t]{{1,2}}[0-9]{{1,2}})?{c}(?P<{x}m>[0-9]{{2}}))?(?![0-9])"
        start = one.format(x="a", c=f"{_S}{self.colon}{_S}")
        end = one.format(x="b", c=f"{_S}{self.colon}{_S}")
        # Starts with the literal 20 so the engine can skip ahead; dates.py checks the character before.
        return rf"""{start}(?:{_S}(?:{self.conn}){_S}{end})?"""


@functools.cache
def grammar() -> Grammar:
    """The compiled grammar (built once per process)."""
    b = _Builder(load_vocab())
    flags = re.VERBOSE
    # (optional parts as alternations with an empty branch: the same matches, tried faster)
    return Grammar(
        vocab=b.v,
        date=re.compile(optional_branches(b.pattern()), flags),
        list_day=re.compile(optional_branches(b.list_day()), flags),
        hours=re.compile(optional_branches(b.hours()), flags),
        compact=re.compile(optional_branches(b.compact()), flags),
        anchor=re.compile(b.anchor()),
        anchor_parts=tuple(
            (lead, re.compile(f"{re.escape(lead)}(?={rest})") if rest else None)
            for lead, rest in b.anchor_branches()
        ),
        reach=b.reach(),
        first=re.compile(b.first()),
        lead=re.compile(b.lead()),
    )
