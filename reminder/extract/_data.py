"""Loading of the rule tables in ``reminder/extract/data/*.yaml``.

Tables are vocabulary (cue words, units, comparison words); code only interprets them. Reading and
checking is :mod:`reminder.tables`' (one loader for every table, operator overrides included).
"""

from __future__ import annotations

import re
from typing import Any

from reminder import tables

__all__ = ["load_table", "alternation"]


def load_table(name: str, allowed: dict[str, type]) -> dict[str, Any]:
    """The table ``data/<name>.yaml`` (or the operator's override), validated against ``allowed`` (key → type).

    Raises:
        DataFileError: unknown key, missing key or wrong type, naming file and key.
    """
    return tables.load_table("reminder.extract", f"{name}.yaml", allowed)


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first so 截止时间 wins over 截止."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
