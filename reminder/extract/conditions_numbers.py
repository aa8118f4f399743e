"""Numbers, units and comparison words of conditions: 2 亿元 → 20000 万元, 一年以上 → >= 1 年.

The regex pieces here are shared by every numeric rule; the words come from ``data/conditions.yaml``.
"""

from __future__ import annotations

import functools
import re

from reminder.extract._data import alternation
from reminder.extract.conditions_data import Vocab
from reminder.extract.regex_shortcuts import optional_branches

__all__ = ["NUM", "compare_tail", "inclusion", "parse_number", "amount", "comparison", "tidy", "unit_name"]

#: a number as notices write it: 500, 1,000, 1.5, 2 0 0 0 (PDF spacing), 一亿 / 两千 / 五
NUM = r"\d[\d,]*(?:[ \t]\d+)*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"


@functools.cache
def compare_tail(v: Vocab) -> str:
    """The regex after a field word: [comparison] [currency] number unit [(含)] [以上] [(含)].

    Named groups: ``pre``, ``cur``, ``num``, ``unit``, ``inc``, ``suf``, ``inc2``. A remark in brackets
    may stand before the suffix: 一年(365个日历天数)以上. (Its optional parts are written as
    alternations with an empty branch: see :func:`optional_branches`; the rules try it at many places.)
    """
    return optional_branches(_compare_tail_text(v))


def inclusion(v: Vocab) -> str:
    """The words in brackets after a number saying whether the bound is included: 含 / 不含 …"""
    return alternation([*v.comparators["inclusive"], *v.comparators["exclusive"]])


def _compare_tail_text(v: Vocab) -> str:
    """:func:`compare_tail` as written."""
    comp = v.comparators
    pre = alternation([*v.prefix_ops, *comp["weak_prefix"]])
    incl = inclusion(v)
    return (
        rf"(?:(?P<pre>{pre})\s*)?(?P<cur>{alternation(comp['currency'])})?\s*"
        rf"(?P<num>{NUM})\s*(?P<unit>{v.unit_alt})"
        rf"(?:\s*\((?P<inc>{incl})(?:\s*[\d.]+\s*(?:{v.unit_alt})?)?\))?"
        r"(?:\s*\((?!含|包含|不含|不包含)[^()]{1,16}\))?"
        rf"(?:\s*(?P<suf>{alternation(list(v.suffix_ops))}))?"
        rf"(?:\s*\((?P<inc2>{incl})\))?"
    )


def parse_number(token: str, v: Vocab) -> float | None:
    """The value of a written number.

    >>> from reminder.extract.conditions_data import vocab
    >>> parse_number("1,000", vocab()), parse_number("两千", vocab()), parse_number("一点五", vocab())
    (1000.0, 2000.0, 1.5)
    """
    token = re.sub(r"[,\s]", "", token)
    if not token:
        return None
    if token[0].isdigit():
        try:
            return float(token)
        except ValueError:
            return None
    whole, _, frac = token.partition("点")
    value = float(_chinese_integer(whole, v))
    if frac:
        value += float("0." + "".join(str(v.digits.get(ch, 0)) for ch in frac))
    return value


def _chinese_integer(token: str, v: Vocab) -> int:
    """两千 → 2000, 一百二十 → 120, 十 → 10."""
    total = current = 0
    for ch in token:
        if ch in v.numeral_units:
            total += (current or 1) * v.numeral_units[ch]
            current = 0
        else:
            current = current * 10 + v.digits.get(ch, 0) if current else v.digits.get(ch, 0)
    return total + current


def amount(token: str, unit: str, v: Vocab) -> tuple[float, str] | None:
    """(value in the canonical unit, unit class) of a number and its unit word: (2, 亿元) → (20000, money)."""
    number = parse_number(token, v)
    if number is None or unit not in v.units:
        return None
    cls, factor = v.units[unit]
    return number * factor, cls


def comparison(m: re.Match[str], v: Vocab) -> str | None:
    """The operator of a :func:`compare_tail` match; None when nothing says which way.

    A real comparison word before the number wins over 以上/以下 after it; (含)/(不含) then make the
    bound inclusive or strict.
    """
    pre, suf = m.group("pre"), m.group("suf")
    op = v.prefix_ops.get(pre) if pre and pre not in v.weak_prefix else None
    if op is None and suf:
        op = v.suffix_ops[suf]
    if op is None:
        return None
    inc = m.group("inc2") or m.group("inc")
    if inc in v.inclusive:
        op = {">": ">=", "<": "<="}.get(op, op)
    elif inc in v.exclusive:
        op = {">=": ">", "<=": "<"}.get(op, op)
    return op


def _unit_currency(unit: str, v: Vocab) -> str | None:
    """The currency word inside a unit written after the amount (万港元 → 港元)."""
    return next((cur for cur in v.currency_units if cur in unit), None) if len(unit) > 2 else None


def tidy(x: float) -> int | float:
    """20000.0 → 20000, 0.30000000000000004 → 0.3."""
    x = round(x, 6)
    return int(x) if x == int(x) else x


def unit_name(m: re.Match[str], cls: str, v: Vocab) -> str:
    """The unit written in a condition: 万元, or 万元(新臺幣) after a foreign currency word (新臺幣 is not 人民币)."""
    unit = v.unit_names[cls]
    cur = m.groupdict().get("cur") or _unit_currency(m.groupdict().get("unit") or "", v)
    foreign = v.currency_units.get(cur) if cur else None
    return f"{unit}({foreign})" if foreign and cls == "money" else unit
