"""The shortcuts of clean() and match_view() (normalize.py) answer as the plain way does: each is
compared with the expression it replaces."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import normalize
from reminder.extract.normalize import clean
from reminder.extract.page_data import page_vocab


def _plain_half_width(text: str) -> str:
    return text.translate(normalize._WIDTH)


# full-width forms and their neighbours, characters whose UTF-32 bytes hold 0xFF elsewhere (U+00FF,
# U+4EFF, U+FF00, U+FFFF, U+1FF01), the ideographic space, CJK text and a lone surrogate
_WIDTH_PIECES = [
    "！", "～", "，", "Ａ", "０", "\uff00", "\uff5f", "\uffe5", "\uffff", "\u00ff", "\u4eff", "\U0001ff01",
    "\u3000", "\u3001", "中", "a", " ", "\n", "\ud800",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WIDTH_PIECES), max_size=20).map("".join))
def test_half_width_is_the_plain_translation(text: str) -> None:
    assert normalize._half_width(text) == _plain_half_width(text)
    if normalize._FULL_WIDTH.search(text):
        assert normalize._may_hold_full_width(text)


def test_real_notices_take_the_shortcut_and_translate_alike() -> None:
    texts = [clean(p.read_text(encoding="utf-8")) for p in sample_paths()]
    assert any(not normalize._may_hold_full_width(t) for t in texts), "no notice took the shortcut"
    for text in texts:
        assert normalize._half_width(text) == _plain_half_width(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="1第(【一附发来索- \t\u3000a中•", min_size=1, max_size=3))
def test_first_character_tests_are_the_patterns(text: str) -> None:
    for memo, test in (
        (normalize._NEXT_MAY, normalize._NEXT_FIRST),
        (normalize._META_MAY, normalize._META_FIRST),
    ):
        assert memo[text[0]] == (test.match(text) is not None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab中\n\t \u3000\u200b\x07\u2028\ue000\u00a0", max_size=20))
def test_printable_test_is_the_plain_one(text: str) -> None:
    plain = text.replace("\n", " ").replace("\t", " ").replace("\u3000", " ").isprintable()
    assert normalize._printable(text) == plain


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=normalize._FEW_DASHES + 3), st.integers(0, 3))
def test_dash_positions_up_to_the_limit(em: int, en: int) -> None:
    text = "中—" * em + "x–2" * en
    found = normalize._dash_positions(text)
    if em + en > normalize._FEW_DASHES:
        assert found is None
    else:
        assert found == [m.start() for m in re.finditer("[—–]", text)]


# sentence ends, item starts, whitespace: where the per-mark substitutions could meet
_ITEM_PIECES = [
    "。", ";", "；", ":", "：", ",", "，", "!", "？", " ", "\t", "\n", "1.", "2、", "12", "3.5", "(一)", "（二）", "一、",
    "附件", "附件:", "联系人", "聯係電話", "x", "中",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_ITEM_PIECES), max_size=24).map("".join))
def test_sentence_items_break_as_one_substitution(text: str) -> None:
    plain = normalize._SENTENCE_ITEM.sub("\\1\n", text)
    assert normalize._sub_by_mark(normalize._SENTENCE_ITEM_BY_END, text) == plain
    if "\t" not in text:
        assert normalize._break_items(text) == plain


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_ITEM_PIECES), max_size=12).map("".join), max_size=6))
def test_item_break_lines_are_those_the_pattern_matches_in(lines: list[str]) -> None:
    holding = normalize._lines_holding(normalize._ITEM_BREAK_BY_MARK, lines)
    # (equal, not only a superset: no match runs from one line into the next)
    assert holding == {i for i, x in enumerate(lines) if normalize._ITEM_BREAK.search(x)}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([*_ITEM_PIECES, "各有关单位:", "x" * 60, "2025年3月1日", "科技局"]), max_size=14
        ).map("".join),
        max_size=5,
    )
)
def test_reflow_of_all_lines_is_reflow_of_each(lines: list[str]) -> None:
    plain = [normalize._reflow(x) if not normalize.is_table_row(x) else x for x in lines]
    assert normalize._reflow_lines(list(lines)) == plain


def test_real_notices_reflow_alike() -> None:
    for path in sample_paths():
        lines = [x for x in path.read_text(encoding="utf-8").split("\n") if x]
        assert normalize._reflow_lines(list(lines)) == [
            normalize._reflow(x) if not normalize.is_table_row(x) else x for x in lines
        ]


def _plain_drop_chrome(text: str) -> str:
    """normalize._drop_chrome as it was: emptied lines marked NUL, then looked for in the whole text."""
    v = page_vocab()

    def strip(line: str) -> str:
        stripped = v.chrome.sub("", line)
        return "\x00" if stripped != line and v.residue.match(stripped) else stripped

    lines: list[str] = []
    last = 0
    for m in v.chrome_line.finditer(text):
        lines += (text[last : m.start()], strip(m.group()))
        last = m.end()
    out = "".join([*lines, text[last:]])
    return out if "\x00" not in out else "\n".join(ln for ln in out.split("\n") if ln != "\x00")


_CHROME_PIECES = [
    "首页 > 政策", "【打印本页】", "【关闭窗口】", "字号 大 中 小", "分享到:微信", "浏览次数:12", "正文", "申报通知",
    "\n", " ", "|", "A", "页", "中" * 50, "\U00020b9f",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CHROME_PIECES), max_size=16).map("".join))
def test_chrome_drops_as_the_plain_way(text: str) -> None:
    plain = _plain_drop_chrome(text)
    assert normalize._drop_chrome(text) == plain
    saved, normalize._CLASSES_FROM = normalize._CLASSES_FROM, 0  # (the classes of a text this short)
    try:
        classes = normalize._char_classes(text)
    finally:
        normalize._CLASSES_FROM = saved
    assert normalize._drop_chrome(text, classes) == plain
