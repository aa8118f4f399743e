"""Mask secrets for pages, API responses and logs: enough to recognise, never enough to use.

>>> mask_secret("SEC0123456789abcdef")
'SEC01…ef'
>>> mask_target("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ab12-34cd-56ef-9f")
'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ab…9f'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

__all__ = ["mask_secret", "mask_target", "SECRET_PARAMS"]

#: query parameters whose values are credentials (compared lower-case)
SECRET_PARAMS: frozenset[str] = frozenset(
    {
        "key",
        "access_token",
        "token",
        "sign",
        "secret",
        "signature",
        "sig",
        "password",
        "passwd",
        "apikey",
        "api_key",
        "auth",
        "code",
        "ticket",
        "hook",
        "webhook",
    }
)
#: prefixes kept in front of a masked secret, so the kind stays recognisable
_PREFIXES = ("whsec_", "SEC")
#: a path segment this long made of token characters is a credential (飞书 hook id, Slack-style paths)
_TOKEN_SEGMENT = re.compile(r"[A-Za-z0-9_\-]{16,}")


def mask_secret(value: str | None) -> str:
    """``ab…9f`` for a secret: first and last two characters (after a known prefix), or ``****`` if short.

    Args:
        value: the secret; None or "" give "".

    Returns:
        The masked form, safe to show and log.
    """
    if not value:
        return ""
    prefix = next((p for p in _PREFIXES if value.startswith(p)), "")
    rest = value[len(prefix) :]
    if len(rest) < 8:
        return prefix + "****"
    return f"{prefix}{rest[:2]}…{rest[-2:]}"


def mask_target(kind: str, target: str) -> str:
    """A channel target with its credentials masked: URL keys, access tokens, hook ids, passwords.

    Args:
        kind: channel kind ("email" targets are addresses and are returned as they are).
        target: the webhook URL or email address.

    Returns:
        The target, safe to show and log.
    """
    if kind == "email":
        return target
    try:
        parts = urlsplit(target.strip())
    except ValueError:
        return mask_secret(target)
    if not parts.scheme or not parts.netloc:
        return mask_secret(target)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:****@{host}"
        else:
            netloc = f"{mask_secret(userinfo)}@{host}"
    path = "/".join(
        mask_secret(seg) if _TOKEN_SEGMENT.fullmatch(seg) else seg for seg in parts.path.split("/")
    )
    query = "&".join(
        f"{quote(k, safe='')}={mask_secret(v) if k.lower() in SECRET_PARAMS else quote(v, safe='')}"
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit((parts.scheme, netloc, path, query, ""))
