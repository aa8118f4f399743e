"""``CompanyVerdicts.listed`` (all verdicts or some) and ``pattern`` read the statuses and classes at once:
they must tell what each notice's MatchView tells (its verdict, missing fields and checks to make)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType

import pytest

from reminder.db.models import NoticeRow
from reminder.matching._profile_judge import Judging, ProfileJudge
from reminder.matching.company_verdicts import CompanyVerdicts, _plan
from reminder.matching.company_view import CompanyView
from reminder.matching.service import VERDICT_ORDER
from reminder.model import Condition
from reminder.rules import Profile, resolve_region
from reminder.rules.existence import EXISTENCE

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HEADCOUNT = Condition("headcount", "<=", 500, "人", "职工总数不超过500人")
REVENUE = Condition("annual_revenue", ">=", 1000, "万元", "上年度营业收入1000万元以上")
CREDIT = Condition("other", "==", True, None, "近三年无严重失信行为")
DAYS = [dt.date(2025, 3, 10), dt.date(2025, 4, 10), dt.date(2025, 5, 10), dt.date(2025, 6, 10)]
#: each notice's conditions (and one with the same conditions on another day)
CONDITIONS = [(HEADCOUNT,), (REVENUE,), (HEADCOUNT, REVENUE), (CREDIT,), (HEADCOUNT, CREDIT), (REVENUE,)]


def _seen(profile: Profile) -> CompanyView:
    notices = {
        i: NoticeRow(id=i, document_id=0, key=f"n{i}", title=f"第{i}号通知", status="published")
        for i in range(1, len(CONDITIONS) + 1)
    }
    judgings = []
    for i, conditions in zip(notices, CONDITIONS, strict=True):
        with_check = (*conditions, EXISTENCE)
        day = DAYS[i % len(DAYS)]
        judgings.append(Judging(i, with_check, day, None, tuple(map(id, with_check)), aged=True))
    return CompanyView(
        ProfileJudge(profile),
        MappingProxyType(notices),
        frozenset(notices),
        MappingProxyType({i: () for i in notices}),
        tuple(judgings),
    )


PROFILES = [
    Profile(name="甲", region=resolve_region("浙江省杭州市")),
    Profile(name="乙", region=resolve_region("浙江省杭州市"), headcount=80, founded_on=dt.date(2010, 1, 1)),
    Profile(name="丙", region=resolve_region("浙江省杭州市"), headcount=800, annual_revenue=Decimal("5000")),
    Profile(name="丁", region=resolve_region("浙江省杭州市"), headcount=80, founded_on=dt.date(2025, 4, 1)),
]


@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in PROFILES])
def test_lists_and_patterns_tell_what_the_views_tell(profile: Profile) -> None:
    seen = _seen(profile)
    found = CompanyVerdicts(seen, _plan(seen, NOW))
    statuses = found.statuses
    listed = found.listed()
    assert listed == [i for status in VERDICT_ORDER for i in range(len(statuses)) if statuses[i] == status]
    views = found.views(range(len(statuses)))
    assert [v.status for v in views] == statuses
    for only in [{"eligible"}, {"eligible", "possibly_eligible"}, {"not_eligible"}, set()]:
        assert found.listed(only) == [i for i in listed if statuses[i] in only]

    def kind(status: str, missing: tuple[str, ...], manual: tuple[object, ...]) -> object:
        return (status, missing, tuple(map(id, manual)))

    plan, pattern = found.pattern({"eligible", "possibly_eligible"}, kind)
    assert plan is _plan(seen, NOW)
    groups = [group for _, group in plan.sides]
    for view, group in zip(views, groups, strict=True):
        told = pattern[group]
        if view.status == "not_eligible":
            assert told is None
        else:
            assert told == (view.status, view.missing, tuple(map(id, view.manual)))
