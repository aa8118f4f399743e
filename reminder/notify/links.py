"""The links a message carries: the company page and a signed one-click unsubscribe URL.

The unsubscribe URL needs no login (RFC 8058): it names the channel and carries an HMAC of it, so it
cannot be forged for another channel, and it stays valid across retries and restarts.
"""

from __future__ import annotations

import hashlib
import hmac

from reminder.config import Settings

__all__ = ["company_url", "unsubscribe_signature", "unsubscribe_url", "verify_unsubscribe"]


def company_url(company_id: int, settings: Settings) -> str:
    """The company's page (its management token is asked for there, never put in messages)."""
    return f"{settings.base_url.rstrip('/')}/c/{company_id}"


def unsubscribe_signature(channel_id: int, settings: Settings) -> str:
    """HMAC-SHA256 of the channel id, hex, truncated to 32 characters (128 bits)."""
    mac = hmac.new(settings.signing_key(), f"unsubscribe:{channel_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def unsubscribe_url(channel_id: int, settings: Settings) -> str:
    """``{base_url}/unsubscribe/{channel_id}/{signature}``: GET shows a confirm page, POST unsubscribes."""
    return f"{settings.base_url.rstrip('/')}/unsubscribe/{channel_id}/{unsubscribe_signature(channel_id, settings)}"


def verify_unsubscribe(channel_id: int, signature: str, settings: Settings) -> bool:
    """Whether ``signature`` was made by :func:`unsubscribe_signature` for this channel."""
    return hmac.compare_digest(signature, unsubscribe_signature(channel_id, settings))
