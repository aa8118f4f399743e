"""The segmenter's scan (segment._Scanner.run) cuts a document into the same blocks as the plain scan it
replaces: body lines between the title, heading and TOC lines are taken in one go, and whether the last
body lines are a signature (a date line, then asides) or renumber the items is read only when a title
asks, from the last line back, instead of line by line as they come."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import segment_meta as meta
from reminder.extract.normalize import clean, match_view
from reminder.extract.segment import _Block, _Scanner
from reminder.extract.segment_data import vocab
from reminder.extract.segment_lines import TitleHit, marker_style, split_lines

GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold" / "dev.json"


class _PlainScanner(_Scanner):
    """The scan as it was: every line through _step, and each body line's date and numbering read as it
    comes (after_signature and the count of body lines numbered like the last title kept up to date)."""

    def run(self) -> list[_Block]:
        self.after_signature = False
        self.same_style_since = 0
        i = 0
        while i < len(self.lines):
            i = self._step(i)
        self._close()
        return self.blocks

    def _accept(self, hit: TitleHit) -> bool:
        st = self.state
        if len(hit.key) >= self.v.title_min and hit.key in self.toc_keys:
            return True
        marked = hit.style is not None or hit.tag is not None
        if hit.strength == "strong":
            if marked or st.after_heading:
                return True
            return not self.compilation and (st.titles == 0 or self.after_signature)
        continues = (
            hit.style is not None
            and hit.style == st.last_style
            and st.last_number is not None
            and hit.number == st.last_number + 1
            and self.same_style_since == 0
        )
        return st.after_heading or self.after_signature or continues

    def _open(self, i: int, hit: TitleHit) -> None:
        super()._open(i, hit)
        self.after_signature = False
        self.same_style_since = 0

    def _body(self, i: int) -> None:
        st = self.state
        text = self.lines[i].text
        if self.current is None:
            self.current = _Block(i, i, None, st.level, st.region, st.policy)
        self.current.last = i
        if st.last_style is not None and marker_style(text, self.v) == st.last_style:
            self.same_style_since += 1
        aside = self.after_signature and bool(self.v.aside.match(text.strip()))
        self.after_signature = aside or meta.line_date(text) is not None
        st.after_heading = False


def _check(view: str) -> list[_Block]:
    lines, v = split_lines(view), vocab()
    fast = _Scanner(lines, v, functools.lru_cache(maxsize=None)(meta.line_date), view).run()
    plain = _PlainScanner(lines, v, meta.line_date, view).run()
    assert fast == plain
    return fast


def _views() -> list[str]:
    views = sample_views()
    if GOLD.exists():  # the shared gold set: more layouts (read at run time, never copied here)
        views += [
            match_view(clean(d["text"])) for d in json.loads(GOLD.read_text())["documents"] if "text" in d
        ]
    return views


def test_the_scan_cuts_real_notices_as_the_plain_scan() -> None:
    blocks = [b for view in _views() for b in _check(view)]
    assert sum(b.hit is not None for b in blocks) > 20 and any(b.hit is None for b in blocks)


# lines of compilations and notices: numbered and tagged titles (strong and weak), headings, TOC
# entries, body text numbered like the items, signatures with asides, blank lines
_LINES = [
    "1.关于组织申报2025年度科技项目的通知", "2.关于组织申报2025年度科技项目的通知", "3.2025年度专项资金申报",
    "4.2025年度专项资金申报", "关于开展评选工作的通知", "【重大专项】关于组织申报的通知", "国家级可申报项目",
    "浙江省", "暂无", "二月政策汇编", "目录", "1.关于组织申报的通知 ...... 4", "各有关单位:",
    "企业须满足以下条件。", "1.申报条件", "2.申报材料", "一、申报条件", "浙江省科学技术厅", "杭州市财政局",
    "2025年3月1日", "2025 年 2 月 14 日", "(此件公开发布)", "(浙江省经济和信息化厅代章)", "", " ",
    "请于3月1日前报送", "附件:1.申报书",
]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=20))
def test_the_scan_cuts_random_documents_as_the_plain_scan(lines: list[str]) -> None:
    _check("\n".join(lines))


def test_a_signature_lets_the_next_unnumbered_title_open_a_notice() -> None:
    # the notice's last lines: a date, then an aside; the title after them opens a second notice
    doc = [
        "关于组织申报2025年度科技项目的通知",
        "各有关单位:",
        "企业须满足以下条件。",
        "浙江省科学技术厅",
        "2025年3月1日",
        "(此件公开发布)",
        "",
        "关于开展2025年度评选工作的通知",
        "企业须满足以下条件。",
    ]
    assert [b.first for b in _check("\n".join(doc))] == [0, 7]
    unsigned = doc[:4] + doc[6:]  # no date: the second title is a line of the first notice's body
    assert [b.first for b in _check("\n".join(unsigned))] == [0]
