"""A company founded by every existence check's day has its checks filled from the first one's result
(``company_verdicts._judged``) instead of judged slot by slot: each notice's verdict, what it says and which
notices share a result are those of judging every slot in order, whenever the company was founded."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import pytest

from reminder.db.models import NoticeRow
from reminder.matching._profile_judge import Judging, ProfileJudge
from reminder.matching.company_verdicts import CompanyVerdicts, _judged, _plan
from reminder.matching.company_view import CompanyView
from reminder.model import Condition
from reminder.rules import Profile, resolve_region
from reminder.rules.existence import EXISTENCE

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HEADCOUNT = Condition("headcount", "<=", 500, "人", "职工总数不超过500人")
AGE = Condition("company_age_years", ">=", 2, "年", "企业成立满2年")
#: each call's judging day, and whether it has an age condition besides its existence check
CALLS = [
    (dt.date(2025, 6, 10), True),
    (dt.date(2025, 3, 10), False),
    (dt.date(2025, 5, 10), True),
    (dt.date(2025, 4, 10), False),
]


def _company(founded: dt.date | None) -> CompanyView:
    notices, judgings = {}, []
    for i, (day, aged) in enumerate(CALLS, start=1):
        notices[i] = NoticeRow(
            id=i, document_id=0, key=f"n{i}", title=f"第{i}批项目申报通知", status="published"
        )
        conditions = (HEADCOUNT, AGE, EXISTENCE) if aged else (HEADCOUNT, EXISTENCE)
        judgings.append(Judging(i, conditions, day, None, tuple(map(id, conditions)), aged=True))
    profile = Profile(
        name="杭州示例科技有限公司", region=resolve_region("浙江省杭州市"), headcount=80, founded_on=founded
    )
    return CompanyView(
        ProfileJudge(profile),
        MappingProxyType(notices),
        frozenset(notices),
        MappingProxyType({i: () for i in notices}),
        tuple(judgings),
    )


FOUNDED = [
    dt.date(2020, 1, 1),  # before every day
    dt.date(2025, 3, 10),  # on the earliest day
    dt.date(2025, 3, 11),  # the day after it
    dt.date(2025, 4, 20),  # in between
    dt.date(2025, 6, 10),  # on the last day
    dt.date(2026, 1, 1),  # after every day
    None,  # not filled in
]


@pytest.mark.parametrize("founded", FOUNDED, ids=str)
def test_the_checks_filled_at_once_read_as_judged_one_by_one(founded: dt.date | None) -> None:
    seen = _company(founded)
    plan = _plan(seen, NOW)
    fast = _judged(_company(founded).judge, plan)
    plain_judge = _company(founded).judge
    plain = [plain_judge._result(cond, on, region) for cond, on, region in plan.slots]
    assert [(r.status, r.reason_zh) for r in fast] == [(r.status, r.reason_zh) for r in plain]
    # the same results shared by the same slots (what groups notices into one verdict)
    assert [[j for j in range(len(fast)) if fast[j] is r] for r in fast] == [
        [j for j in range(len(plain)) if plain[j] is r] for r in plain
    ]


@pytest.mark.parametrize("founded", FOUNDED, ids=str)
def test_each_notice_reads_as_the_engine_judges_it_alone(founded: dt.date | None) -> None:
    seen = _company(founded)
    found = CompanyVerdicts(seen, _plan(seen, NOW))
    shown = {
        view.notice.id: (view.status, [r.reason_zh for r in view.unmet], [r.reason_zh for r in view.results])
        for view in found.views(found.listed())
    }
    alone = {}
    for judging in seen.judgings:
        verdict = ProfileJudge(seen.judge.profile).verdict(judging)
        alone[judging.notice_id] = (
            verdict.status,
            [r.reason_zh for r in verdict.unmet],
            [r.reason_zh for r in verdict.results],
        )
    assert shown == alone
