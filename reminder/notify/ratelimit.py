"""Local rate limits per robot: a thread-safe sliding window, so we queue instead of being throttled.

企业微信 and 钉钉 robots accept about 20 messages a minute (钉钉 then blocks the robot for 10
minutes); 飞书 about 5 a second and 100 a minute. A channel asks :meth:`RateLimiter.acquire` before
sending: ``0.0`` means a slot was taken, a positive number is how long until one frees, and the
message is not sent (the outbox re-queues it after that delay without counting an attempt).

The limiter is in-process: several worker processes each keep their own window, so the limits are
set a little under the platforms' own.

    >>> now = [0.0]
    >>> limiter = RateLimiter(clock=lambda: now[0])
    >>> per_minute = (Limit(2, 60.0),)
    >>> limiter.acquire("robot", per_minute), limiter.acquire("robot", per_minute)
    (0.0, 0.0)
    >>> limiter.acquire("robot", per_minute)
    60.0
    >>> now[0] = 60.0; limiter.acquire("robot", per_minute)
    0.0
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Limit", "RateLimiter", "default_limiter"]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` sends in any ``period`` seconds."""

    count: int
    period: float


class RateLimiter:
    """Sliding windows keyed by target (one robot URL), safe to share between threads.

    Args:
        clock: monotonic seconds; tests pass a fake one instead of sleeping.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        #: key → send times, oldest first
        self._sent: dict[str, deque[float]] = {}
        #: key → time before which nothing may be sent (the platform told us to slow down)
        self._blocked: dict[str, float] = {}

    def acquire(self, key: str, limits: Sequence[Limit]) -> float:
        """Take a slot for ``key`` if every limit allows one now.

        Returns:
            ``0.0`` when a slot was taken; otherwise seconds until one frees (nothing is taken).
        """
        if not limits and key not in self._blocked:
            return 0.0
        with self._lock:
            now = self._clock()
            wait = max(0.0, self._blocked.get(key, now) - now)
            sent = self._sent.setdefault(key, deque())
            longest = max((limit.period for limit in limits), default=0.0)
            while sent and sent[0] <= now - longest:
                sent.popleft()
            for limit in limits:
                recent = [t for t in sent if t > now - limit.period]
                if len(recent) >= limit.count:
                    wait = max(wait, recent[len(recent) - limit.count] + limit.period - now)
            if wait > 0:
                return wait
            self._blocked.pop(key, None)
            sent.append(now)
            return 0.0

    def block(self, key: str, seconds: float) -> None:
        """Hold every send to ``key`` for ``seconds`` (the platform answered "too fast")."""
        with self._lock:
            until = self._clock() + seconds
            self._blocked[key] = max(until, self._blocked.get(key, until))

    def reset(self) -> None:
        """Forget every window (tests)."""
        with self._lock:
            self._sent.clear()
            self._blocked.clear()


_DEFAULT = RateLimiter()


def default_limiter() -> RateLimiter:
    """The process-wide limiter channels use unless given one."""
    return _DEFAULT
