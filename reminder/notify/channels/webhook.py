"""Generic JSON webhook, signed per Standard Webhooks (https://www.standardwebhooks.com/).

Body (UTF-8 JSON)::

    {"id": "rem_…", "type": "before", "subject": "…", "text": "…", "data": {…payload…}}

Headers: ``webhook-id`` (= ``id``, the same on every retry, so receivers drop repeats),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature`` =
``v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>``. The secret is required and has the
Standard Webhooks form ``whsec_<base64 of 24–64 random bytes>``; :func:`new_webhook_secret` makes one.
Receivers verify with any Standard Webhooks library, e.g. ``standardwebhooks.Webhook(secret).verify(body, headers)``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets

from standardwebhooks import Webhook

from reminder.errors import DeliveryError
from reminder.notify.base import Message
from reminder.notify.channels._http import HttpChannel

__all__ = ["WebhookChannel", "new_webhook_secret"]

_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A fresh ``whsec_…`` secret (32 random bytes) to offer when a user sets up a generic webhook."""
    return _PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class WebhookChannel(HttpChannel):
    """POST a signed JSON document to any public https URL."""

    kind = "webhook"
    service_name = "通用 Webhook"
    url_shape = "https://…"
    help_text = "您的 HTTPS 接收地址；密钥（whsec_ 开头）用于 Standard Webhooks 签名，可留空由系统生成"
    service_url = "https://www.standardwebhooks.com/"
    body_maxlen = None
    secret_use = "required"

    @classmethod
    def check_secret(cls, secret: str) -> None:
        """The secret must be ``whsec_`` + base64 of 24 to 64 bytes."""
        hint = (
            f"通用 Webhook 密钥格式应为 whsec_ 加 base64（24–64 字节），例如 {_PREFIX}… / "
            "the secret must be whsec_ followed by base64 of 24–64 random bytes"
        )
        if not secret.startswith(_PREFIX):
            raise DeliveryError(hint)
        try:
            raw = base64.b64decode(secret[len(_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise DeliveryError(hint) from None
        if not 24 <= len(raw) <= 64:
            raise DeliveryError(hint)

    def build(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        document = {
            "id": message.id,
            "type": message.purpose or "reminder",
            "subject": message.subject,
            "text": message.text,
            "data": message.data,
        }
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)
        timestamp = int(self._clock())
        assert self.secret is not None  # checked in __init__
        signature = Webhook(self.secret).sign(
            message.id, dt.datetime.fromtimestamp(timestamp, tz=dt.UTC), body
        )
        headers = {
            "webhook-id": message.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }
        return self.target, body.encode("utf-8"), headers
