"""A company's notification channels: add (validated when saved), remove, test, show masked.

Shared by the settings page and the JSON API. Every function takes the company already authorised
by its token; a channel id of another company is "not found", exactly like a missing one.

    add_channel ──── validate_channel (kind, URL safety, keys) ── insert ── company_changed
    remove_channel ─ delete ── company_changed
    queue_test_send ─ a one-attempt "test" reminder in the outbox (notify.test_sends); the lane sends it
    shown_test_send ─ that send as the receiver answered (queued / sending / sent / failed), error in Chinese
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from reminder.config import Settings
from reminder.db.models import Channel, Company, utcnow
from reminder.errors import DeliveryError
from reminder.notify.channels import (
    channel_kinds,
    channel_labels,
    mask_secret,
    mask_target,
    new_webhook_secret,
    validate_channel,
)
from reminder.notify.test_sends import TestSend, queue_test, read_test_send
from reminder.workflow import company_changed

__all__ = [
    "enterprise_error",
    "ChannelNotFound",
    "ChannelView",
    "list_channels",
    "get_channel",
    "add_channel",
    "remove_channel",
    "queue_test_send",
    "shown_test_send",
    "channel_view",
]

log = logging.getLogger(__name__)


class ChannelNotFound(LookupError):
    """No channel with that id belongs to this company (whether it exists elsewhere is not said)."""

    def __init__(self, channel_id: int) -> None:
        self.channel_id = channel_id
        super().__init__(f"没有这个通知渠道 / no channel {channel_id} for this company")


@dataclass(frozen=True)
class ChannelView:
    """A channel as shown back to its company: target and secret masked."""

    id: int
    kind: str
    #: Chinese name of the kind
    kind_name: str
    name: str
    #: the address or URL with keys masked
    target: str
    #: the signing secret masked, or None when the channel has none
    secret: str | None
    enabled: bool
    created_at: dt.datetime


def channel_view(channel: Channel) -> ChannelView:
    """The channel with its target and secret masked (``mask_target`` / ``mask_secret``)."""
    assert channel.id is not None
    return ChannelView(
        id=channel.id,
        kind=channel.kind,
        kind_name=channel_labels().get(channel.kind, channel.kind),
        name=channel.name,
        target=mask_target(channel.kind, channel.target),
        secret=mask_secret(channel.secret) if channel.secret else None,
        enabled=channel.enabled,
        created_at=channel.created_at,
    )


def list_channels(*, session: Session, company: Company) -> Sequence[Channel]:
    """The company's channels, oldest first."""
    query = select(Channel).where(Channel.company_id == company.id).order_by(col(Channel.id))
    return session.exec(query).all()


def get_channel(*, session: Session, company: Company, channel_id: int) -> Channel:
    """One of the company's channels.

    Raises:
        ChannelNotFound: no such channel, or it belongs to another company.
    """
    channel = session.get(Channel, channel_id)
    if channel is None or channel.company_id != company.id:
        raise ChannelNotFound(channel_id)
    return channel


