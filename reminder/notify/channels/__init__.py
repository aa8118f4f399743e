"""Channels: one module per destination, one class each, all following :class:`reminder.notify.base.Channel`.

    CHANNELS["email"]     EmailChannel      SMTP, text + HTML, List-Unsubscribe
    CHANNELS["wecom"]     WeComChannel      企业微信群机器人 (Markdown, key in URL)
    CHANNELS["dingtalk"]  DingTalkChannel   钉钉自定义机器人 (Markdown, optional 加签)
    CHANNELS["feishu"]    FeishuChannel     飞书自定义机器人 (post, optional 签名)
    CHANNELS["webhook"]   WebhookChannel    generic JSON, Standard Webhooks signature

Each class describes itself (:class:`~reminder.notify.base.ChannelInfo`: ``kind``, ``service_name``,
``help_text``, ``url_shape``, ``secret_use``, limits). :data:`CHANNELS` is the one list of kinds: the
database's ``CHANNEL_KINDS``, the API's accepted kinds and the form labels are read from it
(:func:`channel_kinds`, :func:`channel_labels`, :func:`channel_help`).

Use :func:`validate_channel` when a channel is saved (shape, DNS, address safety, secret), and
:func:`build_channel` when sending. Show targets and secrets with :func:`mask_target` / :func:`mask_secret`.
"""

from __future__ import annotations

import re

import httpx

from reminder.config import Settings
from reminder.errors import DeliveryError
from reminder.notify.base import Channel, ChannelInfo
from reminder.notify.channels._http import HttpChannel
from reminder.notify.channels.dingtalk import DingTalkChannel
from reminder.notify.channels.email import EmailChannel, check_address
from reminder.notify.channels.feishu import FeishuChannel
from reminder.notify.channels.webhook import WebhookChannel, new_webhook_secret
from reminder.notify.channels.wecom import WeComChannel
from reminder.notify.httpclient import make_http_client
from reminder.notify.mask import mask_secret, mask_target
from reminder.notify.safety import check_url

__all__ = [
    "CHANNELS",
    "channel_kinds",
    "channel_labels",
    "channel_help",
    "channel_info",
    "build_channel",
    "validate_channel",
    "mask_secret",
    "mask_target",
    "make_http_client",
    "new_webhook_secret",
    "EmailChannel",
    "WeComChannel",
    "DingTalkChannel",
    "FeishuChannel",
    "WebhookChannel",
]

#: control characters (and lone surrogates) never valid in an address, URL or secret
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

_ChannelClass = type[EmailChannel] | type[HttpChannel]

#: channel kind → class (explicit; reminder.db.models.CHANNEL_KINDS and the web read it)
CHANNELS: dict[str, _ChannelClass] = {
    "email": EmailChannel,
    "wecom": WeComChannel,
    "dingtalk": DingTalkChannel,
    "feishu": FeishuChannel,
    "webhook": WebhookChannel,
}


def channel_kinds() -> tuple[str, ...]:
    """Every channel kind, in registry order."""
    return tuple(CHANNELS)


def channel_info(kind: str) -> ChannelInfo:
    """What the channel class of ``kind`` says about itself (label, help text, URL shape, limits).

    Raises:
        DeliveryError: unknown kind.
    """
    info: ChannelInfo = _cls(kind)  # type: ignore[assignment]  # a class, read through its ClassVars
    return info


def channel_labels() -> dict[str, str]:
    """Channel kind → Chinese label (``dingtalk`` → 钉钉群机器人), in registry order."""
    return {kind: cls.service_name for kind, cls in CHANNELS.items()}


def channel_help() -> dict[str, str]:
    """Channel kind → what to fill in for it (target and secret), in registry order."""
    return {kind: cls.help_text for kind, cls in CHANNELS.items()}


def _cls(kind: str) -> _ChannelClass:
    try:
        return CHANNELS[kind]
    except KeyError:
        raise DeliveryError(
            f"未知的提醒渠道类型 {kind!r}，可选 {', '.join(CHANNELS)} / unknown channel kind {kind!r}"
        ) from None


def build_channel(
    kind: str, target: str, secret: str | None, settings: Settings, *, client: httpx.Client | None = None
) -> Channel:
    """The channel object that sends to ``target``.

    Args:
        kind: one of :data:`CHANNELS`.
        target: webhook URL, or the email address.
        secret: signing secret (required for "webhook", optional for "dingtalk"/"feishu", unused otherwise).
        settings: service settings (SMTP, webhook timeouts, allow-list).
        client: a shared HTTP client from :func:`make_http_client` (connection reuse); None = one per send.

    Returns:
        An object with ``kind`` and ``send(message) -> SendResult``.

    Raises:
        DeliveryError: unknown kind or bad configuration (URL shape, secret format, SMTP not configured).
    """
    cls = _cls(kind)
    if cls is EmailChannel:
        return EmailChannel(target, secret, settings)
    return cls(target, secret, settings, client=client)  # type: ignore[call-arg]


def validate_channel(kind: str, target: str, secret: str | None, settings: Settings) -> None:
    """Check a channel before saving it: URL shape per platform, DNS and address safety, secret, email syntax.

    Raises:
        DeliveryError: what is wrong, bilingual (:class:`~reminder.errors.UnsafeTarget` for refused addresses).
    """
    if any(_CONTROL.search(v) for v in (target, secret or "")):  # NUL broke PostgreSQL inserts (issue 16)
        raise DeliveryError("地址或密钥含有不允许的控制字符 / control characters are not allowed")
    cls = _cls(kind)
    if cls is EmailChannel:
        check_address(target)
        return
    cls.check_config(target.strip(), secret or None, settings)  # type: ignore[union-attr]
    check_url(target.strip(), settings)
