"""The lines simplify.py sends to OpenCC are found by hopping from line to line (searching, or reading
the positions of the changing characters a caller found), and a traditional text is converted whole:
all answer as the plain way does (one search per line; OpenCC over the text)."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import simplify
from reminder.extract.normalize import clean


def _changing() -> re.Pattern[str]:
    changing = simplify._changing()
    assert changing is not None, "data/t2s_changing.txt does not match the installed OpenCC"
    return changing


def _plain_lines(text: str, changing: re.Pattern[str]) -> list[tuple[int, int]]:
    """Start and end of each line holding a changing character, one search per line."""
    spans, start = [], 0
    for line in text.split("\n"):
        if changing.search(line):
            spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _longest_run(spans: list[tuple[int, int]]) -> int:
    """The most spans in a row that are consecutive lines."""
    best = run = 0
    for k, (start, _) in enumerate(spans):
        run = run + 1 if k and spans[k - 1][1] + 1 == start else 1
        best = max(best, run)
    return best


def _plain(text: str) -> str:
    converted = simplify._t2s(text)
    if len(converted) != len(text):
        converted = "".join(simplify._t2s(ch) if len(simplify._t2s(ch)) == 1 else ch for ch in text)
    return converted


def _changing_at(text: str) -> np.ndarray | None:
    """Where the changing characters of ``text`` stand, read from simplify.changing_units as
    normalize.match_view reads them (None beyond the BMP, where it searches)."""
    table = simplify.changing_units()
    assert table is not None
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return np.flatnonzero(table.take(units)) if len(units) == len(text) else None


def _check(text: str) -> None:
    changing = _changing()
    first = changing.search(text)
    at = _changing_at(text)
    if at is not None:
        assert at.tolist() == [m.start() for m in changing.finditer(text)]
    if first is not None:
        plain = _plain_lines(text, changing)
        for changing_at in (None, at):
            hits = simplify._hits(text, changing, changing_at)
            assert hits(0) == first.start()
            found = simplify._changing_lines(text, hits, first.start())
            if found is None:
                assert _longest_run(plain) >= simplify._DENSE_RUN
            else:
                assert found == plain
                assert _longest_run(plain) < simplify._DENSE_RUN
    assert simplify.to_simplified(text) == _plain(text)
    if at is not None:
        assert simplify.to_simplified(text, at) == _plain(text)


_LINES = [
    "企業申報",
    "企业申报",
    "反覆",
    "覆盖",
    "通知",
    "",
    "  ",
    "乾隆",
    "於是",
    "2025年",
    "\U00020b9f",
    "a",
    "⿰糹會",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINES), max_size=3).map("".join), max_size=24).map("\n".join))
def test_changing_lines_are_those_each_line_search_finds(text: str) -> None:
    _check(text)


def test_real_notices_hop_alike() -> None:
    texts = [clean(p.read_text(encoding="utf-8")) for p in sample_paths()]
    hopped = 0
    for text in texts:
        _check(text)
        first = _changing().search(text)
        hits = simplify._hits(text, _changing(), None)
        hopped += first is not None and simplify._changing_lines(text, hits, first.start()) is not None
    assert hopped, "no notice was converted line by line"
    dense = "\n".join(["企業申報"] * simplify._DENSE_RUN + ["企业"])
    first = _changing().search(dense)
    hits = simplify._hits(dense, _changing(), None)
    assert first is not None and simplify._changing_lines(dense, hits, first.start()) is None
    _check(dense)
