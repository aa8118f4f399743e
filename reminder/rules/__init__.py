"""Eligibility rules: company profiles, China's regions, and the engine that judges conditions.

    parse_profile / parse_profiles_csv → Profile
    resolve_region → Region (ancestors, region_within, region_codes)
    judge(notice.conditions, profile, on=deadline) → Verdict → render_verdict_zh(verdict)
    compile_prefilter(conditions, columns, on=deadline) → SQL WHERE clause for the company table

Pure functions over plain objects: storage lives elsewhere and calls in.
"""

from ._csv import parse_profiles_csv
from ._results import ConditionResult, Status, Verdict, VerdictStatus
from .engine import evaluate, judge
from .explain import render_result_zh, render_verdict_zh
from .profile import Profile, Qualification, parse_profile, profile_to_dict
from .regions import (
    Region,
    RegionError,
    ancestors,
    region_by_code,
    region_codes,
    region_path,
    region_within,
    resolve_region,
)
from .sql import compile_prefilter

__all__ = [
    "ConditionResult",
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
    "profile_to_dict",
    "region_by_code",
    "region_codes",
    "region_path",
    "region_within",
    "render_result_zh",
    "render_verdict_zh",
    "resolve_region",
]
