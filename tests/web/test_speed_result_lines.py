"""A page's writer keeps each result's lines for the page (``verdict_html._Writer.result``): every result
still reads as its own lines, also when results share a condition and differ in what they say (company
age on each notice's own day), whichever order the page asks for them in."""

from __future__ import annotations

import datetime as dt

from reminder.model import Condition
from reminder.rules import Profile, evaluate, resolve_region
from reminder.web.company.verdict_html import Fragments, _result_lines, _Writer

AGE = Condition("company_age_years", ">=", 2, "年", "企业成立满2年")
HEADCOUNT = Condition("headcount", "<=", 500, "人", "职工总数不超过500人")


def test_each_result_reads_as_its_own_lines() -> None:
    profile = Profile(
        name="杭州示例科技有限公司",
        region=resolve_region("浙江省杭州市"),
        headcount=80,
        founded_on=dt.date(2023, 1, 15),
    )
    days = [dt.date(2025, 1, 10), dt.date(2025, 3, 10), dt.date(2025, 6, 10)]
    results = [evaluate(AGE, profile, on=day) for day in days] + [evaluate(HEADCOUNT, profile, on=days[0])]
    assert len({r.reason_zh for r in results}) == len(results)  # the same condition, other texts
    writer = _Writer({}, Fragments(), False, "?detail=all", 7)
    for r in [*results, *reversed(results), *results]:
        assert writer.result(r) == _result_lines(r)
