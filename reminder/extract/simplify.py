"""Traditional → simplified (OpenCC t2s) for the match view, converting only the lines that need it.

OpenCC reads every character of the text; most notices are written in simplified characters and
hold none that t2s changes. ``data/t2s_changing.txt`` lists the characters where some entry of the
t2s dictionaries (phrases, characters, the normalisation of compatibility ideographs) differs from
its key. A line holding none of them cannot match any changing entry, so OpenCC returns it
unchanged; no entry holds a line break, so OpenCC converts each line on its own exactly as it does
inside the whole text. Only the lines holding such a character are converted (in one call); the test
for them is one regex search, ~10× faster than OpenCC's pass.

The list is tied to the dictionaries it was read from (their SHA-256 heads the file): with other
dictionaries installed the whole text goes through OpenCC as before. ``changing_chars`` rebuilds the
list from a dictionary folder (tests compare it with the file).
"""

from __future__ import annotations

import functools
import hashlib
import re
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

__all__ = ["to_simplified", "changing_chars", "dictionary_hash", "T2S_FILES"]

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
def _changing() -> re.Pattern[str] | None:
    """A class of the characters t2s may change, or None when the installed dictionaries are not
    the ones the list was read from (then every text is converted whole)."""
    stored = resources.files("reminder.extract").joinpath("data", "t2s_changing.txt").read_text("utf-8")
    head, _, chars = stored.partition("\n")
    folder = _share_dir()
    try:
        if folder is None or dictionary_hash(folder) != head.strip():
            return None
    except OSError:
        return None
    # every character beyond the BMP is taken as changing: a class with such members is tried member
    # by member (100× slower), a range is one test; converting more lines than needed changes nothing
    bmp = "".join(re.escape(c) for c in chars.strip() if c < "\U00010000")
    return re.compile(f"[{bmp}\U00010000-\U0010ffff]")


def to_simplified(text: str) -> str:
    """Traditional → simplified, one character to one (length-preserving).

    >>> to_simplified("協議約定的總合作經費")
    '协议约定的总合作经费'
    """
    changing = _changing()
    if changing is None:
        converted = _t2s(text)
    elif (first := changing.search(text)) is None:
        return text  # nothing t2s changes: most simplified notices
    else:
        converted = _convert_lines(text, changing, first)
    if len(converted) != len(text):
        # Phrase-level rules changed the length: convert character by character instead.
        converted = "".join(_t2s(ch) if len(_t2s(ch)) == 1 else ch for ch in text)
    return converted


def _convert_lines(text: str, changing: re.Pattern[str], first: re.Match[str]) -> str:
    """``_t2s(text)``, with only the lines holding a changing character (the first at ``first``) sent
    to OpenCC."""
    spans = _changing_lines(text, changing, first)
    if spans is None:
        return _t2s(text)
    converted = _t2s("\n".join(text[start:end] for start, end in spans)).split("\n")
    if len(converted) != len(spans):
        return _t2s(text)  # (no entry adds or drops a line break: not expected)
    parts: list[str] = []
    last = 0
    for (start, end), line in zip(spans, converted, strict=True):
        parts += (text[last:start], line)
        last = end
    parts.append(text[last:])
    return "".join(parts)


# this many lines in a row holding a changing character make a traditional text: it is converted whole
# (OpenCC passes its few other lines faster than they are looked for one by one)
_DENSE_RUN = 8


def _changing_lines(
    text: str, changing: re.Pattern[str], first: re.Match[str]
) -> list[tuple[int, int]] | None:
    """Where the lines holding a changing character (the first at ``first``) start and end; None for a
    traditional text (_DENSE_RUN). A search finds a line's first changing character, the next one
    starts on the line after it: one engine call per line found, not one per line."""
    spans: list[tuple[int, int]] = []
    run = 0
    hit: re.Match[str] | None = first
    while hit is not None:
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.start())
        run = run + 1 if spans and spans[-1][1] + 1 == start else 1
        if run == _DENSE_RUN:
            return None
        if end == -1:
            spans.append((start, len(text)))
            break
        spans.append((start, end))
        hit = changing.search(text, end + 1)
    return spans


def changing_chars(folder: Path) -> str:
    """The characters of the t2s dictionaries in ``folder`` that some entry changes: those where an
    entry's key and first value differ, and every character of an entry that changes the length.
    Reads the dictionaries with OpenCC's ``opencc_dict`` tool (installed beside them)."""
    tool = folder.parent.parent / "bin" / "opencc_dict"
    found: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for name in T2S_FILES[1:]:
            out = Path(tmp) / "dict.txt"
            subprocess.run(
                [str(tool), "-i", str(folder / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                check=True,
                env={"LD_LIBRARY_PATH": str(folder.parent.parent / "lib64")},
            )
            for row in out.read_text("utf-8").splitlines():
                key, _, values = row.partition("\t")
                value = values.split(" ")[0]
                if len(key) != len(value):
                    found.update(key)
                else:
                    found.update(k for k, v in zip(key, value, strict=True) if k != v)
    return "".join(sorted(found))
