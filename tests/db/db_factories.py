"""Hand-built extraction results for storage tests (no extractor involved)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from reminder.db import save_document
from reminder.extract import Condition, Deadline, Document, Notice

SOURCE = "https://jxj.huzhou.gov.cn/art/2025/3/10/notice.html"
TITLE = "关于组织申报2025年度市级企业技术中心的通知"


def deadline(day: str, *, kind: Any = "application", time: str | None = None, **kw: Any) -> Deadline:
    """A deadline on an ISO day, quoted the way notices write it."""
    date = dt.date.fromisoformat(day)
    at = dt.time.fromisoformat(time) if time else None
    quote = f"请于{date.year}年{date.month}月{date.day}日{time or ''}前提交"
    return Deadline(
        date=date, time=at, kind=kind, quote=quote, span=(10, 20), grain="minute" if time else "day", **kw
    )


def condition(field: str, op: Any, value: Any, unit: str | None = None, **kw: Any) -> Condition:
    return Condition(
        field=field, op=op, value=value, unit=unit, quote=f"{field} {op} {value}", span=(30, 40), **kw
    )


def tba_deadline() -> Deadline:
    """申报时间另行通知: a deadline without a date yet."""
    return Deadline(
        date=None, time=None, kind="application", quote="具体申报时间另行通知", to_be_announced=True
    )


def one_notice_document(
    *deadlines: Deadline,
    title: str = TITLE,
    source: str = SOURCE,
    conditions: tuple[Condition, ...] = (),
    content_hash: str | None = None,
    **notice_kw: Any,
) -> Document:
    """A document holding one notice; a fresh content hash (a new version) unless one is given."""
    notice = Notice(
        title=title,
        level="municipal",
        published=dt.date(2025, 3, 10),
        issuer="湖州市经济和信息化局",
        deadlines=tuple(deadlines),
        conditions=conditions,
        span=(0, 200),
        **notice_kw,
    )
    digest = content_hash or secrets.token_hex(32)
    return Document(
        source=source, text="通知正文" * 50, notices=(notice,), content_hash=digest, format="html"
    )


def store_notice(session: Any, notice: Notice, now: dt.datetime) -> int:
    """Store a document holding just this notice (a fresh content hash); its notice id."""
    doc = Document(
        source="https://example.gov.cn/a.html",
        text="正文" * 20,
        notices=(notice,),
        content_hash=secrets.token_hex(32),
    )
    (notice_id,) = save_document(session=session, doc=doc, now=now).notice_ids
    return notice_id
