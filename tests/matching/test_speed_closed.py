"""The notices no longer open, found from the plan's closed positions (``CompanyVerdicts.closed``), are those
of the whole list in its order (what the page's 已截止 history showed, ``listed()`` filtered): by verdict,
then by next deadline."""

from __future__ import annotations

import datetime as dt
import itertools
from types import MappingProxyType

import pytest

from reminder.db.models import NoticeRow
from reminder.matching._profile_judge import Judging, ProfileJudge
from reminder.matching.company_verdicts import CompanyVerdicts, _plan
from reminder.matching.company_view import CompanyView
from reminder.model import Condition
from reminder.rules import Profile, resolve_region
from reminder.rules.existence import EXISTENCE

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
#: met (80 人), unmet, and unknown (no revenue filled in): eligible, not eligible, possibly eligible
CONDITIONS = [
    Condition("headcount", "<=", 500, "人", "职工总数不超过500人"),
    Condition("headcount", ">=", 1000, "人", "职工总数不少于1000人"),
    Condition("revenue", ">=", 1000, "万元", "年营业收入不低于1000万元"),
]


def _company(closed: set[int]) -> CompanyView:
    notices, judgings = {}, []
    for i in range(1, 10):
        notices[i] = NoticeRow(
            id=i, document_id=0, key=f"n{i}", title=f"第{i}批项目申报通知", status="published"
        )
        conditions = (CONDITIONS[i % 3], EXISTENCE)
        judgings.append(Judging(i, conditions, dt.date(2025, 3, 10), None, tuple(map(id, conditions))))
    profile = Profile(name="杭州示例科技有限公司", region=resolve_region("浙江省杭州市"), headcount=80)
    return CompanyView(
        ProfileJudge(profile),
        MappingProxyType(notices),
        frozenset(set(notices) - closed),
        MappingProxyType({i: () for i in notices}),
        tuple(judgings),
    )


@pytest.mark.parametrize("closed", [set(), {1}, {2, 3, 4}, {1, 5, 9, 6}, set(range(1, 10))], ids=str)
def test_the_closed_notices_come_in_the_lists_order(closed: set[int]) -> None:
    seen = _company(closed)
    found = CompanyVerdicts(seen, _plan(seen, NOW))
    plain = [i for i in found.listed() if not found.open[i]]
    assert found.closed() == plain
    shown = [(view.notice.id, view.status) for view in found.views(found.closed())]
    assert {i for i, _ in shown} == closed
    order = {"eligible": 0, "possibly_eligible": 1, "not_eligible": 2}
    assert [s for _, s in shown] == sorted((s for _, s in shown), key=order.__getitem__)
    assert len({s for _, s in shown}) == min(3, len({i % 3 for i in closed}))
    assert all(a < b for (a, s), (b, t) in itertools.pairwise(shown) if s == t)
