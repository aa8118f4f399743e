"""A company's rights over its data (个人信息保护法; issue 16, item 20): export, erasure, retention.

export_company ──── everything held about one company, as JSON-ready data (secrets masked)
erase_company ───── the profile, channels and their secrets, matches, reminders (pending or not)
                    and delivery records, deleted in the caller's one transaction
purge_deliveries ── delivery records and finished reminders older than the retention period
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from reminder.db.models import Channel, Company, CompanyPublic, Delivery, Match, Reminder
from reminder.db.verdicts import drop_unused

__all__ = ["export_company", "erase_company", "purge_deliveries", "confirmed_addresses"]

log = logging.getLogger(__name__)

#: reminders in these states are history, and go with their delivery records
_FINISHED = ("sent", "dead", "cancelled")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _mask(secret: str | None) -> str | None:
    """A secret as its owner may see it back: never in full."""
    if not secret:
        return None
    return "****" + secret[-4:] if len(secret) > 8 else "****"


def export_company(*, session: Session, company: Company) -> dict[str, Any]:
    """Everything stored about ``company``: profile, channels, matches, reminders, delivery records."""
    assert company.id is not None
    channels = session.exec(
        select(Channel).where(Channel.company_id == company.id).order_by(col(Channel.id))
    ).all()
    matches = session.exec(
        select(Match).where(Match.company_id == company.id).order_by(col(Match.notice_id))
    ).all()
    reminders = session.exec(
        select(Reminder).where(Reminder.company_id == company.id).order_by(col(Reminder.id))
    ).all()
    reminder_ids = [r.id for r in reminders]
    deliveries = (
        session.exec(
            select(Delivery).where(col(Delivery.reminder_id).in_(reminder_ids)).order_by(col(Delivery.id))
        ).all()
        if reminder_ids
        else []
    )
    return {
        "exported_note": "申报提醒保存的贵企业全部数据（管理令牌只保存其哈希，不在此列；密钥仅显示末四位）",
        "company": CompanyPublic.model_validate(company).model_dump(mode="json"),
        "channels": [
            {
                "id": c.id,
                "kind": c.kind,
                "name": c.name,
                "target": c.target,
                "enabled": c.enabled,
                "unconfirmed": c.unconfirmed,
                "secret": _mask(c.secret),
                "created_at": _iso(c.created_at),
                "updated_at": _iso(c.updated_at),
            }
            for c in channels
        ],  # fmt: skip
        "matches": [
            m.model_dump(mode="json", exclude={"verdict_id"})
            | {"missing": m.missing, "unmet": m.unmet, "trace": m.trace}
            for m in matches
        ],
        "reminders": [r.model_dump(mode="json", exclude={"claimed_by", "claimed_until"}) for r in reminders],
        "deliveries": [d.model_dump(mode="json", exclude={"worker"}) for d in deliveries],
    }


def confirmed_addresses(*, session: Session, company: Company) -> list[str]:
    """The company's email addresses that their owners confirmed (where an erasure notice may go)."""
    rows = session.exec(
        select(Channel).where(Channel.company_id == company.id, Channel.kind == "email", Channel.enabled)
    ).all()
    return sorted({c.target for c in rows if not c.unconfirmed})


def erase_company(*, session: Session, company: Company) -> int:
    """Delete the company and everything hanging off it, in the session's transaction (not committed).

    Rows are deleted explicitly, children first, so the result does not depend on the database
    enforcing ON DELETE CASCADE. Returns the number of rows deleted.
    """
    company_id = company.id
    assert company_id is not None
    reminder_ids = select(Reminder.id).where(Reminder.company_id == company_id).scalar_subquery()
    channel_ids = select(Channel.id).where(Channel.company_id == company_id).scalar_subquery()
    verdicts = session.exec(select(Match.verdict_id).where(Match.company_id == company_id)).all()
    deleted = 0
    for statement in (
        sa.delete(Delivery).where(
            sa.or_(col(Delivery.reminder_id).in_(reminder_ids), col(Delivery.channel_id).in_(channel_ids))
        ),
        sa.delete(Reminder).where(col(Reminder.company_id) == company_id),
        sa.delete(Match).where(col(Match.company_id) == company_id),
        sa.delete(Channel).where(col(Channel.company_id) == company_id),
        sa.delete(Company).where(col(Company.id) == company_id),
    ):
        deleted += session.execute(statement).rowcount or 0  # type: ignore[attr-defined]
    drop_unused(session.connection(), verdicts)  # those only its matches had: they hold its own figures
    session.expunge(company)
    log.info("company %d erased at its request (%d rows)", company_id, deleted)
    return deleted


def purge_deliveries(*, session: Session, now: dt.datetime, retention_days: int) -> int:
    """Delete delivery records, and finished reminders (their frozen payloads), older than the retention."""
    if retention_days <= 0:
        return 0
    cutoff = now - dt.timedelta(days=retention_days)
    gone = session.execute(sa.delete(Delivery).where(col(Delivery.at) < cutoff)).rowcount or 0  # type: ignore[attr-defined]
    old = select(Reminder.id).where(col(Reminder.status).in_(_FINISHED), col(Reminder.updated_at) < cutoff)
    session.execute(sa.delete(Delivery).where(col(Delivery.reminder_id).in_(old.scalar_subquery())))
    finished = sa.delete(Reminder).where(
        col(Reminder.status).in_(_FINISHED), col(Reminder.updated_at) < cutoff
    )
    gone += session.execute(finished).rowcount or 0  # type: ignore[attr-defined]
    if gone:
        log.info(
            "retention: %d delivery records and finished reminders older than %d days deleted",
            gone,
            retention_days,
        )
    return gone
