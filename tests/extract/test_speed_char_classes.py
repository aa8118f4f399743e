"""clean() and match_view() ask what their characters are through one table look-up per character
(normalize._char_classes, normalize._view_table): each class is the test it stands for, and the
cleaned text and the match view are those of the plain steps."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import normalize, simplify
from reminder.extract.page_data import CHROME_LINE_MAX, page_vocab

_EVERY = [chr(u) for u in range(0x10000)]


@contextmanager
def _tables_from(length: int) -> Iterator[None]:
    """The class tables used from texts of ``length`` characters (0: every text; a short text takes the
    plain tests otherwise, which the tests compare too)."""
    saved = normalize._CLASSES_FROM, normalize._VIEW_TABLE_FROM
    normalize._CLASSES_FROM = normalize._VIEW_TABLE_FROM = length
    try:
        yield
    finally:
        normalize._CLASSES_FROM, normalize._VIEW_TABLE_FROM = saved


def _has(table: np.ndarray, bit: int) -> list[bool]:
    return [bool(x) for x in table & bit]


def test_each_class_is_its_test() -> None:
    table = normalize._class_table()
    trigger = page_vocab().chrome_trigger
    plain_printable = [normalize._printable(ch) for ch in _EVERY]
    assert [not x for x in _has(table, normalize._NOT_PRINTABLE)] == plain_printable
    assert _has(table, normalize._TONE) == [ch in normalize._TONES for ch in _EVERY]
    assert _has(table, normalize._TRIGGER) == [trigger.match(ch) is not None for ch in _EVERY]
    assert _has(table, normalize._NEWLINE) == [ch == "\n" for ch in _EVERY]
    # (the halves of a character beyond the BMP: the plain tests answer for its text)
    for bit in (normalize._NOT_PRINTABLE, normalize._NOT_NFC):
        assert (table[0xD800:0xE000] & bit).all()


def test_characters_nfc_may_compose_are_all_in_the_table() -> None:
    """Every character that follows another in a decomposition (what NFC composes with the one
    before it) is flagged: those of characters beyond the BMP too (the table reads the BMP only)."""
    table = normalize._class_table()
    tails = {t for u in range(0x110000) for t in unicodedata.normalize("NFD", chr(u))[1:]}
    assert all(table[ord(t)] & normalize._NOT_NFC for t in tails if t < "\U00010000")


# what NFC changes (composition, reordering, compatibility ideographs, Hangul jamo), what clean drops
# (control and format characters, page markers, glosses, chrome), line breaks of each kind, and text
_PIECES = [
    "e", "\u0301", "\u0304", "\u0308", "ü", "\u0323", "\u1100", "\u1161", "\u11a8", "가", "\uf900", "Å", "\u212b",
    "\x07", "\u200b", "\ufeff", "\ue000", "\u3000", "\t", "\r\n", "\r", "\n", "\u00a0", " ", "—2—", "—", "12",
    "企業(yè)", "(pdf)", "ā", "中", "页", "【打印本页】", "字号 大 中 小", "浏览次数:12", "A", "|", "\U00020b9f",
    "\ud800",
]  # fmt: skip


def _plain_prepared(raw: str) -> str:
    """clean() before the line loop, each step as it was (whole-text tests, no table)."""
    text = unicodedata.normalize("NFC", raw.lstrip("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    if not normalize._printable(text):
        text = normalize._control_chars().sub("", text)
    text = normalize._drop_inline_pages(text)
    if any(vowel in text for vowel in normalize._TONES):
        text = normalize._GLOSS.sub("", text)
    return normalize._drop_chrome(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_prepared_text_is_the_plain_one(raw: str) -> None:
    plain = _plain_prepared(raw)
    assert normalize._prepared(raw) == plain
    with _tables_from(0):
        assert normalize._prepared(raw) == plain


def test_real_notices_prepare_alike() -> None:
    for path in sample_paths():
        raw = path.read_text(encoding="utf-8")
        assert len(raw) >= normalize._CLASSES_FROM and normalize._char_classes(raw) is not None
        assert normalize._prepared(raw) == _plain_prepared(raw)


def test_trigger_lines_read_from_the_classes_are_those_searched() -> None:
    trigger = page_vocab().chrome_trigger
    line = "页" + "中" * (CHROME_LINE_MAX - 1)
    for text in ("", "中\n页", "页\n\n页\n", line, line + "中", f"{line}\n{line}中\nA\n", "\n" * 3):
        with _tables_from(0):
            classes = normalize._char_classes(text)
        assert classes is not None
        assert normalize._classed_trigger_lines(text, classes) == normalize._trigger_lines(text, trigger)


_VIEW_PIECES = [
    "協議",
    "企业",
    "覆盖",
    "反覆",
    "３００",
    "Ａ",
    "\u3000",
    "！",
    "\uff5f",
    "萬元",
    "\n",
    " ",
    "\U00020b9f",
]


def _plain_view(text: str) -> str:
    return simplify.to_simplified(text.translate(normalize._WIDTH))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_VIEW_PIECES), max_size=24).map("".join))
def test_match_view_is_the_plain_one(text: str) -> None:
    plain = _plain_view(text)
    assert normalize.match_view(text) == plain
    with _tables_from(0):
        assert normalize.match_view(text) == plain


def test_view_classes_are_their_tests() -> None:
    table = normalize._view_table()
    changing = simplify._changing()
    assert table is not None and changing is not None
    half = [ch.translate(normalize._WIDTH) for ch in _EVERY]
    assert _has(table, normalize._WIDE) == [ord(ch) in normalize._WIDTH for ch in _EVERY]
    assert _has(table, normalize._CHANGING) == [changing.match(ch) is not None for ch in half]


def test_real_notices_view_alike() -> None:
    for path in sample_paths():
        cleaned = normalize.clean(path.read_text(encoding="utf-8"))
        assert normalize._view_classes(cleaned) is not None
        assert normalize.match_view(cleaned) == _plain_view(cleaned)
