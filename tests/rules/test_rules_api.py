"""The public surface of reminder.rules, its data tables, and real conditions from the gold file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import reminder.rules as rules
from reminder.errors import DataFileError
from reminder.model import CONDITION_FIELDS, Condition
from reminder.rules import _data, judge, parse_profile, render_verdict_zh
from reminder.rules._vocab import condition_spec

GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold" / "seeds.json"


def test_exported_members() -> None:
    assert sorted(rules.__all__) == sorted(
        [
            "NoticeState",
            "age_reads",
            "applicant_types",
            "condition_currency",
            "condition_spec",
            "currencies",
            "default_currency",
            "fold",
            "format_money",
            "format_number",
            "header_map",
            "judge_notice",
            "judging_day",
            "notice_state",
            "parse_bool",
            "profile_label",
            "profile_warnings",
            "scope_condition",
            "verdict_summary_zh",
            "VERDICT_LABELS_ZH",
            "manual_item_zh",
            "manual_text_zh",
            "with_scope",
            "ConditionResult",
            "frozen_instance",
            "Profile",
            "Qualification",
            "Region",
            "RegionError",
            "Status",
            "Verdict",
            "VerdictStatus",
            "ancestors",
            "compile_prefilter",
            "evaluate",
            "judge",
            "parse_profile",
            "parse_profiles_csv",
            "read_profiles_csv",
            "profile_to_dict",
            "region_by_code",
            "region_codes",
            "region_path",
            "region_within",
            "render_result_zh",
            "render_verdict_zh",
            "resolve_region",
        ]
    )
    for name in rules.__all__:
        assert getattr(rules, name) is not None


def test_every_condition_field_has_an_evaluator() -> None:
    for field in CONDITION_FIELDS:
        spec = condition_spec(field)
        assert spec is not None, field


def test_malformed_data_file_names_file_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_data, "read_text", lambda name: "country: [中国]\nrelatives: {}\n")
    with pytest.raises(DataFileError, match=r"bogus\.yaml.*'relatives'"):
        _data.load_yaml("bogus.yaml", frozenset({"country", "relative"}))
    with pytest.raises(DataFileError, match=r"bogus\.yaml.*conditions\.x.*'kinds'"):
        _data.check_keys("bogus.yaml", "conditions.x", {"kinds": 1}, ("kind", "label"))


def _gold_conditions() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.extend(node.get("conditions") or [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(GOLD.read_text(encoding="utf-8")))
    return found


@pytest.mark.skipif(not GOLD.exists(), reason="shared/gold/seeds.json is not beside the repository")
def test_gold_conditions_are_all_decided_for_a_complete_profile() -> None:
    """Every real condition with a profile field is decided (pass/fail), never left manual or unknown;
    the rest are listed for a person to confirm."""
    profile = parse_profile(
        {
            "name": "杭州示例汽车零部件有限公司",
            "region": "杭州市萧山区",
            "industry": "汽车零部件",
            "founded_on": "2015-01-01",
            "headcount": 320,
            "annual_revenue": "1.5亿元",
            "total_assets": "1亿元",
            "qualifications": "高新技术企业:2027-12-31",
            "legal_person": True,
            "credit_ok": True,
        }
    )
    gold = [Condition(c["field"], c["op"], c["value"], c.get("unit"), c["quote"]) for c in _gold_conditions()]
    assert gold, "the gold file has no conditions"
    verdict = judge(gold, profile, on=dt.date(2025, 6, 30))
    trace = "\n" + "\n".join(render_verdict_zh(verdict))
    for result in verdict.results:
        evaluable = result.condition.field not in ("other", "cooperation_funding")
        assert (result.status != "unknown") == evaluable, trace
        assert result.manual == (not evaluable), trace
    # a condition only a person can check leaves the verdict at 可能符合, listing it (需人工确认)
    manual = [r for r in verdict.results if r.manual]
    assert verdict.status == ("possibly_eligible" if manual else "eligible"), trace
    assert list(verdict.manual) == manual, trace


@pytest.mark.parametrize("module", ["regions", "_units", "_age"])
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"reminder.rules.{module}"))
    assert result.attempted > 0 and result.failed == 0
