"""The test-send lane: a thread that sends queued test messages as soon as a request wakes it.

    web request ── queue_test + commit ── lane.wake()
    lane thread ── wait for a wake ── dispatch_due(only_test_sends=True) until none is left ── wait again
               └─ idle for ``idle`` seconds → the thread ends (the next wake starts another)

The periodic dispatcher tick sends test rows too (e.g. a separate ``reminder worker`` holding the
SQLite lease, where this lane gets ``DispatcherBusy`` and leaves them to it); the lane only makes them
go at once, at most ``settings.test_send_concurrency`` at a time, beside the real reminders.
A wake during a dispatch is not lost: the event is checked again when the dispatch ends.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

from reminder.config import Settings
from reminder.errors import DispatcherBusy
from reminder.notify.dispatcher import dispatch_due

__all__ = ["TestSendLane"]

log = logging.getLogger(__name__)


class TestSendLane:
    """Sends queued test messages when woken, in one background thread started on demand."""

    __test__ = False  # not a pytest class

    def __init__(self, *, engine: Engine, settings: Settings, worker: str, idle: float = 5.0) -> None:
        self.engine = engine
        self.worker = worker
        self.idle = idle
        concurrency = max(1, settings.test_send_concurrency)
        self.settings = settings.model_copy(
            update={"dispatch_concurrency": concurrency, "dispatch_batch": max(concurrency, 8)}
        )
        self._woken = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def wake(self) -> None:
        """Send what is queued now (starts the thread when none runs)."""
        self._woken.set()
        with self._lock:
            if self._stopped or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="test-sends", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Let the current dispatch finish (up to ``timeout`` seconds); wakes are ignored afterwards."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._woken.set()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            if not self._woken.wait(self.idle):
                with self._lock:  # a wake after this check finds no thread and starts one
                    if not self._woken.is_set():
                        self._thread = None
                        return
                continue
            self._woken.clear()
            if self._stopped:
                with self._lock:
                    self._thread = None
                return
            self._dispatch()

    def _dispatch(self) -> None:
        try:
            stats = dispatch_due(
                engine=self.engine, settings=self.settings, worker=self.worker, only_test_sends=True
            )
        except (
            DispatcherBusy
        ) as exc:  # another process dispatches on this SQLite database: its tick sends them
            log.info("test sends left to the lease holder: %s", exc)
        except Exception:  # a database hiccup: the next wake or the periodic tick tries again
            log.exception("test-send lane: dispatch failed")
        else:
            if stats.claimed:
                log.info("test sends: %s", stats)
