"""Fixtures for the notify tests: a real HTTP receiver on 127.0.0.1, settings that allow it, fresh rate limits."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_utils import throwaway_database

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


# ── databases for the outbox, dispatcher and scheduler tests ──────────────────────────────
# Tests that take ``db`` run on SQLite and on PostgreSQL (127.0.0.1:5432, user postgres, trust auth:
# one temporary database per session, emptied between tests; skipped with the reason when unreachable).

import os  # noqa: E402

from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from reminder.config import get_settings  # noqa: E402
from reminder.db.engine import make_engine  # noqa: E402
from reminder.db.migrate import upgrade  # noqa: E402

PG_HOST, PG_PORT, PG_USER, PG_ADMIN_DB = "127.0.0.1", 5432, "postgres", "test"
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No inherited DATABASE_URL / REMINDER_* and no stray .env: settings come from the test alone."""
    for name in list(os.environ):
        if name.startswith("REMINDER_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for the session, as a SQLAlchemy URL."""
    with throwaway_database("reminder_notify") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('notify') / 'reminder.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_postgres(pg_database: str) -> Iterator[Engine]:
    engine = make_engine(pg_database)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row (DELETE is much faster than TRUNCATE on a dozen small PostgreSQL tables)."""
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, clean_environ: None) -> Iterator[Engine]:
    """A database at the head revision, migrated once per session and emptied after each test."""
    engine: Engine = request.getfixturevalue(f"migrated_{request.param}")
    yield engine
    empty_tables(engine)


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with Session(db, expire_on_commit=False) as s:
        yield s
