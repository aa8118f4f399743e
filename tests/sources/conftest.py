"""Fixtures of the source-watching tests: the fixture web and fetchers allowed to reach exactly its hosts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fixture_web import FixtureWeb

from reminder.config import Settings
from reminder.sources import Fetcher, FetchPolicy

#: a short pause between requests to one host, so the tests stay fast (the default is 1 s)
TEST_DELAY = 0.005


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


@pytest.fixture
def make_fetcher(web: FixtureWeb) -> Iterator[Callable[..., Fetcher]]:
    """Build fetchers whose allow-list names the fixture's hosts (127.0.0.2…), never 127.0.0.1."""
    made: list[Fetcher] = []

    def make(**policy: float | int) -> Fetcher:
        settings = Settings(_env_file=None, webhook_allow_hosts=web.allow_hosts())  # type: ignore[call-arg]
        options: dict[str, float | int] = {"delay": TEST_DELAY, "timeout": 2.0, "backoff": 0.05, **policy}
        fetcher = Fetcher(settings, FetchPolicy(**options))  # type: ignore[arg-type]
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()
