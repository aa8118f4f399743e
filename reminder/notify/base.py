"""What every channel shares: the message it is given, the result it returns, the protocol it follows.

Each channel class describes itself (:class:`ChannelInfo`: kind, Chinese label, help text, URL shape,
limits); forms, the API schema and the database's list of kinds are derived from those classes.

A channel turns one :class:`Message` into one request (an email, a webhook POST) and reports what the
receiver answered as a :class:`SendResult`. It never retries and never touches the database: the
outbox (``reminder.notify.outbox``) decides when to try again, and records every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

__all__ = ["Message", "SendResult", "Channel", "ChannelInfo"]


@dataclass(frozen=True)
class Message:
    """One rendered message, the same for every attempt.

    ``id`` is stable across retries (webhook-id, the email's Message-ID), so receivers can drop repeats.
    """

    #: stable id, e.g. "rem_1f3a…"; reused by every retry
    id: str
    #: short subject line (email subject, chat card title)
    subject: str
    #: plain text (email text part)
    text: str
    #: Markdown for chat robots
    markdown: str
    #: HTML (email HTML part); None when the channel needs none
    html: str | None = None
    #: link to the company page
    link: str | None = None
    #: one-click unsubscribe URL (email List-Unsubscribe)
    unsubscribe_url: str | None = None
    #: the structured payload (notice, deadline, verdict…), sent as-is by the generic webhook
    data: dict[str, Any] = field(default_factory=dict)
    #: what the message is for: "before", "new_call", "changed", "digest" or "test" (generic webhook "type")
    purpose: str = ""


@dataclass(frozen=True)
class SendResult:
    """What one attempt got back."""

    ok: bool
    #: HTTP status, or the SMTP reply code
    status_code: int | None = None
    latency_ms: float = 0.0
    #: why it failed, bilingual, no secrets
    error: str | None = None
    #: the receiver asked to slow down (HTTP 429 / platform rate-limit errcode): try again after this
    retry_after: float | None = None
    #: a retry cannot help (bad key, 4xx other than 408/429): the outbox marks the reminder dead
    permanent: bool = False
    #: nothing was sent: the local rate limiter held it back; re-queue after retry_after, not a failed attempt
    throttled: bool = False


class Channel(Protocol):
    """One destination: email, 企业微信, 钉钉, 飞书 or a generic signed webhook."""

    #: "email", "wecom", "dingtalk", "feishu" or "webhook"
    kind: str

    def send(self, message: Message) -> SendResult:
        """Deliver one message once; never raises for a receiver's failure (returns ok=False)."""
        ...


class ChannelInfo(Protocol):
    """What a channel class says about itself; the web forms, the API schema and the database read it."""

    #: registry key, e.g. "dingtalk"
    kind: str
    #: Chinese label shown to users, e.g. 钉钉群机器人
    service_name: ClassVar[str]
    #: the vendor's documentation
    service_url: ClassVar[str]
    #: what a target looks like, e.g. "https://oapi.dingtalk.com/robot/send?access_token=…"
    url_shape: ClassVar[str]
    #: what to fill in (target and secret), shown under the form
    help_text: ClassVar[str]
    #: whether a signing secret is "required", "optional" or "unused"
    secret_use: ClassVar[str]
    #: largest message body the receiver accepts, UTF-8 bytes (None = no limit)
    body_maxlen: ClassVar[int | None]
