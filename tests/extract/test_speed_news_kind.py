"""A document's kind (segment._kind, issue 15) reads its news score only when none of its notices calls
for anything: a call makes it a notice or a compilation whatever the score says, so the score's scans of
the whole text are skipped. The kind must be the one the score-first reading gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import segment_meta as meta
from reminder.extract.segment import Segment, _Block, _dedupe, _kind, _Scanner, _segment
from reminder.extract.segment_data import vocab
from reminder.extract.segment_lines import Line, split_lines

# lines with news signals (reporter, bulletin name, issue number, contents), titles and call cues
_LINES = [
    "本报记者 张三", "(新华社讯)", "长三角每周要讯", "2025年第9期", "目录", "科创聚焦",
    "关于组织申报2025年度科技项目的通知", "1.关于印发若干政策的通知", "各有关单位:",
    "请于2025年3月1日前报送申报材料。", "申报截止时间为3月1日。", "上海多项措施支持企业发展。",
    "浙江省科学技术厅", "2025年2月7日", "",
]  # fmt: skip


def _plain_kind(view: str, lines: list[Line], blocks: list[_Block], segments: list[Segment]) -> str:
    """_kind as it was: the score read first, whatever the notices say."""
    v = vocab()
    calls = any(not s.policy_only for s in segments)
    score = meta.news_score(view, lines, v)
    titled = any(b.hit is not None for b in blocks)
    if not calls and (score >= v.news_threshold or (score > 0 and not titled)):
        return "news"
    return "compilation" if len(segments) > 1 else "notice"


def _check(view: str) -> str:
    """Assert both readings give the same kind, as segment() reads it (the view stands for the cleaned
    text); return it."""
    v = vocab()
    lines = split_lines(view)
    blocks = _dedupe(_Scanner(lines, v, meta.line_date, view).run(), lines)
    segments = [s for b in blocks if (s := _segment(b, lines, view, view, v))]
    kind = _kind(view, lines, blocks, segments, v)
    assert kind == _plain_kind(view, lines, blocks, segments), view
    return kind


def test_kind_is_the_score_first_kind_in_real_notices() -> None:
    assert {_check(view) for view in sample_views()} >= {"news", "compilation"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=10))
def test_kind_is_the_score_first_kind_in_random_documents(lines: list[str]) -> None:
    _check("\n".join(lines))


def test_a_call_with_news_signals_is_no_news() -> None:
    view = "长三角每周要讯\n2025年第9期\n本报记者 张三\n关于组织申报2025年度科技项目的通知\n请于2025年3月1日前报送申报材料。"
    assert _check(view) == "notice"
