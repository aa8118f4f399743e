"""Eligibility rules: company profiles, China's regions, and the engine that judges conditions.

    parse_profile / parse_profiles_csv / read_profiles_csv (streamed) → Profile
    resolve_region → Region (ancestors, region_within, region_codes)
    judge(notice.conditions, profile, on=deadline) → Verdict → render_verdict_zh(verdict)
    judge_notice(notice, profile) → Verdict: the notice's scope as a hard condition, judged on its
                                    last deadline (notice_state: open | rolling | closed)
    compile_prefilter(conditions, columns, on=deadline) → SQL WHERE clause for the company table

Pure functions over plain objects: storage lives elsewhere and calls in.
"""

from ._csv import parse_profiles_csv, read_profiles_csv
from ._currency import condition_currency, currencies, default_currency
from ._evaluators import age_reads
from ._results import ConditionResult, Status, Verdict, VerdictStatus, frozen_instance
from ._units import fold, format_money, format_number, parse_bool
from ._vocab import applicant_types, condition_spec, header_map, profile_label
from .engine import evaluate, judge
from .explain import (
    VERDICT_LABELS_ZH,
    manual_item_zh,
    manual_text_zh,
    render_result_zh,
    render_verdict_zh,
    verdict_summary_zh,
)
from .notice_verdict import NoticeState, judge_notice, judging_day, notice_state
from .profile import Profile, Qualification, parse_profile, profile_to_dict, profile_warnings
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
from .scope import scope_condition, with_scope
from .sql import compile_prefilter

__all__ = [
    "age_reads",
    "applicant_types",
    "frozen_instance",
    "condition_currency",
    "condition_spec",
    "currencies",
    "default_currency",
    "fold",
    "format_money",
    "format_number",
    "header_map",
    "parse_bool",
    "profile_label",
    "judge_notice",
    "judging_day",
    "notice_state",
    "NoticeState",
    "profile_warnings",
    "scope_condition",
    "verdict_summary_zh",
    "VERDICT_LABELS_ZH",
    "manual_item_zh",
    "manual_text_zh",
    "with_scope",
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
