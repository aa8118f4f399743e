"""how_to_apply_anchors.anchor_lists: the how-to-apply anchor lists found by one automaton of all their
words give each list the hits its own scan (facts_text.anchor_hits) gives, on the sample notices and on
generated text; lists whose words can overlap are scanned one by one."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract.apply_data import apply_vocab
from reminder.extract.facts_text import anchor_hits
from reminder.extract.how_to_apply import _ADDRESS_ANCHOR
from reminder.extract.how_to_apply_anchors import _scan, anchor_lists, can_overlap
from reminder.extract.word_lists import literal_words


def _apply_anchors() -> tuple[re.Pattern[str], ...]:
    v = apply_vocab()
    return (v.system_anchor, _ADDRESS_ANCHOR, v.recommend_anchor)


def _check(anchors: tuple[re.Pattern[str], ...], text: str, start: int = 0, end: int | None = None) -> None:
    end = len(text) if end is None else end
    assert anchor_lists(anchors, text, start, end) == [anchor_hits(a, text, start, end) for a in anchors]


def test_apply_lists_are_scanned_together() -> None:
    """The shortcut is in use for the vocabulary (no word of one list can overlap one of another)."""
    assert _scan(_apply_anchors()) is not None


def test_sample_hits_alike() -> None:
    for view in sample_views():
        _check(_apply_anchors(), view)
        _check(_apply_anchors(), view, len(view) // 3, 2 * len(view) // 3)


def _apply_words() -> list[str]:
    return [w for rx in _apply_anchors() for w in literal_words(rx.pattern) or ()]


def test_adjacent_anchors_alike() -> None:
    _check(_apply_anchors(), "登录申报系统平台网站报送地址送至受理审核后上报")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_generated_hits_alike(data: st.DataObject) -> None:
    pieces = [*_apply_words(), "系", "统", "台", "网", "地", "送", "至", "推", "的", "\n", "A"]
    text = data.draw(st.lists(st.sampled_from(pieces), max_size=25).map("".join))
    start = data.draw(st.integers(0, len(text)))
    _check(_apply_anchors(), text, start, data.draw(st.integers(start, len(text))))


def _overlap_plain(a: str, b: str) -> bool:
    """Two occurrences, at any offsets, share a position and agree on every shared character."""
    for shift in range(-len(b) + 1, len(a)):  # b placed at a's position ``shift``
        lo, hi = max(0, shift), min(len(a), shift + len(b))
        if lo < hi and all(a[i] == b[i - shift] for i in range(lo, hi)):
            return True
    return False


@settings(max_examples=500, deadline=None)
@given(st.text("ab", min_size=1, max_size=5), st.text("ab", min_size=1, max_size=5))
@example("ab", "ba")
@example("a", "bab")
def test_can_overlap_is_the_plain_definition(a: str, b: str) -> None:
    assert can_overlap(a, b) == _overlap_plain(a, b)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text("abc", min_size=1, max_size=3), min_size=1, max_size=3),
    st.lists(st.text("abc", min_size=1, max_size=3), min_size=1, max_size=3),
    st.text("abc", max_size=20),
)
@example(["ab"], ["bc"], "abc")
@example(["b"], ["abc"], "abc")
def test_any_two_lists_hits_alike(first: list[str], second: list[str], text: str) -> None:
    """Lists that can overlap fall back to their own scans; others share the pass: the same hits."""
    anchors = tuple(re.compile("|".join(map(re.escape, ws))) for ws in (first, second))
    _check(anchors, text)
