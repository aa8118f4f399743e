"""Founding dates the applicant must have been registered before or after (field ``founded_date``):

    企业须在2022年12月31日前注册成立          → founded_date <= 2022-12-31
    成立时间不晚于2021年6月30日                → founded_date <= 2021-06-30
    2024年1月1日以后在本区新设立的企业         → founded_date >= 2024-01-01
    成立日期在2019年1月1日至2023年12月31日之间 → >= 2019-01-01 and <= 2023-12-31

Another day of the applicant (集聚区建成营业时间应不晚于2021年9月30日) is a manual condition (``other``)
with the day as its value. A company's age (注册成立一年以上) is ``company_age_years``; a date only counts next to the founding
words of ``data/conditions.yaml`` (``founding``). The same words before an account in an online system
(于3月20日前在申报系统注册账号) are a step of applying, not a founding date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re

from reminder.extract._data import alternation
from reminder.extract.conditions_data import Vocab
from reminder.extract.conditions_numbers import inclusion
from reminder.extract.conditions_rules import Candidate, Rule, Sentence

__all__ = ["FOUNDING_RULES", "founding_value"]


def _date(p: str) -> str:
    """A date with a year, as the match view writes it; a bare year or month counts whole."""
    return (
        rf"(?P<{p}>(?P<{p}y>(?:19|20)\d{{2}})\s*年\s*(?:(?P<{p}m>\d{{1,2}})\s*月\s*(?:(?P<{p}d>\d{{1,2}})\s*[日号])?"
        rf"|(?P<{p}e>底|末))?)"
    )


def _end(p: str) -> str:
    """The end of a range: its year may be left to the start's (2023年1月1日至12月31日)."""
    return (
        rf"(?P<{p}>(?:(?P<{p}y>(?:19|20)\d{{2}})\s*年\s*)?(?:(?P<{p}m>\d{{1,2}})\s*月\s*"
        rf"(?:(?P<{p}d>\d{{1,2}})\s*[日号])?|(?<=年)(?P<{p}e>底|末))"
        rf"|(?P<{p}ey>(?:19|20)\d{{2}})\s*年)"
    )


#: what may stand between the subject and its date (成立时间须在 / 应为 / 均于)
_LINK = r"\s*(?:须|需|应|应当|必须|均|要求|需要)?\s*(?:在|于|为|是)?\s*"
#: between the date and the act: a place (在本区), and 新/已/依法/完成/办理
_GAP = r"(?:(?:在|于)[^,;。:()]{1,14}?)?(?:依法|新|已|完成|办理|进行)*"
_RANGE = r"\s*(?:至|到|-|—|~|～)\s*"


def _relation(v: Vocab, sfx: str) -> str:
    """After a date: [(含)/(不含)] 之前 or 以后 (groups ``inc``, ``before``, ``after`` + ``sfx``)."""
    f = v.founding
    return (
        rf"(?:\s*\((?P<inc{sfx}>{inclusion(v)})\))?\s*"
        rf"(?:(?P<before{sfx}>{alternation(f['before'])})|(?P<after{sfx}>{alternation(f['after'])}))"
    )


@functools.cache
def _founding_rx(v: Vocab) -> re.Pattern[str]:
    f = v.founding
    between = r"(?:\s*(?:之间|期间|以内|内))?"
    return re.compile(
        # 成立时间在2019年1月1日至2023年12月31日之间 / 成立时间在2023年1月1日之前 / 成立时间不晚于…
        rf"(?:(?P<osubj>{alternation(f['other_subjects'])})|(?P<subj>{alternation(f['subjects'])})){_LINK}"
        rf"(?:(?P<cmp>{alternation(list(f['compare']))})\s*{_date('a')}"
        rf"|{_date('r')}{_RANGE}{_end('s')}{between}|{_date('b')}{_relation(v, '')})"
        # 2022年12月31日前注册成立 / 2023年1月1日至2024年12月31日期间新注册的
        rf"|(?:{_date('c')}{_RANGE}{_end('t')}{between}|{_date('d')}{_relation(v, '2')})"
        rf"\s*(?P<gap>{_GAP})(?P<verb>{alternation(f['verbs'])})"
    )


def founding_value(
    year: str, month: str | None, day: str | None, end: str | None, *, last: bool
) -> str | None:
    """The ISO date of a written date; a bare year or month is its ``last`` or first day. None when impossible.

    >>> founding_value("2020", None, None, None, last=True), founding_value("2023", "2", None, None, last=True)
    ('2020-12-31', '2023-02-28')
    """
    y = int(year)
    if month is None:
        return f"{y}-12-31" if last or end else f"{y}-01-01"
    m = int(month)
    if not 1 <= m <= 12:
        return None
    d = int(day) if day is not None else (calendar.monthrange(y, m)[1] if last else 1)
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _point(m: re.Match[str], p: str, *, last: bool, year: str | None = None) -> str | None:
    """The day of point ``p``; an end without a year of its own takes ``year`` (its start's)."""
    groups = m.groupdict()
    if groups.get(f"{p}ey"):  # a bare year at the end: 2019年至2021年
        return founding_value(groups[f"{p}ey"], None, None, None, last=last)
    own = m.group(f"{p}y") or year
    if own is None:
        return None
    return founding_value(own, m.group(f"{p}m"), m.group(f"{p}d"), m.group(f"{p}e"), last=last)


def _op(m: re.Match[str], v: Vocab, suffix: str) -> str | None:
    before, after = m.group(f"before{suffix}"), m.group(f"after{suffix}")
    inc = m.group(f"inc{suffix}")
    if before:
        return "<" if inc in v.exclusive else "<="
    if after:
        return ">" if inc in v.exclusive else ">="
    return None


def _not_founding(m: re.Match[str], s: Sentence, v: Vocab) -> bool:
    """The act names something else than the company's founding (an account in a system, an age)."""
    if m.group("verb") is None:
        return False
    f = v.founding
    rest = s.text[m.end() : m.end() + 4]
    if any(rest.startswith(w) for w in f["not_after"]):
        return True
    gap = m.group("gap") or ""
    if any(w in gap for w in f["not_between"]):
        return True
    # 注册 / 登记 alone: only after a place (在本区注册) or before 的企业 / 的单位
    return (
        m.group("verb") in f["weak_verbs"]
        and "在" not in gap
        and not re.match(r"的?(?:企业|单位|公司|机构)", rest)
    )


def _founding(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    if _not_founding(m, s, v):
        return []
    span = (m.start(), m.end())
    bounds: list[tuple[str, str | None, tuple[int, int]]] = []
    if m.group("cmp"):
        op = v.founding["compare"][m.group("cmp")]
        bounds.append((op, _point(m, "a", last=op in ("<=", ">")), m.span("a")))
    for lo, hi in (("r", "s"), ("c", "t")):
        if m.group(f"{lo}y"):
            bounds.append((">=", _point(m, lo, last=False), m.span(lo)))
            bounds.append(("<=", _point(m, hi, last=True, year=m.group(f"{lo}y")), m.span(hi)))
    for p, suffix in (("b", ""), ("d", "2")):
        if m.group(f"{p}y") and (op := _op(m, v, suffix)) is not None:
            bounds.append((op, _point(m, p, last=op in ("<=", ">")), m.span(p)))
    if any(value is None for _, value, _ in bounds):
        return []
    field = "other" if m.group("osubj") else "founded_date"
    return [Candidate(field, op, value, None, span, key, rule) for op, value, key in bounds]


FOUNDING_RULES: tuple[Rule, ...] = (Rule("founding_date", _founding_rx, _founding),)
