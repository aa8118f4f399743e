"""A company's verdicts on notices that repeat the same conditions on different days
(``reminder.matching.company_verdicts``): notices alike but for their existence check's day share one
verdict only when the company existed on every one of those days; one founded in between is told
不符合 for the calls that closed before it existed and judged on the rest."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from reminder.db.models import NoticeRow
from reminder.matching._profile_judge import Judging, ProfileJudge
from reminder.matching.company_verdicts import CompanyVerdicts, _plan
from reminder.matching.company_view import CompanyView
from reminder.model import Condition
from reminder.rules import Profile, resolve_region
from reminder.rules.existence import EXISTENCE

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HEADCOUNT = Condition("headcount", "<=", 500, "人", "职工总数不超过500人")
#: the same call reissued with each of these judging days
DAYS = [dt.date(2025, 3, 10), dt.date(2025, 4, 10), dt.date(2025, 5, 10), dt.date(2025, 6, 10)]


def _company(founded: dt.date) -> CompanyView:
    conditions = (HEADCOUNT, EXISTENCE)
    signature = tuple(map(id, conditions))
    notices = {
        i: NoticeRow(id=i, document_id=0, key=f"n{i}", title=f"关于申报第{i}批项目的通知", status="published")
        for i in range(1, 5)
    }
    judgings = tuple(
        Judging(i, conditions, day, None, signature, aged=True) for i, day in zip(notices, DAYS, strict=True)
    )
    profile = Profile(
        name="杭州新成立科技有限公司", region=resolve_region("浙江省杭州市"), headcount=80, founded_on=founded
    )
    return CompanyView(
        ProfileJudge(profile),
        MappingProxyType(notices),
        frozenset(notices),
        MappingProxyType({i: () for i in notices}),
        judgings,
    )


def _statuses(seen: CompanyView) -> dict[int, str]:
    found = CompanyVerdicts(seen, _plan(seen, NOW))
    return {view.notice.id or 0: view.status for view in found.views(found.listed())}


def test_a_company_founded_between_the_days_is_judged_on_each_day() -> None:
    seen = _company(dt.date(2025, 4, 20))
    assert _statuses(seen) == {1: "not_eligible", 2: "not_eligible", 3: "eligible", 4: "eligible"}
    plain = {j.notice_id: ProfileJudge(seen.judge.profile).verdict(j).status for j in seen.judgings}
    assert _statuses(seen) == plain
    unmet = CompanyVerdicts(seen, _plan(seen, NOW)).views([0])[0].unmet
    assert [r.reason_zh for r in unmet] == [
        "成立日期 2025-04-20 晚于申报截止日 2025-03-10，截止时企业尚未成立 ✗"
    ]


def test_a_company_that_existed_on_every_day_shares_one_verdict() -> None:
    seen = _company(dt.date(2019, 1, 1))
    found = CompanyVerdicts(seen, _plan(seen, NOW))
    views = found.views(found.listed())
    assert {v.status for v in views} == {"eligible"}
    assert len({id(v.verdict) for v in views}) == 1, "one verdict for the four alike notices"