def add_channel(
    *,
    session: Session,
    company: Company,
    kind: str,
    target: str,
    settings: Settings,
    secret: str | None = None,
    name: str = "",
    now: dt.datetime | None = None,
) -> tuple[Channel, str | None]:
    """Validate and save a channel, then re-plan the company's reminders.

    Args:
        session: the session (flushed, not committed).
        company: the owner.
        kind: one of the channel registry's kinds (``CHANNELS``).
        target: email address or webhook URL.
        settings: URL safety rules (``webhook_allow_hosts``, ``webhook_allow_http``).
        secret: signing secret (钉钉 加签, 飞书 签名校验, generic webhook ``whsec_…``), if any.
        name: the company's label for it.
        now: the instant (default now).

    Returns:
        (the channel, the signing secret made for a generic webhook given none — show it once — or None).

    Raises:
        DeliveryError: unknown kind, bad address, unsafe or malformed URL, bad secret, or a duplicate.
    """
    target, secret = target.strip(), (secret or "").strip() or None
    if kind not in channel_kinds():
        raise DeliveryError(
            f"未知的渠道类型“{kind}”，可选 {'、'.join(channel_kinds())} / unknown channel kind {kind!r}"
        )
    generated = new_webhook_secret() if kind == "webhook" and secret is None else None
    secret = secret or generated
    validate_channel(kind, target, secret, settings)
    if any(c.kind == kind and c.target == target for c in list_channels(session=session, company=company)):
        raise DeliveryError("这个渠道已经添加过了 / this channel is already set up")
    now = now or utcnow()
    channel = Channel(
        company_id=company.id or 0,
        kind=kind,
        target=target,
        secret=secret,
        name=name.strip()[:100],
        created_at=now,
        updated_at=now,
        unconfirmed=kind == "email",  # double opt-in (issue 16, item 3)
    )
    session.add(channel)
    session.flush()
    log.info("company %s added a %s channel %s", company.id, kind, channel.id)
    company_changed(session=session, company_id=company.id or 0, now=now, settings=settings)
    return channel, generated


def remove_channel(
    *, session: Session, company: Company, channel_id: int, settings: Settings, now: dt.datetime | None = None
) -> None:
    """Delete one of the company's channels (its pending reminders go with it).

    Raises:
        ChannelNotFound: no such channel for this company.
    """
    channel = get_channel(session=session, company=company, channel_id=channel_id)
    session.delete(channel)
    session.flush()
    log.info("company %s removed channel %s", company.id, channel_id)
    company_changed(session=session, company_id=company.id or 0, now=now or utcnow(), settings=settings)


#: a clause that tells the operator which setting to change (REMINDER_…): for logs, not for enterprises
_OPERATOR_CLAUSE = re.compile(
    r"[（(][^（()）]*REMINDER_[A-Z_]+[^（()）]*[）)]|[，,；;][^，,；;]*REMINDER_[A-Z_]+[^，,；;。]*"
)
#: what an enterprise is told instead of the operator's setting
_ASK_OPERATOR = "如确需使用，请联系服务管理员。"


def enterprise_error(error: DeliveryError | str) -> str:
    """A delivery error as an enterprise is shown it: the Chinese half only, no setting names.

    The notify layer's messages are bilingual (中文 / English) and may say which setting allows the
    address; the whole message is logged for the operator, the enterprise reads the Chinese half.
    """
    text = error.reason if hasattr(error, "reason") else str(error)
    chinese = str(text).split(" / ", 1)[0].strip()
    cleaned = _OPERATOR_CLAUSE.sub("", chinese).rstrip("，,；;。 ")
    if cleaned != chinese or "REMINDER_" in str(text):
        log.info("delivery refused for an enterprise: %s", text)
        return f"{cleaned}。{_ASK_OPERATOR}"
    return chinese


def queue_test_send(
    *,
    session: Session,
    channel: Channel,
    company: Company,
    settings: Settings,
    now: dt.datetime | None = None,
) -> int:
    """Queue the "test" message to the channel (one attempt, sent at once by the test-send lane).

    The caller commits, then wakes the lane (``test_gate.wake_test_sends``); the result is read with
    :func:`shown_test_send` once the receiver answered.

    Returns:
        The test send's id.

    Raises:
        DeliveryError: the channel may receive nothing now (unconfirmed address, unsubscribed, disabled),
            with the Chinese reason only.
    """
    try:
        row = queue_test(
            session=session, channel=channel, company=company, settings=settings, now=now or utcnow()
        )
    except DeliveryError as exc:
        raise DeliveryError(enterprise_error(exc)) from None
    assert row.id is not None
    return row.id


def shown_test_send(*, session: Session, company: Company, test_id: int) -> TestSend | None:
    """The company's test send as it may be shown: the receiver's own words, our hints in Chinese only.

    None when there is no such test send for this company (another company's is "not found" too).
    """
    found = read_test_send(session=session, company=company, test_id=test_id)
    if found is None or not found.error:
        return found
    return dataclasses.replace(found, error=enterprise_error(found.error))
