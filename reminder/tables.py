"""One loader for every data table: rule tables, vocabularies and the field registry (YAML).

    load_table(package, name, keys)   read + validate one table; the operator's copy wins if present
    table_source(package, name)       where a table is read from (override or packaged file)
    parse_table(text, file, keys)     the same validation over text already read
    check_keys / as_str_list          the same checks for nested items
    cached / clear_caches             functools.cache for compiled tables, reset together (tests, reload)

Every table is validated the same way when it loads: the top level is a mapping, every key is in the
allow-list, every listed key is present and of the listed type. A mistake raises
:class:`~reminder.errors.DataFileError` naming the file and the key, in Chinese and English.

Overrides: a packaged table ``reminder/<package>/data/<name>`` is replaced, whole, by
``<tables_dir>/<package>/<name>`` when that file exists (``reminder/data/<name>`` by
``<tables_dir>/<name>``). ``tables_dir`` is the setting ``REMINDER_TABLES_DIR``, default
``config/data``. An override is validated exactly like the packaged file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from reminder.config import get_settings
from reminder.errors import DataFileError

if TYPE_CHECKING:
    from functools import _lru_cache_wrapper

__all__ = [
    "Keys",
    "load_table",
    "parse_mapping",
    "parse_table",
    "read_table_text",
    "table_source",
    "overrides_dir",
    "check_keys",
    "as_str_list",
    "table_error",
    "cached",
    "clear_caches",
]

T = TypeVar("T")

#: allowed top-level keys: key → expected type (or types), or just the key names (any type)
Keys = Mapping[str, type | tuple[type, ...]] | Collection[str]

# libyaml's safe loader when compiled in: ten times faster on the region tables
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CACHES: list[Callable[[], None]] = []


def cached(func: Callable[..., T]) -> _lru_cache_wrapper[T]:
    """``functools.cache`` for a function over data tables, cleared by :func:`clear_caches`."""
    wrapper = functools.cache(func)
    _CACHES.append(wrapper.cache_clear)
    return wrapper


def clear_caches() -> None:
    """Forget every table read and compiled so far: the next use reads the files again."""
    for clear in _CACHES:
        clear()


def table_error(file: str, key: str, zh: str, en: str) -> DataFileError:
    """A :class:`DataFileError` saying, in Chinese then English, what is wrong with ``key`` of ``file``."""
    return DataFileError(f"数据表 {file} 的键 {key}：{zh} / {file}: {key}: {en}", file=file, key=key)


def overrides_dir() -> Path:
    """Where operators put their own copies of data tables (setting ``REMINDER_TABLES_DIR``)."""
    return get_settings().tables_dir


def _override(package: str, name: str) -> Path:
    sub = package.removeprefix("reminder").lstrip(".").replace(".", "/")
    return overrides_dir() / sub / name if sub else overrides_dir() / name


def table_source(package: str, name: str) -> str:
    """The file a table is read from: the operator's override when it exists, else the packaged one.

    >>> table_source("reminder.extract", "dates.yaml")
    'reminder/extract/data/dates.yaml'
    """
    override = _override(package, name)
    if override.is_file():
        return str(override)
    return f"{package.replace('.', '/')}/data/{name}"


def read_table_text(package: str, name: str) -> tuple[str, str]:
    """The text of a table and the file it came from (override or packaged).

    Raises:
        DataFileError: the file cannot be read.
    """
    override = _override(package, name)
    try:
        if override.is_file():
            return override.read_text(encoding="utf-8"), str(override)
        text = resources.files(package).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        shown = table_source(package, name)
        raise DataFileError(
            f"数据表 {shown} 无法读取 / cannot read data table {shown}: {exc}", file=shown
        ) from exc
    return text, table_source(package, name)


def _type_name(expected: type | tuple[type, ...]) -> str:
    return " | ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))


def check_keys(
    file: str, where: str, item: Any, allowed: Iterable[str], required: Iterable[str] = ()
) -> None:
    """Raise ``DataFileError`` when ``item`` is not a mapping, has a key outside ``allowed`` or lacks a required one."""
    if not isinstance(item, Mapping):
        raise table_error(file, where, "应为映射", "must be a mapping")
    allowed_set = set(allowed)
    for key in item:
        if key not in allowed_set:
            raise table_error(
                file,
                f"{where}.{key}" if where != "(top level)" else str(key),
                f"未知键 {key!r}（可用：{'、'.join(sorted(allowed_set))}）",
                f"unknown key {key!r} (allowed: {sorted(allowed_set)})",
            )
    for key in required:
        if key not in item:
            raise table_error(file, where, f"缺少键 {key!r}", f"missing key {key!r}")


def as_str_list(file: str, where: str, value: Any) -> list[str]:
    """``value`` as a list of non-empty strings (None: empty), or ``DataFileError`` naming file and key."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise table_error(file, where, "应为字符串列表", "must be a list of strings")
    return list(value)


def _mapping(text: str, file: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise DataFileError(
            f"数据表 {file} 不是有效的 YAML / {file}: invalid YAML: {exc}", file=file
        ) from exc
    if not isinstance(data, dict):
        raise table_error(file, "(top level)", "顶层应为映射", "top level must be a mapping")
    return data


def _validate(data: dict[str, Any], file: str, keys: Keys) -> dict[str, Any]:
    check_keys(file, "(top level)", data, keys, required=keys)
    if isinstance(keys, Mapping):
        for key, expected in keys.items():
            if not isinstance(data[key], expected):
                got = type(data[key]).__name__
                raise table_error(
                    file,
                    key,
                    f"应为 {_type_name(expected)}，实为 {got}",
                    f"must be {_type_name(expected)}, got {got}",
                )
    return data


def parse_mapping(text: str, file: str) -> dict[str, Any]:
    """Parse a YAML file whose top level is a mapping, leaving key checks to the caller.

    Raises:
        DataFileError: invalid YAML or a top level that is not a mapping.
    """
    return _mapping(text, file)


def parse_table(text: str, file: str, keys: Keys) -> dict[str, Any]:
    """Parse a YAML table and check its top-level keys (all required) and, when given, their types.

    Args:
        text: the YAML text.
        file: the file name shown in errors.
        keys: the allowed top-level keys, each with its expected type, or just their names.

    Returns:
        The parsed mapping.

    Raises:
        DataFileError: invalid YAML, not a mapping, or an unknown, missing or mistyped key.
    """
    return _validate(_mapping(text, file), file, keys)


@cached
def _parsed(package: str, name: str) -> tuple[dict[str, Any], str]:
    text, file = read_table_text(package, name)
    return _mapping(text, file), file


def load_table(package: str, name: str, keys: Keys) -> dict[str, Any]:
    """One data table, read once per process and validated on every call (top level only: cheap).

    Args:
        package: the package whose ``data/`` folder holds the table, e.g. ``"reminder.extract"``.
        name: the file name, e.g. ``"dates.yaml"``.
        keys: the allowed top-level keys (all required), with their types or just their names.

    Returns:
        The parsed mapping (shared: do not modify it).

    Raises:
        DataFileError: unreadable file, invalid YAML, or an unknown, missing or mistyped key.
    """
    data, file = _parsed(package, name)
    return _validate(data, file, keys)
