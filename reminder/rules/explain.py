"""Chinese explanations of condition results and verdicts: the renderer over what the engine recorded.

职工总数 320 人 ≤ 500 人 ✓
年销售收入 未填写 — 需 ≤ 2亿元
注册地 杭州市萧山区 属于 浙江省 ✓
截至2025年3月1日，成立年限 0.8 年 < 1 年 ✗
原则上：研发费用占比 2 % < 3 % ✗（非硬性，不影响申报）
请人工确认：单个品种的保险金额不低于 5000 万元
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ._results import ConditionResult, Verdict
from ._units import format_money, format_number
from ._vocab import judged_spec
from .profile import Qualification
from .regions import Region, ancestors, region_path, relative_level
from .scope import SCOPE_UNKNOWN_ZH

__all__ = [
    "describe",
    "render_result_zh",
    "render_verdict_zh",
    "verdict_summary_zh",
    "manual_item_zh",
    "format_region",
    "OP_SYMBOLS",
    "VERDICT_LABELS_ZH",
    "manual_text_zh",
]

OP_SYMBOLS = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "==": "="}
# The relation that holds when a comparison fails: a failed ≥ 1 年 reads "0.8 年 < 1 年".
_NEGATED = {"<=": ">", "<": "≥", ">=": "<", ">": "≤", "==": "≠"}
_MARK = {"pass": " ✓", "fail": " ✗", "unknown": ""}
#: verdict status → its Chinese label: the one wording of pages, API clients, reminders and the iCal feed
VERDICT_LABELS_ZH: dict[str, str] = {
    "eligible": "符合申报条件",
    "possibly_eligible": "可能符合申报条件",
    "not_eligible": "不符合申报条件",
}
_VERDICT = {status: f"结论：{label}" for status, label in VERDICT_LABELS_ZH.items()}


def format_region(region: Region) -> str:
    """A region as people say it: 杭州市萧山区, 北京市朝阳区, 杭州市, 浙江省."""
    chain = ancestors(region)
    if region.level == "district" and len(chain) > 1 and chain[1].level != "country":
        return chain[1].name + region.name
    return region.name


def _label(result: ConditionResult) -> str:
    spec = judged_spec(result.condition)
    return spec.label if spec else result.condition.field


def _quantity(result: ConditionResult, value: Any) -> str:
    spec = judged_spec(result.condition)
    if spec is not None and spec.kind == "money":
        return format_money(value)
    unit = spec.unit if spec is not None else None
    text = format_number(value) if isinstance(value, int | float | Decimal) else str(value)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def _numeric(result: ConditionResult) -> str:
    op = result.condition.op
    if result.why == "currency" and isinstance(result.expected, tuple):
        amount, currency = result.expected
        return (
            f"{_label(result)} 需 {OP_SYMBOLS.get(op, op)} {_quantity(result, amount)}（{currency}）"
            f" — 企业金额币种不同，请人工确认"
        )
    need = f"{OP_SYMBOLS.get(op, op)} {_quantity(result, result.expected)}"
    if result.status == "unknown":
        return f"{_label(result)} 未填写 — 需 {need}"
    rel = OP_SYMBOLS[op] if result.status == "pass" else _NEGATED[op]
    return f"{_label(result)} {_quantity(result, result.used)} {rel} {_quantity(result, result.expected)}"


def _day(value: Any) -> str:
    """A day as the explanations write it: 2025年3月1日."""
    return f"{value.year}年{value.month}月{value.day}日" if isinstance(value, dt.date) else str(value)


def _age(result: ConditionResult) -> str:
    if result.why == "exists":
        return f"成立日期 {result.used} 晚于申报截止日 {result.expected}，截止时企业尚未成立"
    if result.status == "unknown":
        op = result.condition.op
        return f"{_label(result)} 未填写成立日期 — 需 {OP_SYMBOLS.get(op, op)} {_quantity(result, result.expected)}"
    # Ages differ between notices (each is judged on its own deadline): the text names the day.
    on = result.on
    when = f"截至{_day(on)}，" if on is not None else ""
    return when + _numeric(result)


#: how the company's founding day must stand to the condition's: 不晚于 2022年12月31日
_DATE_WORDS = {"<=": "不晚于", "<": "早于", ">=": "不早于", ">": "晚于"}


def _date(result: ConditionResult) -> str:
    """成立日期 2019年5月20日，不晚于 2022年12月31日 ✓ / 成立日期 未填写 — 需不晚于 2022年12月31日."""
    op = result.condition.op
    need = f"{_DATE_WORDS.get(op, OP_SYMBOLS.get(op, op))} {_day(result.expected)}"
    if result.status == "unknown":
        return f"{_label(result)} 未填写 — 需{need}"
    if result.status == "pass":
        return f"{_label(result)} {_day(result.used)}，{need}"
    return f"{_label(result)} {_day(result.used)}，要求{need}"


def _region_text(value: Any) -> str:
    return format_region(value) if isinstance(value, Region) else f"“{value}”"


def _region(result: ConditionResult) -> str:
    label, used = _label(result), _region_text(result.used)
    if isinstance(result.expected, tuple):  # outside every place of a list
        return f"{label} {used} 不在 {'、'.join(_region_text(r) for r in result.expected)} 中的任何一地"
    target = _region_text(result.expected)
    value = result.condition.value
    if isinstance(value, str) and isinstance(result.expected, Region) and relative_level(value):
        target = f"{value}（{target}）"
    whole = region_path(result.expected) if isinstance(result.expected, Region) else target
    if isinstance(value, str) and isinstance(result.expected, Region) and relative_level(value):
        whole = f"{value}（{whole}）"
    words = {
        "within": f"{label} {used} 属于 {target}",
        "outside": f"{label} {used} 不在 {whole}",
        "not_mainland": f"{label} {used} 不在 全国（内地）范围",
        "scope_unknown": f"适用地区未知 — {SCOPE_UNKNOWN_ZH}",
        "coarse": f"{label} {used} — 无法确定是否属于 {target}，请将所在地区填写到市或区县",
        "notice_region_unknown": f"{label} 需在{target} — 通知所属地区未知，请人工确认",
        "unreadable": f"{label} 需在{target} — 无法识别该地区，请人工确认",
    }
    return words.get(result.why, f"{label} 请人工确认")


def _qualification_name(value: Any) -> str:
    return value.name if isinstance(value, Qualification) else str(value)


def _qualification(result: ConditionResult) -> str:
    label, target = _label(result), str(result.expected)
    listed = result.condition.value
    if result.why in ("missing", "absent") and isinstance(listed, list | tuple) and len(listed) > 1:
        # 须为A或B: any one will do, so name them all (the result names only the first)
        names = "、".join(str(v) for v in listed)
        if result.why == "absent":
            return f"{label} 不具备 {names} 中的任何一项"
        target = f"{names} 之一"
    if result.why == "kind_mismatch":
        return f"所属行业 {result.used} 不属于{target}企业（{result.quote}）"
    if result.why == "unknown_qualification":
        return f"需人工确认：{result.quote or target}（档案无法记录该资质）"
    used = result.used if isinstance(result.used, Qualification) else None
    if result.why == "missing":
        verb = "不具备" if result.condition.op == "not_has" else "具备"
        return f"{label} 未填写 — 需{verb} {target}"
    if result.why == "expired" and used is not None:
        return f"{label} {used.name} 已于 {used.valid_until} 过期 — 需具备有效的 {target}"
    if result.why == "absent":
        return f"{label} 不具备 {target}"
    held = used.name if used is not None else target
    via = f"（{held} 视同 {target}）" if held != target else ""
    until = f"（有效期至 {used.valid_until}）" if used is not None and used.valid_until else ""
    if result.condition.op == "not_has":
        return f"{label} 具备 {target}{via}，要求不具备"
    return f"{label} 具备 {target}{via}{until}"


def _listing(result: ConditionResult) -> str:
    label = _label(result)
    listed = "、".join(str(v) for v in result.expected or ())
    if result.why == "missing":
        return f"{label} 未填写 — 需属于 {listed}"
    if result.why == "kind_unknown":
        return f"需人工确认：是否属于 {listed}（{result.quote}）"
    if isinstance(result.used, tuple):
        mine, theirs = result.used
        return f"{label} “{mine}” 属于 “{theirs}”" + (
            "，要求不属于" if result.condition.op == "not_has" else ""
        )
    if result.condition.op == "not_has":
        return f"{label} {result.used} 不属于 {listed}"
    return (
        f"{label} {result.used} 不在 {listed} 之列"
        if result.why == "not_matched"
        else f"{label} {result.used} 属于 {listed}"
    )


def _yes_no(result: ConditionResult) -> str:
    label = _label(result)
    want = "具备" if result.expected is not False else "不具备"
    if result.status == "unknown":
        return f"{label} 未填写 — 需{want}"
    return f"{label} {'是' if result.used else '否'}（需{want}）"


def _credit(result: ConditionResult) -> str:
    label = _label(result)
    if result.status == "unknown":
        return f"{label} 未填写 — 需无严重失信等不良记录"
    return f"{label} {'良好' if result.used else '有严重失信等不良记录'}"


def _manual(result: ConditionResult) -> str:
    return f"请人工确认：{result.quote or _label(result)}"


_RENDERERS: dict[str, Callable[[ConditionResult], str]] = {
    "number": _numeric,
    "money": _numeric,
    "age": _age,
    "date": _date,
    "region": _region,
    "qualification": _qualification,
    "industry": _listing,
    "applicant_type": _listing,
    "bool": _yes_no,
    "credit": _credit,
    "manual": _manual,
}


def describe(result: ConditionResult) -> str:
    """The one-line Chinese explanation of a result (what ``ConditionResult.reason_zh`` holds)."""
    spec = judged_spec(result.condition)
    if result.manual and not result.condition.hard:
        return f"{result.quote or _label(result)}（非硬性，不影响申报）"
    if spec is None or (result.manual and result.why == "not_evaluable"):
        return _manual(result)
    line = _RENDERERS[spec.kind](result) + _MARK[result.status]
    if not result.condition.hard and result.status == "fail":
        return f"原则上：{line}（非硬性，不影响申报）"
    return line


def render_result_zh(result: ConditionResult) -> str:
    """One line for one result, marked as soft when it is."""
    return result.reason_zh or describe(result)


def _group_lines(verdict: Verdict) -> list[str]:
    lines: list[str] = []
    seen: set[str] = set()
    for result in verdict.results:
        group = result.condition.group
        base = group.split("/")[0] if group else None
        if base is None:
            lines.append(f"  · {render_result_zh(result)}")
        elif base not in seen:
            seen.add(base)
            lines.append("  以下条件满足其一即可：")
            members = [r for r in verdict.results if (r.condition.group or "").split("/")[0] == base]
            lines.extend(f"    - {_route_label(r)}{render_result_zh(r)}" for r in members)
    return lines


def _route_label(result: ConditionResult) -> str:
    """路径2： before a member of route 2 (route-1/2): a route's conditions must all hold."""
    parts = (result.condition.group or "").split("/")
    return f"路径{parts[1]}：" if len(parts) > 1 else ""


