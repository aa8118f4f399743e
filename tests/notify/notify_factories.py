"""Rows for outbox and dispatcher tests, stored the way the application stores them (no extractor run)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlmodel import Session, col, select

from reminder.calendar import TZ
from reminder.companies.records import create_company, save_match
from reminder.config import Settings
from reminder.db.models import Channel, Company, CompanyCreate, DeadlineRow, NoticeRow, Reminder
from reminder.db.store import get_notice_by_key, save_document
from reminder.db.store import notice_key as _notice_key
from reminder.extract import Deadline, Document, Notice
from reminder.notify.channels import new_webhook_secret

SOURCE = "https://jxj.huzhou.gov.cn/art/2025/3/10/notice.html"
TITLE = "关于组织申报2025年度市级企业技术中心的通知"


def local(text: str) -> dt.datetime:
    """An ISO local time (Asia/Shanghai when no offset is given)."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=TZ)


def settings(**overrides: Any) -> Settings:
    """Settings for tests: 09:00 reminders, Monday digests, loopback webhooks allowed, fast retries."""
    values: dict[str, Any] = {
        "reminder_hour": 9,
        "digest_weekday": 0,
        "base_url": "https://reminder.example.cn",
        "webhook_allow_hosts": ["127.0.0.1"],
        "webhook_allow_http": True,
        "webhook_timeout": 5.0,
        "max_attempts": 3,
        "backoff_base": 60.0,
        "backoff_max": 600.0,
        "claim_lease": 60.0,
        "dispatch_interval": 0.2,
        "dispatch_batch": 20,
        "dispatch_concurrency": 4,
    }
    values.update(overrides)
    return Settings(**values)


def deadline(
    day: str, *, time: str | None = None, kind: Any = "application", batch: str | None = None, **kw: Any
) -> Deadline:
    date = dt.date.fromisoformat(day)
    clock = dt.time.fromisoformat(time) if time else None
    quote = f"请于{date.year}年{date.month}月{date.day}日{time or ''}前提交申报材料"
    return Deadline(date=date, time=clock, kind=kind, quote=quote, span=(10, 20), batch=batch, **kw)


def store_notice(
    session: Session,
    *deadlines: Deadline,
    title: str = TITLE,
    source: str = SOURCE,
    now: dt.datetime | None = None,
) -> NoticeRow:
    """Store (or store a new version of) a one-notice document; returns the notice row."""
    notice = Notice(
        title=title,
        level="municipal",
        published=dt.date(2025, 3, 1),
        issuer="湖州市经济和信息化局",
        deadlines=tuple(deadlines),
        conditions=(),
        span=(0, 200),
    )
    doc = Document(
        source=source,
        text="通知正文" * 50,
        notices=(notice,),
        content_hash=secrets.token_hex(32),
        format="html",
    )
    save_document(session=session, doc=doc, now=now)
    row = get_notice_by_key(session=session, key=_notice_key(source, title))
    assert row is not None
    return row


def active_deadlines(session: Session, notice: NoticeRow) -> list[DeadlineRow]:
    query = select(DeadlineRow).where(DeadlineRow.notice_id == notice.id, col(DeadlineRow.active))
    return list(session.exec(query.order_by(col(DeadlineRow.id))).all())


def company(session: Session, name: str = "湖州某某科技有限公司", **fields: Any) -> Company:
    return create_company(session=session, company_in=CompanyCreate(name=name, **fields))


def channel(
    session: Session,
    owner: Company,
    *,
    kind: str = "webhook",
    target: str = "http://127.0.0.1:9/hooks/a",
    **kw: Any,
) -> Channel:
    """A channel; generic webhooks get a fresh whsec_ secret unless one is given."""
    assert owner.id is not None
    if kind == "webhook":
        kw.setdefault("secret", new_webhook_secret())
    row = Channel(company_id=owner.id, kind=kind, target=target, **kw)
    session.add(row)
    session.flush()
    return row


def verdict(
    session: Session,
    owner: Company,
    notice: NoticeRow,
    status: str = "eligible",
    missing: list[str] | None = None,
) -> None:
    assert owner.id is not None and notice.id is not None
    trace = {"status": status, "missing": missing or [], "manual": ["须经区县主管部门推荐"], "unmet": []}
    save_match(
        session=session,
        company_id=owner.id,
        notice_id=notice.id,
        status=status,
        missing=missing,
        unmet=[],
        trace=trace,
    )


def reminders(session: Session, **where: Any) -> list[Reminder]:
    """Reminder rows matching the given column values, by due time then key."""
    query = select(Reminder)
    for name, value in where.items():
        query = query.where(getattr(Reminder, name) == value)
    rows = session.exec(query.execution_options(populate_existing=True)).all()
    return sorted(rows, key=lambda r: (r.due_at, r.key))


def summary(rows: list[Reminder]) -> list[tuple[str, int | None, str, str]]:
    """(purpose, offset, local due time, status) per row: what a test compares."""
    return [(r.purpose, r.offset_days, r.due_at.astimezone(TZ).isoformat(), r.status) for r in rows]


def queued(
    session: Session, target: Channel, due: dt.datetime, *, n: int = 1, purpose: str = "test"
) -> list[Reminder]:
    """``n`` reminders straight into the outbox (no planning): a channel-test message each, due at ``due``."""
    from reminder.notify.planning import message_id

    assert target.id is not None
    owner = session.get(Company, target.company_id)
    assert owner is not None
    rows = []
    for i in range(n):
        key = f"{purpose}:{target.company_id}:{target.id}:{secrets.token_hex(6)}:{i}"
        payload = {
            "company": {"id": owner.id, "name": owner.name},
            "link": f"https://reminder.example.cn/c/{owner.id}",
        }
        rows.append(
            Reminder(
                key=key, company_id=target.company_id, channel_id=target.id, purpose=purpose, due_at=due,
                next_attempt_at=due, message_id=message_id(key), payload=payload,
            )
        )  # fmt: skip
    session.add_all(rows)
    session.flush()
    return rows
