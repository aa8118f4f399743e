"""The local sliding window, with a fake clock: no sleeping."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from reminder.notify.ratelimit import Limit, RateLimiter

PER_MINUTE = (Limit(20, 60.0),)


def test_twenty_a_minute_then_wait_until_the_oldest_leaves(clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    for _ in range(20):
        assert limiter.acquire("robot", PER_MINUTE) == 0.0
        clock.advance(1.0)
    # sends at t=0..19; now t=20: the first leaves the window at t=60
    assert limiter.acquire("robot", PER_MINUTE) == pytest.approx(40.0)
    clock.advance(39.9)
    assert limiter.acquire("robot", PER_MINUTE) == pytest.approx(0.1)
    clock.advance(0.1)
    assert limiter.acquire("robot", PER_MINUTE) == 0.0
    assert limiter.acquire("robot", PER_MINUTE) == pytest.approx(1.0)


def test_a_refused_acquire_takes_no_slot(clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    for _ in range(2):
        limiter.acquire("r", (Limit(2, 10.0),))
    for _ in range(5):
        assert limiter.acquire("r", (Limit(2, 10.0),)) > 0
    clock.advance(10.0)
    assert limiter.acquire("r", (Limit(2, 10.0),)) == 0.0
    assert limiter.acquire("r", (Limit(2, 10.0),)) == 0.0


def test_several_windows_the_strictest_wins(clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    feishu = (Limit(5, 1.0), Limit(100, 60.0))
    sent = 0
    for _ in range(60):  # one minute, trying 10 times a second
        for _ in range(10):
            if limiter.acquire("bot", feishu) == 0.0:
                sent += 1
            clock.advance(0.1)
    assert sent == 100
    assert limiter.acquire("bot", feishu) > 0


def test_keys_are_independent(clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    assert limiter.acquire("a", (Limit(1, 60.0),)) == 0.0
    assert limiter.acquire("a", (Limit(1, 60.0),)) > 0
    assert limiter.acquire("b", (Limit(1, 60.0),)) == 0.0


def test_block_holds_even_an_unlimited_key(clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    limiter.block("hook", 30.0)
    assert limiter.acquire("hook", ()) == pytest.approx(30.0)
    clock.advance(30.0)
    assert limiter.acquire("hook", ()) == 0.0


def test_no_limits_means_no_wait(clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    assert all(limiter.acquire("mail", ()) == 0.0 for _ in range(1000))


def test_thread_safe_exactly_count_slots(clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    granted: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            if limiter.acquire("robot", PER_MINUTE) == 0.0:
                with lock:
                    granted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 20
