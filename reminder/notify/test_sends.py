"""Test sends through the outbox: queued as one-attempt reminders, sent at once by a dispatcher, read back.

    queue_test ── channel open? ── Reminder(purpose "test", test_send, due now) ── the caller commits
                                   and wakes the test-send lane (``reminder.scheduler.lane``)
    dispatcher ── claim ── send once ── Delivery row ── sent │ failed (never retried, never "dead")
    read_test_send ─ the row and its delivery as its company sees it: queued / sending / sent / failed
    purge_test_sends ── finished test sends older than TEST_SEND_KEEP (the sweep)

A web request used to call the receiver itself: 80 concurrent test sends to a 3-second webhook held
every pooled connection and stalled /healthz (issue 16, item 14). Now a request only writes one row.
Test sends are the company's own business: they stay out of the dead list, the delivery metrics and
the admin dashboard (``REAL_REMINDER`` / ``REAL_DELIVERY`` select the others).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.models import Channel, Company, Delivery, Reminder
from reminder.errors import DeliveryError
from reminder.notify.links import view_url

__all__ = [
    "TEST_PURPOSE",
    "TEST_SEND_KEEP",
    "REAL_REMINDER",
    "REAL_DELIVERY",
    "TestSend",
    "TestState",
    "queue_test",
    "read_test_send",
    "purge_test_sends",
]

log = logging.getLogger(__name__)

#: Reminder.purpose of a test send
TEST_PURPOSE = "test"
#: a test send as its company sees it
TestState = Literal["queued", "sending", "sent", "failed"]
#: how long a finished test send (and its delivery record) is kept for its company to read
TEST_SEND_KEEP = dt.timedelta(days=7)
#: reminders that are not test sends (metrics, dashboards, statistics)
REAL_REMINDER = sa.not_(col(Reminder.test_send))
#: delivery records that are not of test sends
REAL_DELIVERY = col(Delivery.reminder_id).not_in(select(Reminder.id).where(col(Reminder.test_send)))


@dataclass(frozen=True)
class TestSend:
    """A test send as its company sees it."""

    __test__ = False  # not a pytest class

    id: int
    channel_id: int
    state: TestState
    queued_at: dt.datetime
    #: when the receiver answered (or the send was given up); None while queued or sending
    finished_at: dt.datetime | None
    #: None until the receiver answered
    ok: bool | None
    #: the receiver's HTTP status or SMTP reply code
    status_code: int | None
    latency_ms: float | None
    #: why it failed (the receiver's own words, or ours, bilingual): show it through the web's filter
    error: str | None
    #: seconds after which trying again may help (a refusal by the rate limit), if known
    retry_after: float | None = None

    @property
    def done(self) -> bool:
        return self.state in ("sent", "failed")


def _refusal(channel: Channel, company: Company) -> str | None:
    if channel.unconfirmed:  # an address gets nothing but its confirmation until its owner confirms it
        return "该邮箱尚未确认：请先打开确认邮件中的链接 / the address is not confirmed yet"
    if channel.kind == "email" and company.email_unsubscribed:
        return "该邮箱已退订邮件提醒，不能发送测试消息 / the address unsubscribed"
    if not channel.enabled:
        return "该渠道已停用，不能发送测试消息 / the channel is disabled"
    return None


def queue_test(
    *, session: Session, channel: Channel, company: Company, settings: Settings, now: dt.datetime
) -> Reminder:
    """Queue the "test" message to ``channel``: one attempt, due now (flushed, not committed).

    Raises:
        DeliveryError: the channel may not receive anything (unconfirmed address, unsubscribed, disabled).
    """
    assert channel.id is not None and company.id is not None
    refused = _refusal(channel, company)
    if refused:
        raise DeliveryError(refused)
    token = secrets.token_hex(8)
    payload: dict[str, Any] = {
        "company": {"id": company.id, "name": company.name},
        "link": view_url(company.id, company.view_salt, settings),
    }
    row = Reminder(
        key=f"test:{company.id}:{channel.id}:{token}",
        company_id=company.id,
        channel_id=channel.id,
        purpose=TEST_PURPOSE,
        due_at=now,
        next_attempt_at=now,
        message_id=f"test_{token}",
        payload=payload,
        test_send=True,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    log.info(
        "test send %s queued for company %s channel %s (%s)", row.id, company.id, channel.id, channel.kind
    )
    return row


def _state(row: Reminder) -> TestState:
    if row.status == "sent":
        return "sent"
    if row.status in ("failed", "cancelled", "dead"):
        return "failed"
    return "sending" if row.claimed_by is not None else "queued"


def read_test_send(*, session: Session, company: Company, test_id: int) -> TestSend | None:
    """The company's test send ``test_id`` with its delivery, or None (missing, another company's, not a test)."""
    row = session.get(Reminder, test_id, populate_existing=True)
    if row is None or row.company_id != company.id or not row.test_send:
        return None
    assert row.id is not None
    delivery = session.exec(
        select(Delivery).where(Delivery.reminder_id == row.id).order_by(col(Delivery.id).desc()).limit(1)
    ).first()
    state = _state(row)
    error = delivery.error if delivery is not None else None
    if state == "failed" and delivery is None:  # given up without an attempt (expired, channel closed)
        error = row.cancelled_reason or row.last_error
    return TestSend(
        id=row.id,
        channel_id=row.channel_id,
        state=state,
        queued_at=row.created_at,
        finished_at=row.updated_at if state in ("sent", "failed") else None,
        ok=delivery.ok if delivery is not None and state in ("sent", "failed") else None,
        status_code=delivery.status_code if delivery is not None else None,
        latency_ms=delivery.latency_ms if delivery is not None else None,
        error=error,
    )


def purge_test_sends(*, session: Session, now: dt.datetime, keep: dt.timedelta = TEST_SEND_KEEP) -> int:
    """Delete finished test sends (and their delivery records) older than ``keep``; returns how many."""
    old = select(Reminder.id).where(col(Reminder.test_send), col(Reminder.updated_at) < now - keep)
    session.execute(sa.delete(Delivery).where(col(Delivery.reminder_id).in_(old.scalar_subquery())))
    result = session.execute(sa.delete(Reminder).where(col(Reminder.id).in_(old.scalar_subquery())))
    gone = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if gone:
        log.info("purged %d finished test sends", gone)
    return gone
