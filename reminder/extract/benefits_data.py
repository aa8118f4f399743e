"""The vocabulary of benefits, loaded from ``data/benefits.yaml`` and compiled once.

Every key is checked when the file loads; a mistake raises :class:`DataFileError` naming the file and
the key (``benefits.yaml: kinds: …``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reminder import tables
from reminder.extract._data import alternation, load_table
from reminder.extract.facts_text import NUM, compile_rx
from reminder.extract.regex_shortcuts import first_literals
from reminder.model import BENEFIT_KINDS

__all__ = ["BenefitVocab", "benefit_vocab"]

_FILE = "benefits.yaml"
_NUMERALS = "零〇○一二两三四五六七八九十百千"
# NUM that never gives characters back: what follows an amount's number (space, a unit, a connector)
# cannot start with anything the number's run holds, except 千/百 of 千万元/百万元, and those units
# match without them too; backtracking into a long digit run only re-fails, once per digit.
# Written as one class of its first characters, then a lookbehind picks the digits' or the numerals'
# branch (no digit is a numeral): the engine skips in C to where that class matches, where with two
# branches it would try both at every position (most of the money pattern's cost)
_NUM = (
    rf"[\d{_NUMERALS}](?:(?<=\d)[\d,]*+(?:\.\d++)?"
    rf"|(?<=[{_NUMERALS}])[{_NUMERALS}]*+(?:点[零〇○一二三四五六七八九]++)?)"
)

_KEYS: dict[str, type] = {
    "prefilter": list,
    "currencies": dict,
    "currency_places": dict,
    "per_unit": str,
    "threshold_words": str,
    "units": dict,
    "not_money_after": str,
    "kinds": dict,
    "give_words": list,
    "fillers": list,
    "cap_before": list,
    "cap_after": list,
    "condition_after": str,
    "rate_base": str,
    "rate_base_after_give": str,
    "rate_threshold": str,
    "tiers": list,
    "respectively": str,
    "one_off": list,
    "titles": list,
    "title_guard": str,
    "title_not_after": str,
    "tax": str,
    "tax_before": str,
    "tax_guard": str,
    "tax_not_after": str,
}


@dataclass(frozen=True)
class BenefitVocab:
    """Compiled patterns of ``benefits.yaml``."""

    prefilter: re.Pattern[str]
    #: a number then a money unit, or a range of them (10–50万元, 10万元至50万元); groups num, unit1, num2, unit
    money: re.Pattern[str]
    #: a percentage: 10%, 百分之十; groups num or cnum
    percent: re.Pattern[str]
    currency_before: re.Pattern[str]
    currency_after: re.Pattern[str]
    currencies: dict[str, str]
    #: (currency, any of its places) for notices that write bare 萬元
    currency_places: re.Pattern[str]
    #: place word → the currency its notices write bare 萬元 in
    place_currency: dict[str, str]
    per_unit: re.Pattern[str]
    threshold_words: re.Pattern[str]
    units: dict[str, float]
    not_money_after: str
    #: any kind word; word → kind
    kind_rx: re.Pattern[str]
    kinds: dict[str, str]
    #: the text before an amount ends with a give word once fillers are removed
    give_end: re.Pattern[str]
    give_any: re.Pattern[str]
    #: trailing fillers (group ``fill``) at the end of the text before an amount
    fillers_end: re.Pattern[str]
    #: the characters the give words and kind words are written with (see ``benefits._at_end``)
    give_chars: str
    #: the characters the fillers are written with
    filler_chars: str
    cap_before: re.Pattern[str]
    cap_after: re.Pattern[str]
    condition_after: re.Pattern[str]
    #: after an amount: (的)(一次性)(的) kind word
    kind_after: re.Pattern[str]
    rate_base: re.Pattern[str]
    rate_base_after_give: re.Pattern[str]
    rate_threshold: re.Pattern[str]
    tiers: re.Pattern[str]
    respectively: str
    one_off: re.Pattern[str]
    titles: tuple[re.Pattern[str], ...]
    title_guard: re.Pattern[str]
    title_not_after: re.Pattern[str]
    tax: re.Pattern[str]
    #: the characters every tax phrase starts with ("" when unknown: see ``literal_finditer``)
    tax_firsts: str
    tax_before: re.Pattern[str]
    tax_guard: re.Pattern[str]
    tax_not_after: re.Pattern[str]


def _chars(words: list[str]) -> str:
    """The characters ``words`` are written with, each once (a ``str.rstrip`` argument)."""
    return "".join(sorted(set("".join(words))))


def _str_map(data: object, key: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise tables.table_error(_FILE, key, "应为 文字 → 文字 的映射", "must map strings to strings")
    return dict(data)


def _kinds(data: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, words in data.items():
        if kind not in BENEFIT_KINDS:
            raise tables.table_error(
                _FILE,
                f"kinds.{kind}",
                f"未知类型（可用：{'、'.join(BENEFIT_KINDS)}）",
                f"unknown kind {kind!r}",
            )
        for word in tables.as_str_list(_FILE, f"kinds.{kind}", words):
            out[word] = str(kind)
    return out


def _units(data: dict[str, object]) -> dict[str, float]:
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in data.values()):
        raise tables.table_error(_FILE, "units", "应为 单位 → 数字", "must map unit words to numbers")
    return {str(k): float(v) for k, v in data.items()}  # type: ignore[arg-type]


def _places(data: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, words in data.items():
        if code not in ("TWD", "HKD", "MOP"):
            raise tables.table_error(
                _FILE, f"currency_places.{code}", "应为 TWD / HKD / MOP", "must be TWD, HKD or MOP"
            )
        out.update(dict.fromkeys(tables.as_str_list(_FILE, f"currency_places.{code}", words), str(code)))
    return out


@tables.cached
def benefit_vocab() -> BenefitVocab:
    """The compiled benefit vocabulary (read once; :func:`reminder.tables.clear_caches` forgets it)."""
    t = load_table("benefits", _KEYS)
    words = {
        k: tables.as_str_list(_FILE, k, t[k]) for k in ("prefilter", "give_words", "fillers", "cap_before")
    }
    words.update({k: tables.as_str_list(_FILE, k, t[k]) for k in ("cap_after", "tiers", "one_off", "titles")})
    currencies = _str_map(t["currencies"], "currencies")
    units = _units(t["units"])
    kinds = _kinds(t["kinds"])
    places = _places(t["currency_places"])
    cur = alternation(list(currencies))
    unit = alternation(list(units))
    kind = alternation(list(kinds))
    rx = {k: compile_rx(_FILE, k, t[k]) for k in ("condition_after", "rate_base", "rate_base_after_give")}
    rx.update(
        {k: compile_rx(_FILE, k, t[k]) for k in ("title_guard", "title_not_after", "tax", "tax_before")}
    )
    rx.update({k: compile_rx(_FILE, k, t[k]) for k in ("tax_guard", "tax_not_after")})
    return BenefitVocab(
        prefilter=re.compile(alternation(words["prefilter"])),
        money=re.compile(
            rf"(?P<num>{_NUM})\s*(?:(?:(?P<unit1>{unit})\s*)?[-–—~～至到]\s*(?:{cur})?\s*(?P<num2>{_NUM})\s*)?"
            rf"(?P<unit>{unit})"
        ),
        percent=re.compile(rf"(?P<num>\d+(?:\.\d+)?)\s*%|百分之(?P<cnum>{NUM})"),
        currency_before=re.compile(rf"(?:{cur})\s*$"),
        currency_after=re.compile(rf"^\s*(?:\()?(?:{cur})"),
        currencies=currencies,
        currency_places=re.compile(alternation(list(places))),
        place_currency=places,
        per_unit=compile_rx(_FILE, "per_unit", t["per_unit"]),
        threshold_words=compile_rx(_FILE, "threshold_words", t["threshold_words"]),
        units=units,
        not_money_after=str(t["not_money_after"]),
        kind_rx=re.compile(kind),
        kinds=kinds,
        give_end=re.compile(rf"(?:{alternation(words['give_words'] + list(kinds))})$"),
        give_any=re.compile(alternation(words["give_words"] + list(kinds))),
        fillers_end=re.compile(rf"(?P<fill>(?:{alternation(words['fillers'])})+)$"),
        give_chars=_chars(words["give_words"] + list(kinds)),
        filler_chars=_chars(words["fillers"]),
        cap_before=re.compile(alternation(words["cap_before"])),
        cap_after=re.compile(rf"^\s*(?:{alternation(words['cap_after'])})"),
        condition_after=rx["condition_after"],
        kind_after=re.compile(
            rf"^\s*(?:/[\u4e00-\u9fff]{{1,2}}\s*)?(?:的)?(?:一次性)?(?:的)?(?:资金|经费)?(?:{kind})"
        ),
        rate_base=rx["rate_base"],
        rate_base_after_give=rx["rate_base_after_give"],
        rate_threshold=compile_rx(_FILE, "rate_threshold", t["rate_threshold"]),
        tiers=re.compile(alternation(words["tiers"])),
        respectively=str(t["respectively"]),
        one_off=re.compile(alternation(words["one_off"])),
        titles=tuple(compile_rx(_FILE, f"titles[{i}]", p) for i, p in enumerate(words["titles"])),
        title_guard=rx["title_guard"],
        title_not_after=rx["title_not_after"],
        tax=rx["tax"],
        tax_firsts=first_literals(rx["tax"]),
        tax_before=rx["tax_before"],
        tax_guard=rx["tax_guard"],
        tax_not_after=rx["tax_not_after"],
    )
