"""Fixtures for the web tests: the app on a real database holding the bundled sample notices.

The sample notices are ingested once per session into a template SQLite file that each test copies
(so tests never see each other's companies). Tests that take the ``backend`` fixture through
``@pytest.mark.parametrize("backend", BACKENDS)`` also run on PostgreSQL (127.0.0.1:5432, skipped with
the reason when unreachable), where the notices are loaded once and companies emptied after each test.
The clock is pinned at 2025-03-01 09:00 Asia/Shanghai, when the 2025 sample calls are open.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from loopback import Loopback
from pg_utils import throwaway_database
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from web_factories import NOW
from web_smtp import Mailbox, smtp_server

from reminder.config import Settings
from reminder.db.engine import make_engine, session_scope
from reminder.db.migrate import upgrade
from reminder.ingest import ingest_paths
from reminder.web.app import create_app
from reminder.web.demo import SAMPLE_NOTICES

ADMIN_TOKEN = "admin-" + "x" * 40
PG_HOST, PG_PORT, PG_USER, PG_ADMIN_DB = "127.0.0.1", 5432, "postgres", "test"


def _load_samples(engine: Engine) -> None:
    upgrade(engine)
    with session_scope(engine) as session:
        summary = ingest_paths([SAMPLE_NOTICES], session=session, now=NOW)
    assert summary.notices > 0, summary


@pytest.fixture(scope="session")
def sample_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at head with the sample notices, to copy."""
    path = tmp_path_factory.mktemp("web-template") / "reminder.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        _load_samples(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="session")
def sample_postgres() -> Iterator[Engine]:
    """A throwaway PostgreSQL database with the sample notices, for the session."""
    with throwaway_database("reminder_web") as url:
        engine = make_engine(url)
        try:
            _load_samples(engine)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def backend() -> str:
    """Which database the test runs on; parametrize it with BACKENDS to run on both."""
    return "sqlite"


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The sample notices and no company."""
    if backend == "postgres":
        pg: Engine = request.getfixturevalue("sample_postgres")
        yield pg
        with pg.begin() as conn:
            conn.execute(sa.text("TRUNCATE companies RESTART IDENTITY CASCADE"))
        return
    path = tmp_path / "data" / "reminder.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(request.getfixturevalue("sample_sqlite"), path)
    sqlite = make_engine(f"sqlite:///{path}")
    yield sqlite
    sqlite.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Loopback webhooks allowed (the test receivers), no SMTP unless a test adds it."""
    return Settings(
        data_dir=tmp_path / "data",
        base_url="http://testserver",
        admin_token=SecretStr(ADMIN_TOKEN),
        secret_key=SecretStr("k" * 40),
        webhook_allow_hosts=["127.0.0.1"],
        webhook_allow_http=True,
        webhook_timeout=5.0,
        # limits are tested in test_security_*.py; here many requests come from one test client
        auth_failure_limits="10000/minute",
        register_ip_limits="10000/minute",
        register_address_limits="10000/minute",
    )


@pytest.fixture
def make_client(engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """``make_client(settings)`` → a TestClient on a fresh app with the pinned clock (closed afterwards)."""
    clients: list[TestClient] = []

    def make(settings: Settings, now: dt.datetime = NOW, **state: Any) -> TestClient:
        app: FastAPI = create_app(settings, engine=engine, clock=lambda: now, **state)
        client = TestClient(app, base_url="http://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient], settings: Settings) -> TestClient:
    return make_client(settings)


@pytest.fixture
def receiver() -> Iterator[Loopback]:
    """A webhook receiver on 127.0.0.1 answering like 企业微信 (errcode 0) unless told otherwise."""
    with Loopback() as rx:
        yield rx


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1; use ``smtp_settings`` to send to it."""
    with smtp_server() as box:
        yield box


@pytest.fixture
def smtp_settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "smtp_security": "none",
            "smtp_timeout": 5.0,
        }
    )
