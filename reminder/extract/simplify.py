"""Traditional → simplified (OpenCC t2s) for the match view, converting only the lines that need it.

OpenCC reads every character of the text; most notices are written in simplified characters and
hold none that t2s changes. ``data/t2s_changing.txt`` lists the characters where some entry of the
t2s dictionaries (phrases, characters, the normalisation of compatibility ideographs) differs from
its key. A line holding none of them cannot match any changing entry, so OpenCC returns it
unchanged; no entry holds a line break, so OpenCC converts each line on its own exactly as it does
inside the whole text. Only the lines holding such a character are converted (in one call); the test
for them is one regex search, ~10× faster than OpenCC's pass, or the positions a caller found by
table look-up (``changing_units``: match_view, one numpy pass for this and full width).

A text written in traditional characters (_DENSE_RUN) is converted by table instead, OpenCC seeing only the few places where a phrase converts
otherwise than its characters (simplify_table; its phrase keys are the file's third line).

The file is tied to the dictionaries it was read from (their SHA-256 heads it): with other
dictionaries installed the whole text goes through OpenCC as before. ``stored_text`` rebuilds the
file from a dictionary folder (tests compare it with the file).
"""

from __future__ import annotations

import functools
import hashlib
import re
import subprocess
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from reminder.extract import simplify_table

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["to_simplified", "changing_units", "changing_chars", "stored_text", "dictionary_hash", "T2S_FILES"]

#: the dictionaries t2s.json reads, in its order (normalisation first)
T2S_FILES = (
    "t2s.json",
    "CJK_Compatibility_Ideographs.ocd2",
    "TSPhrases.ocd2",
    "TSCharactersExt.ocd2",
    "TSCharacters.ocd2",
)


@functools.lru_cache(maxsize=1)
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def _t2s(text: str) -> str:
    return str(_converter().convert(text))  # type: ignore[attr-defined]


def _share_dir() -> Path | None:
    """The folder of the installed OpenCC's configurations and dictionaries, if it has one."""
    import opencc

    folder = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    return folder if folder.is_dir() else None


def dictionary_hash(folder: Path) -> str:
    """SHA-256 over the t2s configuration and dictionaries in ``folder``."""
    digest = hashlib.sha256()
    for name in T2S_FILES:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _stored() -> tuple[str, list[str]] | None:
    """``data/t2s_changing.txt``: the changing characters and the phrase keys, or None when the
    installed dictionaries are not the ones it was read from."""
    stored = resources.files("reminder.extract").joinpath("data", "t2s_changing.txt").read_text("utf-8")
    head, chars, phrases = (stored.split("\n") + ["", ""])[:3]
    folder = _share_dir()
    try:
        if folder is None or dictionary_hash(folder) != head.strip():
            return None
    except OSError:
        return None
    return chars.strip(), phrases.split()


@functools.lru_cache(maxsize=1)
def _changing() -> re.Pattern[str] | None:
    """A class of the characters t2s may change, or None when the installed dictionaries are not
    the ones the list was read from (then every text is converted whole)."""
    if (stored := _stored()) is None:
        return None
    # every character beyond the BMP is taken as changing: a class with such members is tried member
    # by member (100× slower), a range is one test; converting more lines than needed changes nothing.
    # So are the ideographic description operators (_IDS).
    bmp = "".join(re.escape(c) for c in stored[0] if c < "\U00010000")
    return re.compile(f"[{bmp}\u2ff0-\u2fff\U00010000-\U0010ffff]")


@functools.lru_cache(maxsize=1)
def changing_units() -> npt.NDArray[np.bool_] | None:
    """For each BMP code point, whether it is a character _changing() matches (for a caller that
    looks up all the characters of a text at once, numpy over its UTF-16 code units; a text beyond
    the BMP is searched as before); None as _changing() is."""
    if (changing := _changing()) is None:
        return None
    import numpy as np

    table = np.zeros(0x10000, dtype=np.bool_)
    table[[m.start() for m in changing.finditer("".join(map(chr, range(0x10000))))]] = True
    return table


# OpenCC keeps an ideographic description (⿰糹會) unconverted, and it may span lines: a text holding
# one of its operators (changing characters, so their lines are among those converted) is converted whole
_IDS = re.compile("[\u2ff0-\u2fff]")


@functools.lru_cache(maxsize=1)
def _table() -> simplify_table.Table | None:
    stored = _stored()
    return None if stored is None else simplify_table.build(_t2s, stored[1])


