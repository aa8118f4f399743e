"""Loading of the rule tables in ``reminder/extract/data/*.yaml``.

Tables are vocabulary (cue words, units, comparison words); code only interprets them. Each table is
checked against an allow-list of keys when it loads, and a mistake names the file and the key.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import yaml

from reminder.errors import DataFileError

# libyaml's safe loader when compiled in: ten times faster on the region tables
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["load_table", "alternation"]


@functools.cache
def _read(name: str) -> dict[str, Any]:
    path = resources.files("reminder.extract") / "data" / f"{name}.yaml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"规则表 {name}.yaml 无法读取 / cannot read rule table {name}.yaml: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"规则表 {name}.yaml 顶层必须是映射 / top level of {name}.yaml must be a mapping")
    return data


def load_table(name: str, allowed: dict[str, type]) -> dict[str, Any]:
    """The table ``data/<name>.yaml``, validated against ``allowed`` (key → expected type).

    Raises:
        DataFileError: unknown key, missing key or wrong type, naming file and key.
    """
    data = _read(name)
    for key, value in data.items():
        if key not in allowed:
            raise DataFileError(
                f"{name}.yaml: 未知的键 / unknown key {key!r}; allowed: {', '.join(sorted(allowed))}"
            )
        if not isinstance(value, allowed[key]):
            raise DataFileError(
                f"{name}.yaml: 键 {key!r} 应为 / key {key!r} must be {allowed[key].__name__}, "
                f"got {type(value).__name__}"
            )
    missing = set(allowed) - set(data)
    if missing:
        raise DataFileError(f"{name}.yaml: 缺少键 / missing keys {', '.join(sorted(missing))}")
    return data


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first so 截止时间 wins over 截止."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