def manual_item_zh(result: ConditionResult) -> str:
    """What a person must confirm for a manual result: the notice's words (服务收入占比不低于30%)."""
    return manual_text_zh(result.quote or render_result_zh(result))


def manual_text_zh(text: str) -> str:
    """A quote to confirm by hand as every surface lists it: one line, without its closing punctuation."""
    return " ".join(text.split()).rstrip("。；;，,")


def verdict_summary_zh(verdict: Verdict) -> list[str]:
    """Why a verdict is only 可能符合, one line per kind: 需补充: 职工人数; 需人工确认: 服务收入占比不低于30%.

    Returns:
        Up to two lines (none for a verdict with nothing missing or to confirm).
    """
    lines = []
    if verdict.missing:
        lines.append(f"需补充：{'、'.join(verdict.missing)}")
    if verdict.manual:
        items = dict.fromkeys(manual_item_zh(r) for r in verdict.manual)
        lines.append(f"需人工确认：{'；'.join(items)}")
    return lines


def render_verdict_zh(verdict: Verdict) -> list[str]:
    """The verdict as Chinese lines: conclusion, what to fill in or fix, each condition, manual checks.

    Args:
        verdict: from ``judge``.

    Returns:
        Lines without trailing newlines, for a log, an email or a terminal.
    """
    lines = [_VERDICT[verdict.status]]
    if verdict.unmet:
        lines.append("未满足的条件：")
        lines.extend(f"  - {render_result_zh(r)}" for r in verdict.unmet)
    lines.extend(verdict_summary_zh(verdict))
    if verdict.results:
        lines.append("逐条核对：")
        lines.extend(_group_lines(verdict))
    if verdict.notes:
        lines.append("备注（非硬性条件）：")
        lines.extend(f"  - {render_result_zh(r)}" for r in verdict.notes)
    return lines
