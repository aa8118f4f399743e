"""Keeping tokens out of logs: every credential in a URL's query string is masked, however it is spelled.

Each ``name=value`` pair after ``?``, ``&`` or ``;`` is parsed: the name is percent- and plus-decoded
(repeatedly, so ``%2574oken`` is caught too), case-folded and stripped, and the value is replaced
by ``***`` when the name is a credential (``token``, ``access_token``, ``key``, ``secret``…). A regex
on the raw text missed ``?%74oken=…`` (issue 16, item 7).

Light on purpose (no web imports), so the CLI can install the filter before anything else loads.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

__all__ = ["redact_tokens", "sensitive_name", "RedactTokens"]

#: one query pair: the separator before it, its raw name and raw value
_PAIR = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;?#\s\"'<>]+)=(?P<value>[^&;#\s\"'<>]*)")
#: names whose value is a credential (after decoding and case folding)
_EXACT = frozenset({"key", "secret", "password", "passwd", "sig", "signature", "sign", "session"})
_MASK = "***"


def _decoded(name: str) -> str:
    """The name as the application would read it, decoded until stable (bounded: no decoding loop)."""
    for _ in range(4):
        decoded = unquote_plus(name)
        if decoded == name:
            break
        name = decoded
    return "".join(name.split()).casefold()


def sensitive_name(name: str) -> bool:
    """Whether a raw query parameter name carries a credential.

    >>> [sensitive_name(n) for n in ("token", "%74oken", "Access_Token", "%2574OKEN", "page")]
    [True, True, True, True, False]
    """
    plain = _decoded(name)
    return "token" in plain or plain in _EXACT


def redact_tokens(text: str) -> str:
    """``…?token=abc…`` → ``…?token=***``, for any spelling of the name.

    >>> redact_tokens("GET /c/1/calendar.ics?token=s3cret&x=1")
    'GET /c/1/calendar.ics?token=***&x=1'
    >>> redact_tokens("GET /c/1?a=1&%74oken=s3cret HTTP/1.1")
    'GET /c/1?a=1&%74oken=*** HTTP/1.1'
    """
    if "=" not in text:
        return text

    def mask(match: re.Match[str]) -> str:
        if not sensitive_name(match["name"]):
            return match[0]
        return f"{match['lead']}{match['name']}={_MASK}"

    return _PAIR.sub(mask, text)


class RedactTokens(logging.Filter):
    """Masks credentials in a record's message and arguments (uvicorn's access line holds the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact_tokens(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True
