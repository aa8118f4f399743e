"""Shortcuts in judging company ages, each against the plain computation it replaces:

- ``add_months`` skips the month-length lookup for days up to the 28th, ``full_months`` counts months in
  closed form instead of stepping;
- an age condition's threshold is read once per condition (``_evaluators._age_threshold``);
- companies of the same age share age results (``_profile_judge._SHARED`` keyed by ``age_reads``, not by
  the founding day): whenever two founding days give the same ``age_reads``, judging either gives the
  same result, and each company still reads its own age and verdict.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.matching._profile_judge import Judging, ProfileJudge
from reminder.model import Condition
from reminder.rules import Profile, evaluate, resolve_region
from reminder.rules._age import add_months, full_months
from reminder.rules._evaluators import _age_threshold, age_reads, read_number
from reminder.rules.existence import EXISTENCE

DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
OPS = st.sampled_from(["<=", "<", ">=", ">", "=="])
THRESHOLDS = st.one_of(
    st.tuples(st.integers(0, 30), st.just("年")),
    st.tuples(st.sampled_from(["0.5", "1.5", "2.5", 1.5]), st.just("年")),
    st.tuples(st.integers(1, 40), st.sampled_from(["月", "个月"])),
)


def _plain_add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _plain_full_months(founded: dt.date, on: dt.date) -> int:
    months = (on.year - founded.year) * 12 + on.month - founded.month
    while _plain_add_months(founded, months) > on:
        months -= 1
    while _plain_add_months(founded, months + 1) <= on:
        months += 1
    return months


@given(DAYS, st.integers(-400, 400))
@settings(deadline=None)
def test_add_months_is_the_clamped_calendar_month(day: dt.date, months: int) -> None:
    assert add_months(day, months) == _plain_add_months(day, months)


@given(DAYS, DAYS)
@settings(max_examples=500, deadline=None)
def test_full_months_counts_as_stepping_month_by_month(founded: dt.date, on: dt.date) -> None:
    assert full_months(founded, on) == _plain_full_months(founded, on)


def test_full_months_on_month_ends() -> None:
    # the 31st's anniversary in a shorter month is its last day
    assert full_months(dt.date(2024, 1, 31), dt.date(2024, 2, 29)) == 1
    assert full_months(dt.date(2024, 1, 31), dt.date(2024, 2, 28)) == 0
    assert full_months(dt.date(2024, 2, 29), dt.date(2025, 2, 28)) == 12
    assert full_months(dt.date(2024, 3, 31), dt.date(2024, 3, 30)) == -1


@given(THRESHOLDS)
@settings(deadline=None)
def test_threshold_is_read_once_per_condition_as_read_number(threshold: tuple[object, str]) -> None:
    value, unit = threshold
    cond = Condition("company_age_years", ">=", value, unit, "成立年限")
    assert _age_threshold(cond) == read_number(cond, "age")
    other = Condition("company_age_years", ">=", "不限", unit, "成立年限")
    assert _age_threshold(other) is None  # another condition: its own threshold, not the first one's


def test_threshold_of_each_condition_made_and_dropped_in_turn() -> None:
    # ids of dropped objects are reused: each condition still gets its own threshold
    for years in range(300):
        assert _age_threshold(Condition("company_age_years", ">=", years, "年", "成立年限")) == years


def _company(founded: dt.date | None) -> Profile:
    return Profile(name="杭州示例科技有限公司", region=resolve_region("浙江省杭州市"), founded_on=founded)


def _seen(result: object) -> tuple[object, ...]:
    r = result
    return (r.status, r.why, str(r.used), str(r.expected), r.missing, r.manual, r.reason_zh)  # type: ignore[attr-defined]


@given(OPS, THRESHOLDS, st.booleans(), DAYS, st.one_of(st.none(), DAYS), st.integers(-45, 45))
@settings(max_examples=600, deadline=None)
def test_same_reads_same_result(
    op: str, threshold: tuple[object, str], hard: bool, on: dt.date, a: dt.date | None, apart: int
) -> None:
    # founding days close together, mostly of the same age: two whose reads are equal judge alike
    b = a + dt.timedelta(days=apart) if a is not None else None
    value, unit = threshold
    for cond in (Condition("company_age_years", op, value, unit, "成立满一定年限", hard=hard), EXISTENCE):
        if age_reads(cond, a, on) == age_reads(cond, b, on):
            assert _seen(evaluate(cond, _company(a), on=on)) == _seen(evaluate(cond, _company(b), on=on))


def test_companies_of_one_age_share_results_yet_read_their_own() -> None:
    on = dt.date(2025, 3, 1)
    one_month = Condition("company_age_years", ">=", 1, "个月", "成立满1个月")
    two_years = Condition("company_age_years", ">=", 2, "年", "企业成立满2年")
    conditions = (one_month, two_years, EXISTENCE)
    judging = Judging(1, conditions, on, None, tuple(map(id, conditions)), aged=True)

    def lines(founded: dt.date) -> list[str]:
        verdict = ProfileJudge(_company(founded)).verdict(judging)
        return [r.reason_zh for r in verdict.results]

    # both 0.0 years old: one month old passes ≥ 1 个月, three weeks old does not
    assert lines(dt.date(2025, 2, 1)) == [
        "截至2025年3月1日，成立年限 0 年 ≥ 0.08333333333333333333333333333 年 ✓",
        "截至2025年3月1日，成立年限 0 年 < 2 年 ✗",
    ]
    assert lines(dt.date(2025, 2, 8))[0].endswith("< 0.08333333333333333333333333333 年 ✗")
    # 2.5 years old, founded days apart: the same lines
    early, late = lines(dt.date(2022, 8, 20)), lines(dt.date(2022, 8, 31))
    assert (
        early
        == late
        == [
            "截至2025年3月1日，成立年限 2.5 年 ≥ 0.08333333333333333333333333333 年 ✓",
            "截至2025年3月1日，成立年限 2.5 年 ≥ 2 年 ✓",
        ]
    )
    assert Decimal("2.5") == ProfileJudge(_company(dt.date(2022, 8, 31))).verdict(judging).results[1].used
