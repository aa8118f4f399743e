"""find_deadlines works out each date's clause, sentence and rejecting context once (deadlines._Around)
for the year scan, the candidates and the builder: its deadlines are those of the plain reading, which
works them out at every use, on the sample notices, the deadline cases and generated date lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import _deadline_cues as cues
from reminder.extract import deadlines
from reminder.extract.dates import DateMention, find_dates
from reminder.extract.deadlines import NoticeContext, find_deadlines
from reminder.extract.normalize import clean, match_view
from reminder.model import Deadline


class _PlainAround(deadlines._Around):
    """The same answers, worked out at every call."""

    def bounds(self, span: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
        view, lo, hi = self._view, self._ctx.start, self._ctx.end
        return (
            deadlines._bounds(view, span[0], span[1], cues.CLAUSE_BREAKS, lo, hi),
            deadlines._bounds(view, span[0], span[1], cues.SENTENCE_BREAKS, lo, hi),
        )

    def rejected(self, m: DateMention, tail: int) -> bool:
        clause, sentence = self.bounds(m.span)
        return deadlines._rejected(self._view, m, clause, sentence, tail)


def _both(text: str, published: dt.date | None, policy_only: bool = False) -> tuple[list[Deadline], ...]:
    cleaned = clean(text)
    view = match_view(cleaned)
    mentions, _ = find_dates(view)
    ctx = NoticeContext(0, len(view), published=published, policy_only=policy_only)
    fast = find_deadlines(cleaned, view, mentions, ctx)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(deadlines, "_Around", _PlainAround)
        plain = find_deadlines(cleaned, view, mentions, ctx)
    return fast, plain


def test_samples_read_as_plainly() -> None:
    found = 0
    for view in sample_views():
        fast, plain = _both(view, dt.date(2025, 1, 1))
        assert fast == plain
        found += len(fast)
    assert found, "no sample deadline: the check proved nothing"


def _case_texts() -> list[tuple[str, bool]]:
    out = []
    for path in sorted((Path(__file__).parent / "cases").glob("deadlines_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        policy = bool(data.get("policy_only", False))
        out += [(t, policy) for ex in data.get("examples") or [] for t in ex["texts"]]
        out += [(t, policy) for t in data.get("negative") or []]
    return out


def test_deadline_cases_read_as_plainly() -> None:
    for text, policy in _case_texts():
        fast, plain = _both(text, None, policy)
        assert fast == plain, text


_PIECES = [
    "申报截止时间为",
    "请于",
    "2025年4月10日",
    "7月10日",
    "10月10日",
    "、",
    "前",
    "截至",
    "2024年底",
    "企业营业收入",
    "举办说明会",
    "完成项目验收",
    "报送材料",
    ",",
    "。",
    "至",
    "期间投保",
]


def test_a_list_heads_context_is_read_at_the_lists_end() -> None:
    """The year scan reads a date's own context, the candidates the context after the list it heads:
    the two readings of one date are kept apart."""
    text = "请于2025年4月10日、7月10日前完成项目验收。申报截止时间为2025年5月1日。"
    fast, plain = _both(text, dt.date(2025, 1, 1))
    assert fast == plain


@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join))
def test_generated_date_lists_read_as_plainly(text: str) -> None:
    fast, plain = _both(text, dt.date(2025, 1, 1))
    assert fast == plain
