"""clean() decides which lines join for all lines at once (normalize._joined_at_once, from the
_line_table classes of the characters each line starts and ends with): the paragraphs are those of
the plain loop over the lines (normalize._joined, _should_join)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import normalize

_EVERY = [chr(u) for u in range(0x10000)]


@contextmanager
def _at_once_from(count: int) -> Iterator[None]:
    """Lines joined at once from ``count`` lines (0: every text)."""
    saved = normalize._JOIN_AT_ONCE_FROM
    normalize._JOIN_AT_ONCE_FROM = count
    try:
        yield
    finally:
        normalize._JOIN_AT_ONCE_FROM = saved


def _both(text: str, wide_at: float | None = None) -> tuple[list[str], list[str] | None]:
    """The paragraphs of ``text`` (as clean prepares its lines), plain and at once."""
    lines, stripped = normalize._lines_of(text)
    if wide_at is None:
        wide_at = normalize._wide_at(normalize._wrap_width(stripped))
    with _at_once_from(0):
        return normalize._joined(lines, stripped, wide_at), normalize._joined_at_once(
            lines, stripped, wide_at
        )


def test_each_class_is_its_test() -> None:
    table = normalize._line_table()
    title_ends = {word[-1] for word in normalize._TITLE_ENDS}
    tests = {
        normalize._L_LINE_END: lambda ch: ch in normalize._LINE_END,
        normalize._L_DATE_END: normalize._date_end,
        normalize._L_DECIMAL: str.isdecimal,
        normalize._L_PAGE_END: normalize._page_end,
        normalize._L_PAGE_START: normalize._page_start,
        normalize._L_SEPARATOR: lambda ch: ch in normalize._SEPARATORS,
        normalize._L_NEXT: lambda ch: normalize._NEXT_FIRST.match(ch) is not None,
        normalize._L_META: lambda ch: normalize._META_FIRST.match(ch) is not None,
        normalize._L_TITLE_END: title_ends.__contains__,
        normalize._L_BAR: "|".__eq__,
        normalize._L_SPACE: str.isspace,
    }
    for bit, test in tests.items():
        assert [bool(x) for x in table & bit] == [bool(test(ch)) for ch in _EVERY], bit


def test_a_title_ends_with_a_title_end() -> None:
    """The title veto is tried only on lines ending with the last character of a _TITLE_ENDS word."""
    ends = {word[-1] for word in normalize._TITLE_ENDS}
    for word in normalize._TITLE_ENDS:
        assert normalize._title_line("关于开展申报工作的" + word)
    assert not any(normalize._title_line("关于开展申报工作的通知" + ch) for ch in "，。a1" if ch not in ends)


def test_the_samples_join_alike() -> None:
    for path in sample_paths():
        plain, at_once = _both(normalize._prepared(path.read_text(encoding="utf-8")))
        assert at_once == plain


# pieces of lines: wrapped text, punctuation ends, headings, metadata, dates cut by a break, titles,
# page numbers, table-of-contents leaders, table rows, separators, bars, spaces, a character beyond
# the BMP
_PIECES = [
    "申报单位应当在规定时间内提交材料",
    "企业研发投入",
    "符合条件的",
    "。",
    "，",
    "：",
    "；",
    "、",
    "）",
    "2025年8月",
    "2025年",
    "15日前提交",
    "3月",
    "号",
    "关于开展2025年度项目申报工作的通知",
    "关于",
    "的通知",
    "转发",
    "公告",
    "指南",
    "函",
    "一、申报条件",
    "（一）",
    "(2)",
    "1.",
    "2、",
    "第三条",
    "【申报条件】",
    "形式审查：",
    "网上填报:即日起至4月21日",
    "附件1：",
    "附件",
    "发布时间：2023-07-24",
    "2023-07-24 16:32",
    "来源：",
    "索引号",
    "名称：",
    "- 3 -",
    "—2—",
    "第 3 页",
    "12",
    "3/12",
    "页",
    "目录......12",
    "……5",
    "···7",
    ".",
    "\t",
    "a\tb",
    "|",
    " | ",
    "|abc",
    "----",
    ":::",
    "—",
    "=",
    "*",
    "•",
    " ",
    "\u3000",
    "  ",
    "x",
    "7",
    "\U0001d7ce",
]
_LINE = st.lists(st.sampled_from(_PIECES), max_size=4).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=40), st.one_of(st.none(), st.floats(0, 40)))
def test_lines_join_alike(lines: list[str], wide_at: float | None) -> None:
    text = "\n".join(lines)
    plain, at_once = _both(text, wide_at)
    if at_once is None:  # (beyond the BMP, or no character at all)
        assert any(ch > "\uffff" for ch in text) or not "".join(normalize._lines_of(text)[0])
    else:
        assert at_once == plain


_WRAPPED = "申报单位应当在规定时间内提交材料申报单位应当在规定时间内提交材料"


def test_lines_opening_with_spaces_join_alike() -> None:
    """A line's first character after its spaces says whether it is a page number, a heading or a
    table row."""
    for line in (" 12", "\u3000一、申报条件", "  a\tb", " 第 3 页", "\u3000发布时间：2023", " ----"):
        lines = [_WRAPPED, line, _WRAPPED + "，", line, "企业研发投入。"]
        plain, at_once = _both("\n".join(lines), 10)
        assert at_once == plain, line


def test_clean_joins_alike() -> None:
    """clean() itself, with the lines joined at once and plainly."""
    for path in sample_paths():
        raw = path.read_text(encoding="utf-8")
        with _at_once_from(0):
            at_once = normalize.clean(raw)
        with _at_once_from(10**9):
            assert normalize.clean(raw) == at_once


def test_labeled_lines_stay_apart() -> None:
    """A line opening with a short label and its colon under another such line is an item of a list
    (a schedule), not the wrapped rest of it; under an unlabeled wrapped line it is joined as before."""
    schedule = ["在线填报：即日起至5月12日企业在线提交", "资格审查：5月13日至5月20日", "专家论证：5月下旬"]
    for lines in (schedule, [" " + line for line in schedule]):
        plain, at_once = _both("\n".join(lines), 10)
        assert plain == at_once == [line.strip() for line in lines]
    prose = ["申报单位应当在规定时间内将下列材料一并", "报送材料：申请表、营业执照复印件。"]
    plain, at_once = _both("\n".join(prose), 10)
    assert plain == at_once == ["".join(prose)]
