"""The Chinese words templates use: deadline kinds, dates, days left, verdicts.

Templates lay the words out per format (text, Markdown, HTML); this module decides what they say,
so every format says the same thing.

    >>> deadline_view({"date": "2025-03-10", "time": "16:00", "kind": "application"}, 3)["when"]
    '2025年3月10日（周一）16:00'
    >>> days_phrase(0), days_phrase(1), days_phrase(5)
    ('今天截止', '明天截止（还剩 1 天）', '还剩 5 天')
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reminder.rules import VERDICT_LABELS_ZH, manual_text_zh

__all__ = [
    "KIND_ZH",
    "VERDICT_ZH",
    "LEVEL_ZH",
    "RECOMMENDATION_NOTE",
    "deadline_view",
    "verdict_view",
    "days_phrase",
]

#: deadline kinds (reminder.extract DEADLINE_KINDS) in Chinese
KIND_ZH: dict[str, str] = {
    "application": "企业申报截止",
    "recommendation": "主管部门推荐截止（请提前提交）",
    "materials": "材料报送截止",
    "window_open": "申报开始",
    "other": "截止时间",
}
#: verdict statuses in Chinese: the rules' labels, as on the company page and in the iCal feed
VERDICT_ZH: dict[str, str] = VERDICT_LABELS_ZH
#: shown when no verdict was recorded (yet)
UNJUDGED_ZH = "尚未判断，请完善企业信息"
LEVEL_ZH: dict[str, str] = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "district": "区县级",
}
RECOMMENDATION_NOTE = "这是主管部门的截止时间，企业需更早提交"
_WEEKDAYS = "一二三四五六日"
#: sorts deadlines without a date after every dated one
_NO_DATE = 10**6


def days_phrase(days_left: int | None, kind: str = "application") -> str:
    """How far away a deadline is, in words ("" when unknown)."""
    if days_left is None:
        return ""
    if kind == "window_open":
        return "今天开始" if days_left == 0 else f"还有 {days_left} 天开始" if days_left > 0 else "已开始"
    if days_left < 0:
        return "已截止"
    if days_left == 0:
        return "今天截止"
    if days_left == 1:
        return "明天截止（还剩 1 天）"
    return f"还剩 {days_left} 天"


def _date_zh(value: str | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日（周{_WEEKDAYS[day.weekday()]}）"


def deadline_view(deadline: dict[str, Any] | None, days_left: int | None) -> dict[str, Any]:
    """Words for one deadline; an empty view (``present`` False) when there is none.

    Args:
        deadline: the payload's deadline dict (date, time, kind, batch, quote, flags), or None.
        days_left: whole days from today to the deadline, if known.

    Returns:
        A dict with ``kind_zh``, ``label`` (batch·kind), ``when``, ``days``, ``flags``, ``quote``, ``note`` and ``sort_key``.
    """
    if not deadline:
        return {
            "present": False,
            "kind_zh": "",
            "label": "",
            "when": "",
            "days": days_phrase(days_left),
            "flags": [],
            "quote": "",
            "note": "",
            "batch": "",
            "sort_key": _NO_DATE,
        }
    kind = str(deadline.get("kind") or "other")
    tba = bool(deadline.get("to_be_announced")) or not deadline.get("date")
    when = "时间另行通知" if tba else _date_zh(deadline.get("date"))
    if not tba and deadline.get("time"):
        when += str(deadline["time"])
    kind_zh = KIND_ZH.get(kind, KIND_ZH["other"])
    batch = " ".join(str(deadline.get("batch") or "").split())
    flags = []
    if deadline.get("approximate"):
        flags.append("预计时间，可能调整")
    if deadline.get("conditional"):
        flags.append("仅适用于部分申报单位")
    return {
        "present": True,
        "kind": kind,
        "kind_zh": kind_zh,
        "batch": batch,
        #: "第一批·企业申报截止"
        "label": f"{batch}·{kind_zh}" if batch else kind_zh,
        "when": when,
        "date": deadline.get("date"),
        "days": "" if tba else days_phrase(days_left, kind),
        "flags": flags,
        "quote": " ".join(str(deadline.get("quote") or "").split()),
        "note": RECOMMENDATION_NOTE if kind == "recommendation" else "",
        "sort_key": _NO_DATE if tba or days_left is None else days_left,
    }


def verdict_view(verdict: dict[str, Any]) -> dict[str, Any]:
    """Words for a verdict: status in Chinese and the lists of what is missing, unmet or to confirm."""
    status = verdict.get("status")
    return {
        "status": status,
        "status_zh": VERDICT_ZH.get(str(status), UNJUDGED_ZH) if status else UNJUDGED_ZH,
        "missing": [str(x) for x in verdict.get("missing") or []],
        "unmet": [str(x) for x in verdict.get("unmet") or []],
        "manual": [manual_text_zh(str(x)) for x in verdict.get("manual") or []],
    }
