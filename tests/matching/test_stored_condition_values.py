"""Matching reads each stored condition's value back as the extractor wrote it — a number (whole or
not), a word, a list of words, a range, nothing — on both databases, whether it reads one notice's
conditions or every open notice's (PostgreSQL hands the JSON over as text, decoded once per text)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlmodel import Session

from reminder.db import save_document
from reminder.matching._match_notices import notice_conditions, open_notices
from reminder.model import TZ, Condition, Deadline, Document, Notice

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
VALUES: list[tuple[str, str, Any, str | None]] = [
    ("headcount", "<=", 500, "人"),
    ("annual_revenue", ">=", 2000.5, "万元"),
    ("qualification", "has", "高新技术企业", None),
    ("registered_region", "in", ["浙江省杭州市", "浙江省宁波市"], None),
    ("rd_expense_ratio", "between", [3, 5.5], "%"),
    ("other", "manual", None, None),
]


def _store(session: Session, title: str) -> tuple[int, tuple[Condition, ...]]:
    conditions = tuple(
        Condition(field, op, value, unit, f"条件{i}")  # type: ignore[arg-type]
        for i, (field, op, value, unit) in enumerate(VALUES)
    )
    notice = Notice(
        title=title,
        deadlines=(Deadline(dt.date(2025, 6, 30), None, "application", "6月30日前提交"),),
        conditions=conditions,
    )
    doc = Document(
        source=f"https://example.gov.cn/{secrets.token_hex(4)}.html", text="正文" * 20, notices=(notice,),
        content_hash=secrets.token_hex(32),
    )  # fmt: skip
    (notice_id,) = save_document(session=session, doc=doc, now=NOW).notice_ids
    return notice_id, conditions


def _told(conditions: tuple[Condition, ...]) -> list[tuple[str, str, Any, str | None]]:
    """The conditions written here (storing adds the scope's and the existence check's) as plain tuples."""
    return [(c.field, c.op, c.value, c.unit) for c in conditions if c.quote.startswith("条件")]


def test_condition_values_come_back_as_written(session: Session) -> None:
    first, written = _store(session, "关于组织申报第一批专项资金的通知")
    second, _ = _store(session, "关于组织申报第二批专项资金的通知")  # the same values: read from the cache
    read = notice_conditions(session=session, notice_ids=[first, second])
    assert _told(read[first]) == _told(read[second]) == _told(written)
    assert [type(v) for _, _, v, _ in _told(read[first])] == [int, float, str, list, list, type(None)]
    opened = {head.id: conds for head, conds in open_notices(session=session, now=NOW)}
    assert _told(opened[first]) == _told(opened[second]) == _told(written)
