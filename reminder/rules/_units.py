"""Numbers with units: reading ``"2亿元"``/``"320人"``/``"是"``, and writing ``20000`` 万元 as ``2亿元``.

The unit vocabulary is ``data/units.yaml``. Money is always held in 万元 as a ``Decimal``.

>>> parse_money("2億元"), parse_money("3000000元"), parse_money(2000)
(Decimal('20000'), Decimal('300'), Decimal('2000'))
>>> format_money(Decimal("20000")), format_money(Decimal("1500.50"))
('2亿元', '1500.5万元')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reminder.errors import DataFileError
from reminder.extract.normalize import to_simplified

from ._data import as_str_list, load_yaml

__all__ = [
    "parse_money",
    "parse_number",
    "parse_bool",
    "is_blank",
    "to_decimal",
    "format_money",
    "format_number",
    "fold",
]

_YAML = "units.yaml"
_KEYS = frozenset({"money", "plain", "true_words", "false_words", "blank_words"})
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$")
_YI = Decimal(10000)


@dataclass(frozen=True)
class _Units:
    money: Mapping[str, Decimal]
    plain: frozenset[str]
    true_words: frozenset[str]
    false_words: frozenset[str]
    blank_words: frozenset[str]


@functools.cache
def _units() -> _Units:
    data = load_yaml(_YAML, _KEYS)
    money = data["money"]
    if not isinstance(money, dict) or not all(isinstance(v, int | float) for v in money.values()):
        raise DataFileError(f"{_YAML}: money: 应为 单位: 倍数 的映射 / must map unit → multiplier")

    def words(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in as_str_list(_YAML, key, data[key]))

    return _Units(
        money={str(k): Decimal(str(v)) for k, v in money.items()},
        plain=words("plain"),
        true_words=words("true_words"),
        false_words=words("false_words"),
        blank_words=words("blank_words") | {""},
    )


# Full-width ASCII → half-width, ideographic space → space (built once: fold is on the matching hot path).
_HALF_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Simplified, half-width, trimmed, without thousands separators: the form values are read in.

    Cached: a CSV import folds the same headers, yes/no words and regions for every row."""
    half = text.translate(_HALF_WIDTH)
    return to_simplified(half).strip().replace(",", "").replace(" ", "")


def is_blank(value: Any) -> bool:
    """Whether a raw value means "not filled in" (None, "", "-", "未填"…)."""
    return value is None or (isinstance(value, str) and fold(value).lower() in _units().blank_words)


def to_decimal(value: int | float | Decimal) -> Decimal:
    """An exact Decimal for a number (floats through their shortest repr: 0.1 → Decimal("0.1"))."""
    if isinstance(value, bool):
        raise ValueError("应为数字，而不是是/否")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _split(text: str) -> tuple[Decimal, str]:
    """``"2.5亿元"`` → (2.5, "亿元"); Chinese numerals (两亿元, 五百人) are read too."""
    match = _NUMBER.match(text)
    if match:
        return Decimal(match.group(1)), match.group(2)
    import cn2an  # slow to import; only Chinese numerals need it

    for end in range(len(text), 0, -1):
        try:
            number = cn2an.cn2an(text[:end], "smart")
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        return Decimal(str(number)), text[end:]
    raise ValueError(f"“{text}”不是数字")


def parse_money(value: Any) -> Decimal:
    """An amount in 万元, from ``2000`` (万元 assumed), ``"500万元"``, ``"2亿元"``, ``"3000000元"``.

    Raises:
        ValueError: not an amount, an unknown unit, or negative (message in Chinese).
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = to_decimal(value)
    elif isinstance(value, str):
        number, unit = _split(fold(value))
        if unit and unit not in _units().money:
            known = "、".join(_units().money)
            raise ValueError(f"无法识别金额单位“{unit}”（可用：{known}）")
        amount = number * _units().money.get(unit, Decimal(1))
    else:
        raise ValueError(f"应为金额（如 500万元、2亿元），而不是 {value!r}")
    if amount < 0:
        raise ValueError("金额不能为负数")
    return _tidy(amount)


def _tidy(number: Decimal) -> Decimal:
    """``300.0000`` → ``300``, ``1.50`` → ``1.5``, without turning 20000 into ``2E+4``."""
    return Decimal(int(number)) if number == number.to_integral_value() else number.normalize()


def parse_number(value: Any, *, integer: bool = False) -> Decimal:
    """A plain number, from ``320``, ``"320人"``, ``"3.5%"``.

    Raises:
        ValueError: not a number, a unit that is not plain, or a fraction where an integer is needed.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = to_decimal(value)
    elif isinstance(value, str):
        number, unit = _split(fold(value))
        if unit and unit not in _units().plain:
            raise ValueError(f"“{value}”不是数字（无法识别单位“{unit}”）")
    else:
        raise ValueError(f"应为数字，而不是 {value!r}")
    if integer and number != number.to_integral_value():
        raise ValueError(f"应为整数，而不是 {format_number(number)}")
    return _tidy(number)


def parse_bool(value: Any) -> bool | None:
    """True/False from ``True``, ``"是"``/``"否"``, ``"yes"``, ``1``; None when blank.

    Raises:
        ValueError: a word that is neither yes nor no.
    """
    if isinstance(value, bool) or value is None:
        return value
    if is_blank(value):
        return None
    word = fold(str(value)).lower()
    if word in _units().true_words:
        return True
    if word in _units().false_words:
        return False
    raise ValueError(f"应为“是”或“否”，而不是“{value}”")


def format_number(value: int | float | Decimal) -> str:
    """``Decimal("320.0")`` → ``320``, ``0.80`` → ``0.8``: no exponent, no trailing zeros."""
    text = format(to_decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def format_money(value: int | float | Decimal) -> str:
    """An amount in 万元 as people write it: ``20000`` → ``2亿元``, ``500`` → ``500万元``."""
    amount = to_decimal(value)
    if abs(amount) >= _YI:
        return f"{format_number(amount / _YI)}亿元"
    return f"{format_number(amount)}万元"
