"""The links a message carries: the company's read-only view page and a signed one-click unsubscribe URL.

The view link (``/v/{id}?token=…``) opens on any phone or mail client without a login: it shows the
company's verdicts, deadlines and reasons and changes nothing. Its token is an HMAC of the company id
and the company's ``view_salt``, so it never reveals the private management token, and a new salt
(:func:`new_view_salt`) makes every old view link stop working.

The unsubscribe URL needs no login (RFC 8058): it names the channel and carries an HMAC of it, so it
cannot be forged for another channel, and it stays valid across retries and restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from reminder.config import Settings

__all__ = [
    "company_url",
    "view_token",
    "view_url",
    "view_calendar_url",
    "verify_view_token",
    "new_view_salt",
    "unsubscribe_signature",
    "unsubscribe_url",
    "verify_unsubscribe",
]


def company_url(company_id: int, settings: Settings) -> str:
    """The company's page (its management token is asked for there, never put in messages)."""
    return f"{settings.base_url.rstrip('/')}/c/{company_id}"


def new_view_salt() -> str:
    """A fresh salt for a company's view link (rotating it revokes the old link)."""
    return secrets.token_hex(16)


def view_token(company_id: int, salt: str | None, settings: Settings) -> str:
    """The read-only view token: HMAC-SHA256 of the id and salt, hex, 32 characters (128 bits)."""
    mac = hmac.new(settings.signing_key(), f"view:{company_id}:{salt or ''}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def verify_view_token(company_id: int, salt: str | None, token: str, settings: Settings) -> bool:
    """Whether ``token`` is the company's current view token (constant-time)."""
    return hmac.compare_digest(token.encode(), view_token(company_id, salt, settings).encode())


def view_url(company_id: int, salt: str | None, settings: Settings) -> str:
    """``{base_url}/v/{company_id}?token=…``: what messages and calendar events link to."""
    return f"{settings.base_url.rstrip('/')}/v/{company_id}?token={view_token(company_id, salt, settings)}"


def view_calendar_url(company_id: int, salt: str | None, settings: Settings) -> str:
    """The read-only iCalendar feed: ``{base_url}/v/{company_id}/calendar.ics?token=…``."""
    token = view_token(company_id, salt, settings)
    return f"{settings.base_url.rstrip('/')}/v/{company_id}/calendar.ics?token={token}"


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
