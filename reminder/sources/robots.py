"""robots.txt, read with ``protego`` and kept per origin (scheme, host, port) for a while.

RFC 9309 decides what an unreadable file means: 4xx (no robots.txt) allows everything; 5xx or an
unreachable server means "disallow everything": the reader raises then (the fetch fails as
unreachable, nothing is cached, the next fetch asks again).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

__all__ = ["RobotsCache", "RobotsAnswer", "robots_url", "origin"]

#: robots.txt is read again after this many seconds (RFC 9309 suggests at most a day)
ROBOTS_TTL = 6 * 3600.0
#: after a failed read (5xx, unreachable: everything disallowed) robots.txt is asked again this soon
ROBOTS_RETRY = 600.0
#: robots.txt beyond this many bytes is cut (RFC 9309 asks parsers to read at least 500 KiB)
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class RobotsAnswer:
    """What a robots.txt request returned: status (0 when unreachable) and text."""

    status: int
    text: str


@dataclass(frozen=True)
class _Rules:
    parser: Protego | None
    #: True: allow all (no file); False: disallow all (server error); None: ask the parser
    blanket: bool | None
    #: clock time after which the file is read again
    expires: float


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-case.

    >>> origin("HTTP://Example.gov.cn:8080/a/b?c")
    'http://example.gov.cn:8080'
    """
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def robots_url(url: str) -> str:
    return origin(url) + "/robots.txt"


class RobotsCache:
    """Answers "may we fetch this URL?" and "how long should we pause?" per origin.

    Args:
        agent: our user-agent token, matched against ``User-agent:`` lines.
        read: fetches a robots.txt URL (through the polite, guarded fetcher); raises when the
            server cannot be read (network error, 5xx), which then propagates.
        clock: seconds, for expiry.
    """

    def __init__(
        self,
        agent: str,
        read: Callable[[str], RobotsAnswer],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.agent = agent
        self._read = read
        self._clock = clock
        self._rules: dict[str, _Rules] = {}
        self._reading: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _get(self, url: str) -> _Rules:
        """The rules of ``url``'s origin, read once at a time per origin (concurrent callers wait)."""
        key = origin(url)
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            rules = self._rules.get(key)
            if rules is not None and self._clock() < rules.expires:
                return rules
            rules = _parse(self._read(key + "/robots.txt"), self._clock())
            self._rules[key] = rules
            return rules

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our agent fetch ``url``."""
        rules = self._get(url)
        if rules.blanket is not None:
            return rules.blanket
        assert rules.parser is not None
        return bool(rules.parser.can_fetch(url, self.agent))

    def crawl_delay(self, url: str) -> float:
        """The Crawl-delay robots.txt asks of our agent, 0 when none."""
        rules = self._get(url)
        if rules.parser is None:
            return 0.0
        delay = rules.parser.crawl_delay(self.agent)
        return float(delay) if delay else 0.0


def _parse(answer: RobotsAnswer, now: float) -> _Rules:
    if 200 <= answer.status < 300:
        return _Rules(Protego.parse(answer.text[:ROBOTS_MAX_BYTES]), None, now + ROBOTS_TTL)
    if 400 <= answer.status < 500:
        return _Rules(None, True, now + ROBOTS_TTL)
    return _Rules(None, False, now + ROBOTS_RETRY)
