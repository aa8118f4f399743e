"""The vocabulary of web-page text, loaded from ``data/page.yaml`` and compiled once.

Every key is checked when the file loads; a mistake raises :class:`DataFileError` naming the file and
the key (``page.yaml: chrome[2].pattern: …``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from reminder.errors import DataFileError
from reminder.extract._data import load_table, word_guard

__all__ = ["PageVocab", "page_vocab"]

_FILE = "page"
_KEYS: dict[str, type] = {
    "chrome": list,
    "chrome_trigger": str,
    "residue": str,
    "labels": dict,
    "level_words": dict,
    "not_issuer": str,
    "head_lines": int,
    "footer": str,
    "breadcrumb": str,
}
_FIELDS = ("index", "doc_number", "issuer", "title", "published", "level", "other")
_LEVELS = ("national", "provincial", "municipal", "district")
# Chrome sits on lines up to 120 characters (a metadata row with counters and buttons).
CHROME_LINE_MAX = 120
_CHROME_LINE = "^(?=[^\\n]{{0,120}}$)[^\\n{0}]*[{0}][^\\n]*$"  # 120: CHROME_LINE_MAX


@dataclass(frozen=True)
class PageVocab:
    """Compiled patterns of ``page.yaml``."""

    #: every chrome pattern in one alternation (one pass over the text)
    chrome: re.Pattern[str]
    #: a short line holding one of the characters every chrome pattern needs
    chrome_line: re.Pattern[str]
    #: one of the characters every chrome pattern needs (found at C speed; its line is then checked)
    chrome_trigger: re.Pattern[str]
    #: words of which a line chrome matches holds one (:func:`word_guard`), or None
    chrome_guard: re.Pattern[str] | None
    residue: re.Pattern[str]
    #: any label; group ``label`` holds it, spaces included
    label: re.Pattern[str]
    #: label with its spaces removed → field
    fields: dict[str, str]
    level_words: dict[str, str]
    not_issuer: re.Pattern[str]
    head_lines: int
    #: an HTML page's footer line: the main text ends before it
    footer: re.Pattern[str]
    breadcrumb: re.Pattern[str]


def _compile(key: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise DataFileError(f"{_FILE}.yaml: {key}: 无效的正则 / invalid regex {pattern!r}: {exc}") from exc


def _chrome(entries: list[Any]) -> re.Pattern[str]:
    parts = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or set(e) != {"name", "pattern"}:
            raise DataFileError(
                f"{_FILE}.yaml: chrome[{i}]: 应为 {{name, pattern}} / must be a mapping of name and pattern"
            )
        _compile(f"chrome[{i}].pattern", e["pattern"])
        parts.append(f"(?:{e['pattern']})")
    return _compile("chrome", "|".join(parts), re.M)


def _labels(table: dict[str, Any]) -> tuple[re.Pattern[str], dict[str, str]]:
    fields: dict[str, str] = {}
    for field, words in table.items():
        if field not in _FIELDS:
            raise DataFileError(
                f"{_FILE}.yaml: labels.{field}: 未知的字段 / unknown field; allowed: {', '.join(_FIELDS)}"
            )
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise DataFileError(f"{_FILE}.yaml: labels.{field}: 应为词表 / must be a list of words")
        fields.update({w: field for w in words})
    # longest first, spaces allowed between the characters (索 引 号)
    alts = "|".join(r"\s*".join(map(re.escape, w)) for w in sorted(fields, key=len, reverse=True))
    return _compile("labels", rf"(?P<label>{alts})\s*[\]】]?\s*[:|]?"), fields


@functools.cache
def page_vocab() -> PageVocab:
    """The compiled vocabulary (loaded once per process).

    Raises:
        DataFileError: ``page.yaml`` has an unknown, missing or mistyped key, or a bad regex.
    """
    data = load_table(_FILE, _KEYS)
    label, fields = _labels(data["labels"])
    for word, level in data["level_words"].items():
        if level not in _LEVELS:
            raise DataFileError(
                f"{_FILE}.yaml: level_words.{word}: 级别应为 / level must be one of {', '.join(_LEVELS)}"
            )
    chrome = _chrome(data["chrome"])
    return PageVocab(
        chrome=chrome,
        chrome_guard=word_guard(chrome),
        chrome_line=_compile("chrome_trigger", _CHROME_LINE.format(re.escape(data["chrome_trigger"])), re.M),
        chrome_trigger=_compile("chrome_trigger", f"[{re.escape(data['chrome_trigger'])}]"),
        residue=_compile("residue", data["residue"]),
        label=label,
        fields=fields,
        level_words={str(k): str(v) for k, v in data["level_words"].items()},
        not_issuer=_compile("not_issuer", data["not_issuer"]),
        head_lines=data["head_lines"],
        footer=_compile("footer", data["footer"]),
        breadcrumb=_compile("breadcrumb", data["breadcrumb"]),
    )
