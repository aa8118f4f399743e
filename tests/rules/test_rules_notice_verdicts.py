"""Whole-notice verdicts on real-phrased notices (tests/rules/cases/verdicts_notices.yaml).

Each pair judges a company against a notice (its scope as a hard condition, its conditions, on its last
deadline) with ``judge_notice`` and compares with the hand verdict; the reason is shown on failure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rules_case_utils import load_cases, make_condition

from reminder.model import Deadline, Notice, Scope
from reminder.rules import Profile, parse_profile, render_verdict_zh
from reminder.rules.notice_verdict import judge_notice

DATA = load_cases("verdicts_notices.yaml")
_VERDICT = {"eligible": "eligible", "possibly_eligible": "possibly", "not_eligible": "not_eligible"}


def _notice(spec: dict[str, Any]) -> Notice:
    scope = spec.get("scope")
    return Notice(
        title=spec["title"],
        deadlines=tuple(
            Deadline(date=day, time=None, kind="application", quote=spec["text"]) for day in spec["deadlines"]
        ),
        conditions=tuple(make_condition(c) for c in spec["conditions"]),
        scope=Scope(name=scope["name"], path=scope["path"]) if scope else None,
    )


def _pairs() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out = []
    for notice in DATA["notices"]:
        for i, pair in enumerate(notice["pairs"]):
            if isinstance(pair, list):
                pair = {"profile": pair[0], "verdict": pair[1], "reason": pair[2]}
            out.append((f"{notice['id']}-{i}-{pair['profile']}", notice, pair))
    return out


PAIRS = _pairs()


def _profile(pair: dict[str, Any]) -> Profile:
    data = dict(DATA["profiles"][pair["profile"]])
    for key, value in (pair.get("set") or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_profile(data)


@pytest.mark.parametrize(("notice", "pair"), [p[1:] for p in PAIRS], ids=[p[0] for p in PAIRS])
def test_notice_verdict(notice: dict[str, Any], pair: dict[str, Any]) -> None:
    verdict = judge_notice(_notice(notice), _profile(pair))
    trace = "\n".join([f"手工结论：{pair['verdict']}（{pair['reason']}）", *render_verdict_zh(verdict)])
    assert _VERDICT[verdict.status] == pair["verdict"], trace


def test_case_file_size_and_quotes() -> None:
    """At least 120 pairs over 30 notices and 8 profiles; every quote is the notice's own words."""
    assert len(PAIRS) >= 120 and len(DATA["notices"]) >= 30 and len(DATA["profiles"]) >= 8
    assert len({n["id"] for n in DATA["notices"]}) == len(DATA["notices"])
    for notice in DATA["notices"]:
        for cond in notice["conditions"]:
            assert cond["quote"] in notice["text"], (notice["id"], cond["quote"])
        for day in notice["deadlines"]:
            assert isinstance(day, dt.date), notice["id"]


def test_outside_scope_is_explained() -> None:
    notice = next(n for n in DATA["notices"] if n["id"] == "cn_gaoqi_pool")
    verdict = judge_notice(_notice(notice), _profile({"profile": "mtg_innov"}))
    assert verdict.status == "not_eligible"
    assert verdict.unmet[0].reason_zh == "注册地 北京市门头沟区 不在 浙江省温州市苍南县 ✗"


def test_possibly_lists_what_to_fill_in_and_confirm() -> None:
    notice = next(n for n in DATA["notices"] if n["id"] == "mtg_service")
    lines = render_verdict_zh(
        judge_notice(_notice(notice), _profile({"profile": "mtg_innov", "set": {"headcount": None}}))
    )
    assert lines[:3] == [
        "结论：可能符合申报条件",
        "需补充：职工人数",
        "需人工确认：科技服务收入占营业收入比例不低于30%",
    ]


def test_unknown_scope_asks_to_confirm_the_region() -> None:
    notice = next(n for n in DATA["notices"] if n["id"] == "unknown_place")
    lines = render_verdict_zh(judge_notice(_notice(notice), _profile({"profile": "fx_young"})))
    assert "需人工确认：请确认适用地区" in lines
