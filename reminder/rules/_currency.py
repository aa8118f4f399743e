"""Currencies of money amounts: which one an amount or a threshold is in (data/currencies.yaml).

>>> split_currency("新臺幣5000萬元")
('5000万元', '新台币')
>>> split_currency("2亿元")
('2亿元', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reminder import tables
from reminder.errors import DataFileError

from ._data import as_str_list, load_yaml
from ._units import fold

__all__ = ["default_currency", "currencies", "canonical_currency", "split_currency", "condition_currency"]

_YAML = "currencies.yaml"


@tables.cached
def _table() -> tuple[str, Mapping[str, str], tuple[str, ...]]:
    data = load_yaml(_YAML, frozenset({"default", "names"}))
    words: dict[str, str] = {}
    for name, listed in data["names"].items():
        for word in [str(name), *as_str_list(_YAML, f"names.{name}", listed)]:
            words[fold(word).upper()] = str(name)
    if data["default"] not in data["names"]:
        raise DataFileError(f"{_YAML}: default: 未知币种 / unknown currency {data['default']!r}")
    # longest first, so 新台币 is found before 台币
    names = tuple(str(n) for n in data["names"])
    return str(data["default"]), dict(sorted(words.items(), key=lambda kv: -len(kv[0]))), names


def default_currency() -> str:
    """The currency of amounts that name none (人民币)."""
    return _table()[0]


def currencies() -> tuple[str, ...]:
    """The canonical currency names, the default (人民币) first, then in table order."""
    default, _, names = _table()
    return (default, *(n for n in names if n != default))


def canonical_currency(word: str) -> str | None:
    """The canonical currency a word names (新臺幣 → 新台币), None when it names none."""
    return _table()[1].get(fold(word).upper())


def split_currency(text: str) -> tuple[str, str | None]:
    """An amount without its currency word, and that currency (None when it names none)."""
    folded = fold(text)
    upper = folded.upper()
    for word, name in _table()[1].items():
        at = upper.find(word)
        if at >= 0:
            rest = (folded[:at] + folded[at + len(word) :]).strip("()（）")
            return rest.replace("()", "").replace("（）", ""), name
    return folded, None


def condition_currency(value: Any, unit: str | None) -> str:
    """The currency of a condition's threshold, from its unit (万元(新臺幣)) or its value."""
    for text in (unit, value):
        if isinstance(text, str) and text:
            found = split_currency(text)[1]
            if found is not None:
                return found
    return default_currency()
