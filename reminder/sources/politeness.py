"""One request at a time per host, with a pause between requests.

A :class:`HostGate` holds one lock per host name: a caller holds it for a whole request (retries
included), and the next request to that host starts no earlier than ``delay`` seconds after the
previous one ended, or later when the server asked for a pause (Retry-After, robots Crawl-delay).
Different hosts proceed in parallel.

No rate-limit library fits "at most one in flight per host, then a pause": token buckets such as
``limits`` or ``pyrate-limiter`` bound requests per window, not requests in flight, so this is a lock
and a timestamp.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["HostGate"]


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: monotonic time before which no request to the host may start
    not_before: float = 0.0


class HostGate:
    """Per-host serialisation and spacing.

    Args:
        delay: seconds between the end of one request to a host and the start of the next.
        clock: a monotonic clock (seconds).
        sleep: how to wait (tests may record the waits).
    """

    def __init__(
        self,
        delay: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay = delay
        self._clock = clock
        self._sleep = sleep
        self._slots: dict[str, _Slot] = {}
        self._guard = threading.Lock()

    def _slot(self, host: str) -> _Slot:
        with self._guard:
            return self._slots.setdefault(host.lower(), _Slot())

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Hold ``host`` for one request: wait for its turn and its pause, release after it."""
        slot = self._slot(host)
        with slot.lock:
            wait = slot.not_before - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                slot.not_before = max(slot.not_before, self._clock() + self.delay)

    def pause(self, host: str, seconds: float) -> None:
        """Keep ``host`` quiet for ``seconds`` from now (a server's Retry-After or Crawl-delay)."""
        slot = self._slot(host)
        slot.not_before = max(slot.not_before, self._clock() + seconds)

    def wait_here(self, host: str) -> None:
        """Inside :meth:`turn`: sleep until the host's pause is over (between retries)."""
        wait = self._slot(host).not_before - self._clock()
        if wait > 0:
            self._sleep(wait)
