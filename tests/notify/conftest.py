"""Fixtures for the notify tests: a real HTTP receiver on 127.0.0.1, settings that allow it, fresh rate limits.

The databases (``db``, ``session``: SQLite and PostgreSQL) and ``clean_environ`` are tests/conftest.py's.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from receiver import Receiver  # noqa: E402

from reminder.config import Settings  # noqa: E402
from reminder.notify.ratelimit import default_limiter  # noqa: E402


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def _receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


@pytest.fixture
def rx(_receiver: Receiver) -> Receiver:
    """The session's receiver, with no hits and no scripted answers left from other tests."""
    _receiver.reset()
    return _receiver


@pytest.fixture
def settings() -> Settings:
    """Settings the tests send with: the receiver on 127.0.0.1 is allowed, http too, and timeouts are short."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        webhook_allow_hosts=["127.0.0.1"],
        webhook_allow_http=True,
        webhook_timeout=0.5,
        base_url="https://reminder.example.cn",
    )


@pytest.fixture
def strict_settings() -> Settings:
    """Production-like settings: https only, nothing allowed beyond the public internet."""
    return Settings(_env_file=None, webhook_timeout=0.5)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """Rate-limit windows are process-wide: start every test with none."""
    default_limiter().reset()
    yield
    default_limiter().reset()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
