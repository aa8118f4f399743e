"""Case-file tests: profiles in, verdicts out (tests/rules/cases/verdicts.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
from rules_case_utils import load_cases, make_condition

from reminder.rules import Verdict, judge, parse_profile, render_verdict_zh, resolve_region

DATA = load_cases("verdicts.yaml")
CASES = DATA["cases"]


def _profile(case: dict[str, Any]) -> Any:
    data = dict(DATA["profiles"][case["profile"]])
    for key, value in (case.get("set") or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_profile(data)


def _statuses(verdict: Verdict) -> list[str]:
    return ["manual" if r.manual else r.status for r in verdict.results]


def _trace(verdict: Verdict) -> str:
    return "\n" + "\n".join(render_verdict_zh(verdict))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_verdict(case: dict[str, Any]) -> None:
    notice_region = resolve_region(case["notice_region"]) if case.get("notice_region") else None
    conditions = [make_condition(c) for c in case["conditions"]]
    verdict = judge(conditions, _profile(case), on=case["day"], notice_region=notice_region)
    expect, trace = case["expect"], _trace(verdict)
    assert verdict.status == expect["status"], trace
    if "results" in expect:
        assert _statuses(verdict) == expect["results"], trace
    if "reasons" in expect:
        assert [r.reason_zh for r in verdict.results] == expect["reasons"], trace
    if "missing" in expect:
        assert list(verdict.missing) == expect["missing"], trace
    if "unmet" in expect:
        assert [r.condition.field for r in verdict.unmet] == expect["unmet"], trace
    if "manual" in expect:
        assert len(verdict.manual) == expect["manual"], trace
    if "notes" in expect:
        assert len(verdict.notes) == expect["notes"], trace


def test_case_names_are_unique() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
