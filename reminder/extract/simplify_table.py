"""OpenCC t2s by table lookup, for texts written in traditional characters (issue 15).

OpenCC converts a text by maximal match: at each place it takes the longest key of its phrase
dictionary found there (else the character's entry, else the character as it is) and writes that
entry's value. Whatever it matches, the output is made of the values of key occurrences in the text.
Most phrases say nothing new: their value is their key converted character by character (化學 → 化学).
Only the others, the *context phrases* (反覆 → 反复, 計畫 → 计划…), make OpenCC's output differ from
a character-by-character conversion, and each of them holds an *anchor*, a character it converts
otherwise than the table (覆 in 反覆, 計 in 不可貲計; 38 of them, rare). So the text is converted by a
65536-entry table over its UTF-16 code units (numpy, ~20× faster than OpenCC), and only the run of
phrase-key characters around each anchor goes to OpenCC (see ``convert``).

All is read from OpenCC itself (the table from its conversion of each character, each phrase's value
from its conversion of the key), given the dictionary's phrase keys. A character whose conversion is
not one BMP character is sent to OpenCC like an anchor; the whole text goes to OpenCC when it holds a
character beyond the BMP, a surrogate, a compatibility ideograph (normalised before phrases are
matched) or an ideographic description operator (OpenCC keeps a description unconverted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["Table", "build", "convert", "splice"]

# what a code unit asks for: the table, OpenCC around it, OpenCC over the whole text
_TABLE, _AROUND, _WHOLE = 0, 1, 2


class Table(NamedTuple):
    to: npt.NDArray[np.uint16]  # code unit → its conversion
    kind: npt.NDArray[np.uint8]  # code unit → _TABLE, _AROUND or _WHOLE
    in_phrases: frozenset[str]  # the characters of the phrase keys


def build(t2s: Callable[[str], str], phrases: Iterable[str]) -> Table | None:
    """The table of ``t2s`` (OpenCC's conversion) given its dictionary's phrase keys; None if OpenCC
    does not answer as expected (no key holds a line break, so each line converts on its own)."""
    import numpy as np

    to = np.arange(0x10000, dtype=np.uint16)
    kind = np.zeros(0x10000, dtype=np.uint8)
    kind[0xD800:0xE000] = _WHOLE  # surrogates (lone: OpenCC refuses them)
    kind[0xF900:0xFB00] = _WHOLE  # compatibility ideographs (normalised before phrases are matched)
    kind[0x2FF0:0x3000] = _WHOLE  # ideographic description operators
    codes = np.flatnonzero(kind == _TABLE)
    codes = codes[codes != 0x0A]
    converted = t2s("\n".join(codes.astype(np.uint16).tobytes().decode("utf-16-le"))).split("\n")
    if len(converted) != len(codes):
        return None
    # a conversion that is not one BMP character is marked by a line break (no character's conversion)
    single = "".join(out if len(out) == 1 and out < "\U00010000" else "\n" for out in converted)
    to[codes] = np.frombuffer(single.encode("utf-16-le"), dtype=np.uint16)
    other = codes[to[codes] == 0x0A]
    to[other], kind[other] = other, _AROUND
    phrases = list(phrases)
    # a key holding another character is sent to OpenCC whenever it occurs
    keys = [k for k in phrases if all(c < "\U00010000" and kind[ord(c)] == _TABLE for c in k)]
    values = t2s("\n".join(keys)).split("\n")  # a key alone is matched whole: its value
    if len(values) != len(keys):
        return None
    for key, value in zip(keys, values, strict=True):
        table = [chr(to[ord(c)]) for c in key]
        for at, ch in enumerate(key):
            if value != "".join(table) and (len(value) != len(key) or value[at] != table[at]):
                kind[ord(ch)] = _AROUND  # an anchor: where a context phrase differs from the table
    return Table(to, kind, frozenset("".join(phrases)))


def convert(text: str, table: Table, t2s: Callable[[str], str]) -> str:
    """``t2s(text)``: OpenCC around each anchor (or character the table cannot convert), the table
    elsewhere. Around means the run of phrase-key characters holding it: no key occurrence spans the
    ends of such a run (each would hold a character of no key), so OpenCC's matching reaches them and
    converts the run as it converts it alone."""
    import numpy as np

    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(units) != len(text):
        return t2s(text)  # characters beyond the BMP
    kinds = table.kind.take(units)
    at = np.flatnonzero(kinds)
    if (kinds.take(at) == _WHOLE).any():
        return t2s(text)
    converted = table.to.take(units).tobytes().decode("utf-16-le")
    if not len(at):
        return converted
    keys = table.in_phrases
    spans: list[tuple[int, int]] = []  # the runs for OpenCC
    end = -1
    for p in at.tolist():
        if p < end:
            continue  # in the run before
        start, end = p, p + 1
        if text[p] in keys:
            while start and text[start - 1] in keys:
                start -= 1
            while end < len(text) and text[end] in keys:
                end += 1
        spans.append((start, end))
    spliced = splice(converted, text, spans, t2s)
    return t2s(text) if spliced is None else spliced


def splice(base: str, text: str, spans: list[tuple[int, int]], t2s: Callable[[str], str]) -> str | None:
    """``base`` with each span replaced by ``t2s`` of that span of ``text``, all spans converted in one call
    (joined by line breaks, which no dictionary entry holds); None if another number of lines comes back."""
    converted = t2s("\n".join(text[start:end] for start, end in spans)).split("\n")
    if len(converted) != len(spans):
        return None
    parts: list[str] = []
    last = 0
    for (start, end), piece in zip(spans, converted, strict=True):
        parts += (base[last:start], piece)
        last = end
    parts.append(base[last:])
    return "".join(parts)
