"""The title shortcut (segment_lines._no_title) on the lines it also decides since issue 15's second pass:
lines with 关于 (after a source prefix) or a 【tag】 holding a sentence mark, and numbered lines too short
or too long for a weak title. It may only skip lines the full reading finds no title on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.extract.segment_data import vocab
from reminder.extract.segment_lines import _no_title, _read_title, split_lines

_PIECES = [
    "1.", "14、", "二、", "(三)", "【重大专项】", "【申报条件】", "【", "】", "成都龙泉驿:", "杭州丨", "关于", "关",
    "于", "组织申报", "2025年度", "科技项目", "的通", "知", "的通知", "公告", "名单", "申报", "项目", "认定工作",
    "试点", "工作启动", "实施办法", "(试行)", "各有关单位:", "。", ",", ";", ":", " ", "\t", "......12",
    "名单公布", "申报书", "发布时间:", "东科函〔2017〕181号", "请于3月1日前报送", "一二三四五六七八九十",
]  # fmt: skip


def _check(lines: list[str]) -> int:
    read, v, skipped = split_lines("\n".join(lines)), vocab(), 0
    for i in range(len(read)):
        if _no_title(read, i, v):
            skipped += 1
            assert _read_title(read, i, v) is None, read[i].text
    return skipped


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join), min_size=1, max_size=4))
def test_the_shortcut_skips_only_lines_without_a_title(lines: list[str]) -> None:
    _check(lines)


def test_the_shortcut_decides_prefixed_tagged_and_short_numbered_lines() -> None:
    lines = [
        "成都龙泉驿:关于开展评选,请各单位报送",  # a source prefix, then a sentence without a title ending
        "【重大专项】本项目支持,企业申报",  # a tag, then a sentence
        "二、申报条件",  # numbered, too short for a weak title, no ending word
        "企业须满足以下条件。",
    ]
    assert _check(lines) == 4
    v = vocab()
    read = split_lines("成都龙泉驿:关于组织申报2025年度科技项目的通知\n【重大专项】关于组织申报的通知")
    assert not _no_title(read, 0, v) and not _no_title(read, 1, v)
    assert _read_title(read, 0, v) is not None and _read_title(read, 1, v) is not None