def to_simplified(text: str, changing_at: npt.NDArray[np.intp] | None = None) -> str:
    """Traditional → simplified, one character to one (length-preserving). ``changing_at``: where the
    characters of ``text`` that _changing() matches stand, in order, if the caller found them.

    >>> to_simplified("協議約定的總合作經費")
    '协议约定的总合作经费'
    """
    changing = _changing()
    if changing is None:
        converted = _t2s(text)
    elif (first := (next_hit := _hits(text, changing, changing_at))(0)) is None:
        return text  # nothing t2s changes: most simplified notices
    else:
        converted = _convert_lines(text, next_hit, first)
    if len(converted) != len(text):
        # Phrase-level rules changed the length: convert character by character instead.
        converted = "".join(_t2s(ch) if len(_t2s(ch)) == 1 else ch for ch in text)
    return converted


def _hits(
    text: str, changing: re.Pattern[str], changing_at: npt.NDArray[np.intp] | None
) -> Callable[[int], int | None]:
    """A function of a position: where the first changing character at or after it stands, or None
    (read from ``changing_at``, else searched for)."""
    if changing_at is not None:
        at = changing_at
        return lambda pos: int(at[i]) if (i := int(at.searchsorted(pos))) < len(at) else None
    return lambda pos: None if (hit := changing.search(text, pos)) is None else hit.start()


def _convert_lines(text: str, next_hit: Callable[[int], int | None], first: int) -> str:
    """``_t2s(text)``, with only the lines holding a changing character (the first at ``first``, the
    next at or after a position ``next_hit`` tells) sent to OpenCC."""
    spans = _changing_lines(text, next_hit, first)
    if spans is None:
        return _convert_whole(text)
    if any(_IDS.search(text, start, end) for start, end in spans):
        return _t2s(text)
    spliced = simplify_table.splice(text, text, spans, _t2s)
    return _t2s(text) if spliced is None else spliced  # (no entry adds or drops a line break: not expected)


def _convert_whole(text: str) -> str:
    """``_t2s(text)`` for a traditional text: by table (numpy and the table cost ~0.1 s of CPU once per
    process, what OpenCC spends on ~1.4 M characters; a service converts far more)."""
    table = _table()
    return _t2s(text) if table is None else simplify_table.convert(text, table, _t2s)


# this many lines in a row holding a changing character make a traditional text: it is converted whole,
# by table (its few other lines are passed faster than they are looked for one by one)
_DENSE_RUN = 8


def _changing_lines(
    text: str, next_hit: Callable[[int], int | None], first: int
) -> list[tuple[int, int]] | None:
    """Where the lines holding a changing character (the first at ``first``) start and end; None for a
    traditional text (_DENSE_RUN). A line's first changing character is found, the next one is looked
    for from the line after it: one look-up per line found, not one per line or character."""
    spans: list[tuple[int, int]] = []
    run = 0
    hit: int | None = first
    while hit is not None:
        start = text.rfind("\n", 0, hit) + 1
        end = text.find("\n", hit)
        run = run + 1 if spans and spans[-1][1] + 1 == start else 1
        if run == _DENSE_RUN:
            return None
        if end == -1:
            spans.append((start, len(text)))
            break
        spans.append((start, end))
        hit = next_hit(end + 1)
    return spans


def _entries(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Each t2s dictionary's entries (key, first value), read with OpenCC's ``opencc_dict`` tool
    (installed beside them)."""
    tool = folder.parent.parent / "bin" / "opencc_dict"
    entries: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in T2S_FILES[1:]:
            out = Path(tmp) / "dict.txt"
            subprocess.run(
                [str(tool), "-i", str(folder / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                check=True,
                env={"LD_LIBRARY_PATH": str(folder.parent.parent / "lib64")},
            )
            rows = [row.partition("\t") for row in out.read_text("utf-8").splitlines()]
            entries[name] = [(key, values.split(" ")[0]) for key, _, values in rows]
    return entries


def changing_chars(folder: Path) -> str:
    """The characters of the t2s dictionaries in ``folder`` that some entry changes: those where an
    entry's key and first value differ, and every character of an entry that changes the length."""
    found: set[str] = set()
    for entries in _entries(folder).values():
        for key, value in entries:
            if len(key) != len(value):
                found.update(key)
            else:
                found.update(k for k, v in zip(key, value, strict=True) if k != v)
    return "".join(sorted(found))


def stored_text(folder: Path) -> str:
    """What ``data/t2s_changing.txt`` holds for the dictionaries in ``folder``: their hash, the
    changing characters, the keys longer than one character (the phrases; simplify_table reads their
    values from OpenCC)."""
    entries = _entries(folder)
    phrases = sorted({key for name in T2S_FILES[2:] for key, _ in entries[name] if len(key) > 1})
    return f"{dictionary_hash(folder)}\n{changing_chars(folder)}\n{' '.join(phrases)}\n"
