"""Notice state and judging day, credit-code regions, currencies, awarded titles (case files in cases/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rules_case_utils import load_cases, make_condition
from stdnum.cn import uscc

from reminder.model import Condition, Deadline, Notice
from reminder.rules import judge, judging_day, notice_state, parse_profile, profile_warnings, region_path
from reminder.rules.awarded import awarded_qualifications, soften_awarded
from reminder.rules.scope import judged_conditions, split_scope

STATES = load_cases("notice_state.yaml")["cases"]
CODES = load_cases("credit_code_region.yaml")["cases"]
MONEY = load_cases("currency.yaml")["cases"]
AWARDED = load_cases("awarded.yaml")["cases"]


def _notice(days: list[dt.date], rolling: bool) -> Notice:
    return Notice(
        title="通知", deadlines=tuple(Deadline(d, None, "application", "截止") for d in days), rolling=rolling
    )


@pytest.mark.parametrize("case", STATES, ids=[c["name"] for c in STATES])
def test_notice_state_and_judging_day(case: dict[str, Any]) -> None:
    notice = _notice(case["deadlines"], case["rolling"])
    assert notice_state(notice, case["today"]) == case["state"]
    assert judging_day(notice, case["today"]) == case["day"]


@pytest.mark.parametrize("case", CODES, ids=[c["name"] for c in CODES])
def test_region_from_credit_code(case: dict[str, Any]) -> None:
    code = case["code17"] + uscc.calc_check_digit(case["code17"])
    data = {"name": "甲", "credit_code": code} | ({"region": case["region"]} if case["region"] else {})
    profile = parse_profile(data)
    assert region_path(profile.region) == case["expect_region"]
    assert bool(profile_warnings(profile)) == (case["warns"] is True), profile_warnings(profile)


@pytest.mark.parametrize("case", MONEY, ids=[c["name"] for c in MONEY])
def test_currencies(case: dict[str, Any]) -> None:
    profile = parse_profile({"name": "甲", "region": "臺灣桃園市", **case["profile"]})
    verdict = judge([make_condition(case["condition"])], profile, on=dt.date(2025, 6, 30))
    assert verdict.status == case["status"], [r.reason_zh for r in verdict.results]


def test_mixed_currencies_in_one_profile_are_an_error() -> None:
    with pytest.raises(ValueError, match="币种"):
        parse_profile(
            {"name": "甲", "region": "香港", "annual_revenue": "港币500万", "total_assets": "新臺幣3000萬元"}
        )


@pytest.mark.parametrize("case", AWARDED, ids=[c["title"] for c in AWARDED])
def test_awarded_qualifications(case: dict[str, Any]) -> None:
    assert sorted(awarded_qualifications(case["title"])) == sorted(case["awarded"])


def test_awarded_title_is_soft_and_others_stay_hard() -> None:
    conds = [
        Condition("qualification", "has", "高企", None, "往年认定的高企可再次申请"),
        Condition("headcount", "<=", 500, "人", "500人以下"),
    ]
    soft = soften_awarded(conds, "关于开展2025年高新技术企业认定工作的通知")
    assert [c.hard for c in soft] == [False, True]


def test_scope_survives_storage() -> None:
    from reminder.model import Scope

    notice = Notice(
        title="通知",
        scope=Scope("苍南县", "浙江省温州市苍南县"),
        conditions=(Condition("headcount", "<=", 5, "人", "5人"),),
    )
    scope, rest = split_scope(judged_conditions(notice))
    assert (scope.name, scope.path, rest) == ("苍南县", "浙江省温州市苍南县", notice.conditions)
    assert split_scope(judged_conditions(Notice(title="通知")))[0] is None
