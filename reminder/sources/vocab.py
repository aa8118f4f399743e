"""The words and selectors of government pages, from ``data/pages.yaml``, checked when loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from reminder.sources.errors import SourceError
from reminder.tables import as_str_list, cached, load_table, table_error, table_source

__all__ = ["PageWords", "page_words", "selector"]

_FILE = "pages.yaml"
_KEYS: dict[str, type] = {
    "next_words": list,
    "nav_words": list,
    "nav_containers": list,
    "min_title_chars": int,
    "body_selectors": list,
    "attachment_ends": list,
    "attachment_words": list,
    "title_separators": list,
    "column_words": list,
}


@dataclass(frozen=True)
class PageWords:
    """``pages.yaml`` compiled."""

    next_words: frozenset[str]
    nav_words: frozenset[str]
    nav_containers: tuple[str, ...]
    min_title_chars: int
    body_selectors: tuple[Any, ...]
    attachment_ends: tuple[str, ...]
    attachment_words: tuple[str, ...]
    title_separators: tuple[str, ...]
    column_words: tuple[str, ...]


def selector(css: str) -> Any:
    """A compiled CSS selector.

    Raises:
        SourceError: the selector is not valid CSS.
    """
    try:
        return CSSSelector(css)
    except SelectorError as exc:
        raise SourceError(f"CSS 选择器无效：{css!r}（{exc}）/ invalid CSS selector") from None


def _lists(data: dict[str, Any], file: str) -> dict[str, list[str]]:
    return {key: as_str_list(file, key, data[key]) for key, kind in _KEYS.items() if kind is list}


@cached
def page_words() -> PageWords:
    """The packaged table, or the operator's ``<tables_dir>/sources/pages.yaml``.

    Raises:
        DataFileError: an unknown, missing or mistyped key, or an invalid selector.
    """
    data = load_table("reminder.sources", _FILE, _KEYS)
    file = table_source("reminder.sources", _FILE)
    lists = _lists(data, file)
    compiled = []
    for i, css in enumerate(lists["body_selectors"]):
        try:
            compiled.append(selector(css))
        except SourceError as exc:
            raise table_error(file, f"body_selectors[{i}]", str(exc), "invalid CSS selector") from None
    return PageWords(
        next_words=frozenset(w.lower() for w in lists["next_words"]),
        nav_words=frozenset(lists["nav_words"]),
        nav_containers=tuple(w.lower() for w in lists["nav_containers"]),
        min_title_chars=int(data["min_title_chars"]),
        body_selectors=tuple(compiled),
        attachment_ends=tuple(w.lower().lstrip(".") for w in lists["attachment_ends"]),
        attachment_words=tuple(lists["attachment_words"]),
        title_separators=tuple(lists["title_separators"]),
        column_words=tuple(lists["column_words"]),
    )
