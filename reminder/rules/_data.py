"""Loading the bundled vocabulary files of ``reminder/rules/data/``, validated against allow-lists.

Every table is checked when it loads: an unknown or missing key raises ``DataFileError`` naming the
file and the key, so a typo in a YAML file fails loudly instead of silently matching nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import yaml

from reminder.errors import DataFileError

# libyaml's safe loader when compiled in: ten times faster on the region tables
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["load_yaml", "read_text", "check_keys", "as_str_list"]


def read_text(name: str) -> str:
    """The text of one bundled data file, e.g. ``regions.csv``."""
    return resources.files("reminder.rules").joinpath("data").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def load_yaml(name: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    """Load a bundled YAML mapping and check its top-level keys.

    Args:
        name: file name under ``reminder/rules/data/``.
        allowed: the keys the file may have (all of them must be present).

    Returns:
        The parsed mapping.

    Raises:
        DataFileError: the file is not a mapping, or has unknown or missing keys.
    """
    try:
        data = yaml.load(read_text(name), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{name}: YAML 格式错误 / invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{name}: 顶层应为映射 / top level must be a mapping")
    check_keys(name, "(top level)", data, allowed, required=allowed)
    return data


def check_keys(
    name: str, where: str, item: Mapping[str, Any], allowed: Iterable[str], required: Iterable[str] = ()
) -> None:
    """Raise ``DataFileError`` when ``item`` has a key outside ``allowed`` or lacks a required one."""
    allowed_set = set(allowed)
    for key in item:
        if key not in allowed_set:
            raise DataFileError(
                f"{name}: {where}: 未知键 {key!r} / unknown key {key!r} (allowed: {sorted(allowed_set)})"
            )
    for key in required:
        if key not in item:
            raise DataFileError(f"{name}: {where}: 缺少键 {key!r} / missing key {key!r}")


def as_str_list(name: str, where: str, value: Any) -> list[str]:
    """``value`` as a list of non-empty strings, or ``DataFileError`` naming file and key."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataFileError(f"{name}: {where}: 应为字符串列表 / must be a list of strings")
    return list(value)
