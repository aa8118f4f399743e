"""segment_meta.line_date's shortcuts (the trailing aside cut by rstrip/rfind, the grammar run only on
lines ending with a character a dated line can end with) answer what the plain reading answers
(segment_meta._line_date_plain): on the lines of the sample notices and the shared gold set (read at
run time) and on generated date-like lines."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract.normalize import clean, match_view
from reminder.extract.segment_data import vocab
from reminder.extract.segment_meta import (
    _TRAILING_ASIDE,
    _line_date_plain,
    _without_aside,
    line_date,
    published_line,
)

# digits and numerals, date and time words, weekdays, separators, brackets, spaces, a few other words
_PIECES = [
    *"0123456789",
    *"〇○零一二三四五六七八九十",
    *"年月日号时点分半整份底旬初末",
    "星期",
    "周",
    "天",
    "至",
    "—",
    "-",
    "/",
    ".",
    ":",
    "、",
    "(",
    ")",
    " ",
    "\t",
    "\u3000",
    "\n",
    "。",
    "上午",
    "下午",
    "民国",
    "今年",
    "人民政府",
    "此件公开发布",
    "2025 年",
    "2023-07-24",
]
_LINE = st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)
# a written date with its day, then what may follow it (weekday, time of day, an aside, a word)
_DATE = st.sampled_from(
    ["2025年3月1", "2025 年 3 月 1 ", "二〇二五年三月一", "114年3月1", "3月1", "2023-07-24", "2025311"]
)
_DAY = st.sampled_from(["日", "号", ""])
_AFTER = st.sampled_from(
    ["", " ", "星期六", "(星期六)", "周日", "16:00", "下午3点", "3时", "3点半", "3点整", "9时30分"]
)
_TAIL = st.sampled_from(["", "(此件公开发布)", "。", "前", " ", "(" + "备" * 21 + ")"])
_DATED = st.tuples(st.sampled_from(["", "人民政府", "发布时间:"]), _DATE, _DAY, _AFTER, _TAIL).map("".join)


GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold" / "dev.json"


def _views() -> list[str]:
    views = sample_views()
    if GOLD.exists():  # the shared gold set (read at run time, never copied here)
        docs = json.loads(GOLD.read_text())["documents"]
        views += [match_view(clean(d["text"])) for d in docs if "text" in d]
    return views


def test_sample_lines_read_as_the_plain_reading() -> None:
    for view in _views():
        for line in view.split("\n"):
            assert line_date(line) == _line_date_plain(line)
            assert _without_aside(line) == _TRAILING_ASIDE.sub("", line)


@settings(max_examples=3000, deadline=None)
@given(_LINE)
@example("杭州市人民政府2025 年2 月14 日(此件公开发布)")
@example("2025年3月1日(星期六) 16:00")
@example("2025年3月1日下午3点半")
@example("2023-07-24 (a(b))")
@example("2025年3月1日(" + "备" * 21 + ")")
@example("二〇二五年三月一日")
def test_generated_lines_read_as_the_plain_reading(text: str) -> None:
    assert _without_aside(text) == _TRAILING_ASIDE.sub("", text)
    assert line_date(text) == _line_date_plain(text)


@settings(max_examples=1500, deadline=None)
@given(_DATED)
def test_generated_dated_lines_read_as_the_plain_reading(text: str) -> None:
    assert line_date(text) == _line_date_plain(text)


def test_published_line_still_reads_a_bare_date() -> None:
    assert published_line("2025年2月14日", vocab()) is not None
    assert published_line("2025年2月14日起施行", vocab()) is None
