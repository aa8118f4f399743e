"""Keeping tokens out of logs: ``?token=…`` in a URL or a log line is masked.

Light on purpose (no web imports), so the CLI can install the filter before anything else loads.
"""

from __future__ import annotations

import logging
import re

__all__ = ["redact_tokens", "RedactTokens"]

_TOKEN_IN_URL = re.compile(r"(token=)[^&\s\"']+")


def redact_tokens(text: str) -> str:
    """``…?token=abc…`` → ``…?token=***``.

    >>> redact_tokens("GET /c/1/calendar.ics?token=s3cret&x=1")
    'GET /c/1/calendar.ics?token=***&x=1'
    """
    return _TOKEN_IN_URL.sub(r"\1***", text)


class RedactTokens(logging.Filter):
    """Masks ``token=…`` in a record's message and arguments (uvicorn's access line holds the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a for a in record.args)
        return True
