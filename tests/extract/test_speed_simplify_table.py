"""A text in traditional characters is converted by table, OpenCC only around the anchors of context
phrases (simplify_table): it must say exactly what OpenCC says over the whole text."""

from __future__ import annotations

import functools
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract import simplify, simplify_table


@functools.cache
def _table() -> simplify_table.Table:
    table = simplify._table()
    assert table is not None, "data/t2s_changing.txt does not match the installed OpenCC"
    return table


@functools.cache
def _phrases() -> list[str]:
    stored = simplify._stored()
    assert stored is not None
    return stored[1]


def _plain(text: str) -> str:
    """to_simplified as it was: the whole text through OpenCC, per character if the length changed."""
    converted = simplify._t2s(text)
    if len(converted) != len(text):
        converted = "".join(simplify._t2s(ch) if len(simplify._t2s(ch)) == 1 else ch for ch in text)
    return converted


def _check(text: str) -> None:
    assert simplify_table.convert(text, _table(), simplify._t2s) == simplify._t2s(text)
    assert simplify.to_simplified(text) == _plain(text)


def test_every_phrase_key_in_context() -> None:
    """Each key alone, between other keys (their characters run on into it), overlapping the keys that
    start with its end, and with a character written as a compatibility ideograph (OpenCC normalises
    it before matching phrases)."""
    keys = _phrases()
    by_head: dict[str, list[str]] = {}
    for key in keys:
        by_head.setdefault(key[0], []).append(key)
    compat: dict[str, list[str]] = {}
    for code in range(0xF900, 0xFB00):
        compat.setdefault(unicodedata.normalize("NFC", chr(code)), []).append(chr(code))
    texts = []
    for k, key in enumerate(keys):
        texts += [key[:at] + x + key[at + 1 :] for at, ch in enumerate(key) for x in compat.get(ch, [])]
        before, after = keys[k - 1], keys[(k + 1) % len(keys)]
        texts += [
            key,
            f"{before}{key}{after}",
            f"会{key}國。",
            f"{key}\n{after}",
            f"a{before[-1]}{key}{after[0]}",
        ]
        for cut in range(1, len(key)):
            texts += [key[:cut] + other for other in by_head.get(key[cut], []) if other.startswith(key[cut:])]
    for text in texts:
        _check(text)


def test_a_traditional_notice() -> None:
    text = "計畫申報通知\n一、於本年度內完成，反覆審核後批覆；什麼時候瞭解？\n" * 20 + "乾隆年間，著作顯著。"
    _check(text)
    assert simplify.to_simplified(text).startswith(
        "计划申报通知\n一、于本年度内完成，反复审核后批复；什么时候了解？"
    )


# characters of context phrases and of other phrases, traditional and simplified characters, characters
# the table cannot convert (beyond the BMP, compatibility ideographs, ideographic descriptions, a
# character whose simplified form lies beyond the BMP), punctuation, line breaks
_PIECES = [
    "反覆", "覆蓋", "乾隆", "乾燥", "一目瞭然", "著作", "顯著", "於是", "於", "什麼", "么麼", "么", "麽", "計畫",
    "計", "畫", "不可貲計", "瞭解到", "批覆", "徵", "沈", "藉", "企業", "申報", "申报", "通知", "\n", "。", ",",
    " ", "2025年", "\uf900", "\ufa0e", "𠀀", "𡎴", "\U00020b9f", "⿰", "⿱糹", "\ufe00", "臺灣", "台湾", "後", "髮",
    "發", "雲", "遱", "\r", "\t", "a",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_random_texts(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_texts_of_phrase_characters(data: st.DataObject) -> None:
    """Runs of phrase-key characters are where windows could go wrong."""
    alphabet = sorted(_table().in_phrases) + ["。", "\n", "國", "会"]
    _check(data.draw(st.text(alphabet=alphabet, max_size=60)))


@pytest.mark.parametrize(
    "text", ["", "abc", "會\n", "\n", "國" * 100, "⿰\n會", "會⿰\nabc\n會", "會⿰\n糹\n" * 9]
)
def test_edges(text: str) -> None:
    _check(text)
