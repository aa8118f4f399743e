"""Kinds of applicant, the existence check and alternative routes (tests/rules/cases/verdicts_kinds.yaml,
verdicts_routes.yaml); the existence condition every notice is judged with (``judged_conditions``); the
SQL prefilter keeps whoever a route admits."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from rules_case_utils import load_cases, make_condition
from sqlalchemy import Column, Float, Integer, MetaData, Table, create_engine, insert, select

from reminder.applicant_kinds import fits_kind, kind_by_value, kind_by_word, section_of
from reminder.model import Condition, Deadline, Notice
from reminder.rules import compile_prefilter, judge, parse_profile, render_verdict_zh
from reminder.rules.notice_verdict import judge_notice
from reminder.rules.scope import judged_conditions, split_scope

FILES = {name: load_cases(name) for name in ("verdicts_kinds.yaml", "verdicts_routes.yaml")}
CASES = [dict(c, file=name) for name, data in FILES.items() for c in data["cases"]]


def _profile(case: dict[str, Any]) -> Any:
    data = dict(FILES[case["file"]]["profiles"][case["profile"]])
    data.update(case.get("set") or {})
    return parse_profile(data)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_kind_verdict(case: dict[str, Any]) -> None:
    conditions = [replace(make_condition(c), rule=c.get("rule", "")) for c in case["conditions"]]
    verdict = judge(conditions, _profile(case), on=case["day"])
    expect, trace = case["expect"], "\n" + "\n".join(render_verdict_zh(verdict))
    assert verdict.status == expect["status"], trace
    assert ["manual" if r.manual else r.status for r in verdict.results] == expect["results"], trace
    if "reasons" in expect:
        assert [r.reason_zh for r in verdict.results] == expect["reasons"], trace
    if "missing" in expect:
        assert list(verdict.missing) == expect["missing"], trace
    if "unmet" in expect:
        assert [r.condition.field for r in verdict.unmet] == expect["unmet"], trace


def test_kind_table() -> None:
    assert kind_by_word("商贸企业") is kind_by_value("商业")
    assert section_of("通用设备制造业") == "C" and section_of("某某业") is None
    assert fits_kind(kind_by_value("工业"), "某某业", ()) == "unknown"


def _notice(day: dt.date) -> Notice:
    deadline = Deadline(date=day, time=None, kind="application", quote="截止")
    return Notice(title="关于申报的通知", deadlines=(deadline,))


def test_every_notice_checks_existence_on_its_deadline() -> None:
    notice = _notice(dt.date(2024, 6, 26))
    young = parse_profile({"name": "新设公司", "region": "广西壮族自治区南宁市", "founded_on": "2024-10-06"})
    verdict = judge_notice(notice, young)
    assert verdict.status == "not_eligible"
    assert "截止时企业尚未成立" in verdict.unmet[0].reason_zh
    older = parse_profile({"name": "老公司", "region": "广西壮族自治区南宁市", "founded_on": "2020-01-01"})
    assert all(r.condition.rule != "exists" for r in judge_notice(notice, older).results)


def test_existence_is_not_stored_back_as_a_text_condition() -> None:
    notice = _notice(dt.date(2024, 6, 26))
    assert split_scope(judged_conditions(notice))[1] == ()


def _route_conditions() -> list[Condition]:
    return [
        Condition("annual_revenue", ">=", 5000, "万元", "营业收入5000万元以上", group="route-1/1"),
        Condition("headcount", ">=", 100, "人", "职工人数100人以上", group="route-1/1"),
        Condition("annual_revenue", ">=", 1000, "万元", "营业收入1000万元以上", group="route-1/2"),
        Condition("rd_expense_ratio", ">=", 5, "%", "研发费用占比不低于5%", group="route-1/2/or-3"),
        Condition("headcount", ">=", 300, "人", "职工人数300人以上", group="route-1/2/or-3"),
    ]


@pytest.mark.parametrize(
    ("revenue", "headcount", "ratio", "kept"),
    [
        (6000, 150, 1.0, True),  # route 1
        (1500, 50, 6.0, True),  # route 2 through the ratio
        (1500, 350, 1.0, True),  # route 2 through the headcount
        (1500, 50, 1.0, False),  # neither route
        (800, 120, 9.0, False),  # route 1 short of revenue, route 2 too
        (None, 150, 1.0, True),  # unknown revenue: route 1 may hold, kept for the engine
        (None, 50, 1.0, False),  # unknown revenue, but every route fails on another condition
    ],
)
def test_prefilter_keeps_whoever_a_route_admits(
    revenue: float | None, headcount: int, ratio: float, kept: bool
) -> None:
    table = Table(
        "routes",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("annual_revenue", Float),
        Column("headcount", Integer),
        Column("rd_expense_ratio", Float),
    )
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    columns = {c.name: c for c in table.columns}
    where = compile_prefilter(_route_conditions(), columns, on=dt.date(2025, 6, 30))
    with engine.begin() as conn:
        conn.execute(
            insert(table).values(id=1, annual_revenue=revenue, headcount=headcount, rd_expense_ratio=ratio)
        )
        found = conn.execute(select(table.c.id).where(where)).all()
    assert bool(found) is kept
    profile = parse_profile(
        {"name": "某公司", "region": "江苏省镇江市", "职工人数": headcount, "研发费用占比": ratio}
        | ({"年销售收入": revenue} if revenue is not None else {})
    )
    verdict = judge(_route_conditions(), profile, on=dt.date(2025, 6, 30))
    assert (verdict.status != "not_eligible") is kept
