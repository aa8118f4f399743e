"""Errors of source watching, under :class:`reminder.errors.ReminderError`.

    ReminderError
     └── SourceError              a source definition is invalid
          └── FetchError          a page could not be fetched (network, status, timeout)
               ├── RobotsDisallowed   robots.txt forbids the path to our user agent
               ├── FetchTooLarge      the body passed the size limit (download stopped)
               └── RetryLater         429/503 asked for a wait longer than we block for

The address guard's refusal stays :class:`reminder.errors.UnsafeTarget` (the webhooks' guard).
Messages are in Chinese and English.
"""

from __future__ import annotations

from reminder.errors import ReminderError

__all__ = ["SourceError", "FetchError", "RobotsDisallowed", "FetchTooLarge", "RetryLater"]


class SourceError(ReminderError, ValueError):
    """A source definition is invalid (bad URL, trust value, interval)."""


class FetchError(SourceError):
    """A page could not be fetched."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"无法获取 {url}：{reason}")
        #: the address asked for
        self.url = url
        #: why, in Chinese and English
        self.reason = reason
        #: the last HTTP status, when the server answered
        self.status = status


class RobotsDisallowed(FetchError):
    """robots.txt forbids the path (or could not be read: RFC 9309 then means "disallow all")."""


class FetchTooLarge(FetchError):
    """The body passed the size limit; the download stopped there."""


class RetryLater(FetchError):
    """The server asked for a pause (429/503 Retry-After) longer than the fetcher waits."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, retry_after: float = 0.0) -> None:
        super().__init__(url, reason, status=status)
        #: seconds the server asked us to wait
        self.retry_after = retry_after
