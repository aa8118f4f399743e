"""Metadata of one notice: signature block, issuer, publication date, level, call or policy, rolling.

All readers take the match view and offsets into it; quotes are cut from the cleaned text by the caller.

    signature block    浙江省市场监督管理局 / 2023 年 1 月 13 日        → issuer, published
                       杭州市臨安區人民政府2025 年2 月14 日(此件公开发布)
    issuer elsewhere   省经信厅 省财政厅 浙江银保监局关于…的通知 (title), 由区科技局负责解释 (body)
    level              issuer 国务院/…部 → national, 省… → provincial, …市… → municipal, …区/县 → district
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from reminder.extract._dates_grammar import load_vocab
from reminder.extract.dates import find_dates
from reminder.extract.regex_shortcuts import first_char_test
from reminder.extract.segment_data import SegmentVocab, holds_any, literal_found
from reminder.extract.segment_lines import Line

__all__ = [
    "Signature",
    "find_signature",
    "is_org",
    "DATE_LINE_MAX",
    "line_date",
    "published_line",
    "issuer_in_title",
    "issuer_in_body",
    "issuer_level",
    "is_call",
    "is_rolling",
    "addressed_nationally",
    "news_score",
]

# A signature date line is short; longer lines are sentences that mention a date.
DATE_LINE_MAX = 70
# Cheap filter before calling the date grammar: a 4-digit, 民国 (114年) or Chinese-numeral year.
_HAS_YEAR = re.compile(r"\d\s?\d\s?\d\s?\d|\d{2,3}\s*年|[〇○零][一二三四五六七八九〇○零]|二[〇○零]")
# where a year may start (a digit, 〇, 二…): most short lines hold none, and the search starts at the first
_YEAR_START = first_char_test(_HAS_YEAR) or re.compile("")
_TRAILING_ASIDE = re.compile(r"\s*(?:\([^()]{0,20}\))?\s*$")
_ORG_SEPARATORS = re.compile(r"[\s、]+")
# How many lines above a date line may hold the signing bodies (joint issuers, a 代章 note).
_ISSUER_LINES = 4


@dataclass(frozen=True)
class Signature:
    """The issuer + date block that closes a notice (or the cover letter of a 印发 notice)."""

    #: offsets of the block: first issuer line to the end of the date line
    span: tuple[int, int]
    #: offsets of the issuer name(s), or None when the date stands alone
    issuer_span: tuple[int, int] | None
    date: dt.date


def line_date(text: str) -> tuple[dt.date, int] | None:
    """The full date (year, month, day) a short line ends with, and where the date starts.

    >>> line_date("杭州市临安区人民政府2025 年2 月14 日(此件公开发布)")
    (datetime.date(2025, 2, 14), 10)
    >>> line_date("预计申报截止日期为 2023 年 9 月 15 日。") is None
    True
    """
    if len(text) > DATE_LINE_MAX:
        return None
    # (most short lines end with no character a date can end with: the grammar is not run for them)
    body = text.rstrip()
    if body.endswith(")") or "\n" in text:  # (else _without_aside is the rstrip)
        body = _without_aside(text)
    if body.rstrip()[-1:] not in _date_ends() or not _has_year(text):
        return None
    return _ending_date(body)


def _line_date_plain(text: str) -> tuple[dt.date, int] | None:
    """line_date without its shortcuts (the tests compare the two)."""
    if len(text) > DATE_LINE_MAX or not _has_year(text):
        return None
    return _ending_date(_TRAILING_ASIDE.sub("", text))


def _has_year(text: str) -> bool:
    """Whether ``text`` may hold a year (_HAS_YEAR, searched from where a year may start)."""
    start = _YEAR_START.search(text)
    return start is not None and _HAS_YEAR.search(text, start.start()) is not None


def _ending_date(body: str) -> tuple[dt.date, int] | None:
    """The full date ``body`` (a line without its trailing aside) ends with, and where it starts."""
    mentions, _ = find_dates(body)
    if not mentions:
        return None
    last = mentions[-1]
    p = last.start
    if last.end is not None or p.year is None or p.day is None or body[last.span[1] :].strip():
        return None
    date = _safe_date(p.year, p.month, p.day)
    return (date, last.span[0]) if date else None


def _without_aside(text: str) -> str:
    """``_TRAILING_ASIDE.sub("", text)``: the text before its trailing whitespace, or before a last
    bracket of at most 20 characters and the whitespace around it (found with rstrip and rfind, where
    the engine tries the pattern at every position)."""
    if "\n" in text:  # ($ also matches before a final line break: lines have none)
        return _TRAILING_ASIDE.sub("", text)
    body = text.rstrip()  # (the \s of a str pattern is what str.isspace accepts)
    if body.endswith(")"):
        at = body.rfind("(")
        if at >= 0 and len(body) - at - 2 <= _ASIDE_CHARS and ")" not in body[at + 1 : -1]:
            return body[:at].rstrip()
    return body


# the longest bracket _TRAILING_ASIDE takes ({0,20})
_ASIDE_CHARS = 20


@functools.cache
def _date_ends() -> frozenset[str]:
    """The characters a date with its day can end with in find_dates' grammar (what may follow the
    day: a weekday, its bracket, a time of day): the last characters of these words, digits (2025-03-06,
    16:00, a date whose separators were lost) and ``)``."""
    w = load_vocab().words
    keys = (
        "day_markers",
        "weekday_names",
        "hour_markers",
        "numeral_hour_markers",
        "minute_markers",
        "half_hour",
        "whole_hour",
    )
    return frozenset({word[-1] for k in keys for word in w[k]} | set("0123456789)"))


def is_org(text: str, v: SegmentVocab) -> bool:
    """Whether a line (or part of one) is the name of one or more signing bodies."""
    t = text.strip()
    if not 2 <= len(t) <= v.issuer_max or re.search(r"[。,;:!?]", t):
        return False
    return all(v.org_suffix.search(part) for part in _ORG_SEPARATORS.split(t) if part)


def find_signature(
    lines: list[Line], v: SegmentVocab, dated: Callable[[str], tuple[dt.date, int] | None] | None = None
) -> Signature | None:
    """The notice's signature block among ``lines`` (its body lines, title excluded).

    The first date line with a signing body (on the same line or the lines above) wins: in a
    印发 notice the cover letter is signed before the attached plan. A date line with no body
    counts only as the notice's last line. ``dated`` stands in for :func:`line_date` (a cache of it).
    """
    dated = dated or line_date
    for k, line in enumerate(lines):
        found = dated(line.text)
        if found is None:
            continue
        date, at = found
        head = line.text[:at].strip()
        if head and is_org(head, v):
            lead = len(line.text) - len(line.text.lstrip())
            return Signature(
                (line.start + lead, line.end), (line.start + lead, line.start + lead + len(head)), date
            )
        if head:
            continue
        above = _issuer_lines_above(lines, k, v)
        if above:
            orgs = [ln for ln in above if not v.aside.match(ln.text.strip())]
            span = (orgs[0].start, orgs[-1].end) if orgs else None
            return Signature((above[0].start, line.end), span, date)
        if all(not ln.text.strip() or v.aside.match(ln.text.strip()) for ln in lines[k + 1 :]):
            return Signature((line.start, line.end), None, date)
    return None


def _issuer_lines_above(lines: list[Line], k: int, v: SegmentVocab) -> list[Line]:
    """The signing-body lines right above line ``k`` (asides such as (…代章) included)."""
    out: list[Line] = []
    for j in range(k - 1, max(-1, k - 1 - _ISSUER_LINES), -1):
        t = lines[j].text.strip()
        if v.aside.match(t) or is_org(t, v):
            out.insert(0, lines[j])
        else:
            break
    return out if any(not v.aside.match(ln.text.strip()) for ln in out) else []


def published_line(
    text: str,
    v: SegmentVocab,
    labelled_only: bool = False,
    dated: Callable[[str], tuple[dt.date, int] | None] = line_date,
) -> dt.date | None:
    """The date of a 发布时间/发布日期 label in a short line, or of a line that is only a date.
    ``dated`` stands in for :func:`line_date` (a cache of it: the scan has read most lines' dates).

    >>> from reminder.extract.segment_data import vocab
    >>> published_line("来源:温州市科学技术局  发布时间:2025-03-06  浏览次数:120", vocab())
    datetime.date(2025, 3, 6)
    """
    t = text.strip()
    if len(t) > DATE_LINE_MAX:
        return None
    m = v.published_label.search(t)
    if m:
        mentions, _ = find_dates(t[m.end() :])
        first = mentions[0] if mentions else None
        if first and first.span[0] == 0 and first.start.year and first.start.day and first.end is None:
            return _safe_date(first.start.year, first.start.month, first.start.day)
        return None
    found = None if labelled_only else dated(t)
    return found[0] if found and found[1] == 0 else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def issuer_in_title(title: str, v: SegmentVocab) -> tuple[int, int] | None:
    """Offsets (within ``title``) of the issuer a title names: before 关于/印发, or 经济部公告."""
    m = v.title_issuer_split.search(title) or v.title_issuer_kind.search(title)
    if not m or m.start() == 0:
        return None
    head = title[: m.start()].rstrip()
    return (0, len(head)) if is_org(head, v) else None


def issuer_in_body(body: str, v: SegmentVocab) -> tuple[int, int] | None:
    """Offsets (within ``body``) of the body that 负责解释 the text: its issuer."""
    m = v.interpret.search(body)
    return m.span("org") if m else None


def issuer_level(issuer: str, v: SegmentVocab) -> str | None:
    """The administrative level of an issuer, from the smallest unit its name mentions.

    >>> from reminder.extract.segment_data import vocab
    >>> [issuer_level(x, vocab()) for x in ["浙江省市场监督管理局", "杭州市临安区人民政府", "科技部火炬中心", "省经信厅"]]
    ['provincial', 'district', 'national', 'provincial']
    """
    name = _ORG_SEPARATORS.split(issuer.strip())[0]
    if not name:
        return None
    if name[0] in v.abbreviations:
        return v.abbreviations[name[0]]
    levels = _chain_levels(name, v)
    if levels:
        order = ("national", "provincial", "municipal", "district")
        return max(levels, key=order.index)
    if v.provinces.search(name):
        return "provincial"
    if v.national_name.search(name):
        return "national"
    return None


def _chain_levels(name: str, v: SegmentVocab) -> list[str]:
    """Levels of the place names an issuer's name starts with (浙江省 → 杭州市 → 临安区).

    Only the leading chain counts: 市 in 浙江省市场监督管理局 or 城市 inside a department name is no place.
    """
    levels = []
    pos = 0
    while m := v.region_unit.match(name, pos):
        level = v.region_units[m.group("unit")]
        if level == "municipal" and name[pos : m.end()] in v.provincial_cities:
            level = "provincial"
        levels.append(level)
        pos = m.end()
    return levels


def is_call(body: str, v: SegmentVocab, policy_title: bool = False) -> bool:
    """Whether a notice body calls for applications (申报/申请/报送 with a deadline or a procedure).

    Under a policy text's title (关于印发…办法的通知) only the strong cues count: a 办法 also says
    企业可申请 or 组织开展认定工作 without calling for anything now.
    """
    return (v.strong_calls if policy_title else v.calls).found(body)


def is_rolling(body: str, v: SegmentVocab) -> bool:
    """Whether applications are taken at any time (常态化受理, 常年申报, 随时申报)."""
    return literal_found(v.rolling, body)


def addressed_nationally(body: str, v: SegmentVocab) -> bool:
    """Whether the notice addresses every province (各省、自治区、直辖市): a national notice."""
    if v.national_needs is not None and not holds_any(body, v.national_needs):
        return False
    return bool(v.national_addressee.search(body))


def news_score(view: str, lines: list[Line], v: SegmentVocab) -> int:
    """How strongly the document reads as a news bulletin or newspaper page (sum of rule weights)."""
    head = "\n".join(ln.text for ln in lines[: v.news_head_lines])
    return sum(rule.weight for rule in v.news_rules if rule.found(head if rule.head else view))
