"""Reminder payloads as planning builds them (schema: reminder/notify/render.py)."""

from __future__ import annotations

import copy
from typing import Any

DEADLINE: dict[str, Any] = {
    "id": 11,
    "date": "2025-03-10",
    "time": "16:00",
    "kind": "application",
    "batch": None,
    "quote": "请于2025年3月10日16:00前通过系统提交申报材料。",
    "approximate": False,
    "conditional": False,
    "to_be_announced": False,
}

BEFORE: dict[str, Any] = {
    "company": {"id": 7, "name": "杭州云栖科技有限公司"},
    "notice": {
        "id": 3,
        "title": "关于组织申报2025年度高新技术企业认定的通知",
        "issuer": "杭州市科学技术局",
        "level": "municipal",
    },
    "deadline": DEADLINE,
    "days_left": 3,
    "verdict": {
        "status": "possibly_eligible",
        "missing": ["研发费用占比", "注册资本"],
        "unmet": [],
        "manual": ["近三年无重大安全事故"],
    },
    "link": "https://reminder.example.cn/c/7",
}


def payload(purpose: str = "before", **overrides: Any) -> dict[str, Any]:
    """A complete payload for ``purpose``; top-level keys can be overridden."""
    data = copy.deepcopy(BEFORE)
    if purpose == "changed":
        data["change"] = {"old": {**DEADLINE, "date": "2025-03-05"}, "new": copy.deepcopy(DEADLINE)}
    if purpose == "digest":
        items = [
            {
                "notice": {"id": 4, "title": "专精特新中小企业申报"},
                "deadline": {**DEADLINE, "date": "2025-04-01"},
                "days_left": 25,
                "verdict": {"status": "eligible", "missing": []},
                "link": "https://reminder.example.cn/c/7#n4",
            },
            {
                "notice": {"id": 3, "title": BEFORE["notice"]["title"]},
                "deadline": DEADLINE,
                "days_left": 3,
                "verdict": BEFORE["verdict"],
                "link": "https://reminder.example.cn/c/7#n3",
            },
            {
                "notice": {"id": 5, "title": "科技型中小企业评价"},
                "deadline": None,
                "days_left": None,
                "verdict": {"status": "possibly_eligible", "missing": ["职工总数"]},
                "link": "https://reminder.example.cn/c/7#n5",
            },
        ]
        data = {"company": data["company"], "link": data["link"], "items": items}
    if purpose == "test":
        data = {"company": data["company"], "link": data["link"]}
    data.update(overrides)
    return data
