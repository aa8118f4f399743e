"""Property-based API test: schemathesis generates requests from the app's own OpenAPI schema (every
operation, valid and invalid data) and sends them in-process over ASGI; no answer may be a 5xx.

Requests carry real credentials so they get past authentication: the admin token on /api/admin/…,
and on company routes a registered company's token with, half of the time, that company's id in the
path (the token is reset before each call, since one operation rotates it). Outgoing connections
to anything but loopback are refused, so a generated webhook or URL never leaves the machine.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import admin_fixtures as fx
import hypothesis.strategies as st
import pytest
import schemathesis
from admin_fixtures import ADMIN_TOKEN, ingest_text, make_app, register
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.models import Company
from reminder.web.deps import hash_token

sqlite_engine, migrated_template, any_engine = fx.sqlite_engine, fx.migrated_template, fx.any_engine

COMPANY_TOKEN = "company-" + "k" * 40
#: examples per operation and mode: ~20 operations × 2 modes × this, well under a minute in-process
EXAMPLES = 12
_LOOPBACK = ("127.", "::1", "localhost")


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections beyond this machine (generated webhook targets and URLs are arbitrary)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def allowed(address: Any) -> bool:
        host = address[0] if isinstance(address, tuple) else str(address)
        return isinstance(address, str | bytes) or str(host).startswith(_LOOPBACK)

    def connect(self: socket.socket, address: Any) -> None:
        if not allowed(address):
            raise ConnectionRefusedError(f"test: no traffic beyond loopback ({address!r})")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not allowed(address):
            raise ConnectionRefusedError(f"test: no traffic beyond loopback ({address!r})")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def service(any_engine: Engine, tmp_path: Path, loopback_only: None) -> Iterator[dict[str, Any]]:
    """The whole app with a published notice, a draft, and a company whose token we know (SQLite and
    PostgreSQL: integer ranges and NUL bytes differ, issue 16 item 13)."""
    sqlite_engine = any_engine
    app = make_app(
        sqlite_engine, tmp_path, webhook_allow_hosts=["127.0.0.1"], webhook_allow_http=True, fetch_timeout=2.0
    )
    company = register(sqlite_engine)
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        published = ingest_text(client, publish=True)
        draft = ingest_text(client, name="draft", text=fx.NOTICE.replace("企业技术中心", "工业设计中心"))
    yield {"app": app, "engine": sqlite_engine, "company": company.id, "notices": [published, draft]}


def _reset_token(engine: Engine, company_id: int) -> None:
    with Session(engine) as session:
        company = session.get(Company, company_id)
        if company is not None:
            company.token_hash = hash_token(COMPANY_TOKEN)
            session.add(company)
            session.commit()


def _authorise(case: Any, facts: dict[str, Any], real_ids: bool) -> None:
    path = case.operation.path
    params = case.path_parameters or {}
    if path.startswith("/api/admin"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {ADMIN_TOKEN}"}
        if real_ids and "notice_id" in params:
            params["notice_id"] = facts["notices"][0]
    elif "{company_id}" in path:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {COMPANY_TOKEN}"}
        if real_ids:
            params["company_id"] = facts["company"]
    elif real_ids and "notice_id" in params:
        params["notice_id"] = facts["notices"][0]
    case.path_parameters = params


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_no_operation_answers_with_a_server_error(service: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", service["app"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, [op.label for op in operations]
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _exercise(operation, mode, service)
    assert not failures, "\n".join(failures)


def _exercise(operation: Any, mode: GenerationMode, facts: dict[str, Any]) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the raw failing example is enough, and fast
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), real_ids=st.booleans())
    def run(case: Any, real_ids: bool) -> None:
        _authorise(case, facts, real_ids)
        _reset_token(facts["engine"], facts["company"])
        response = case.call()
        if response.status_code >= 500:
            failures.append(
                f"{operation.label} [{mode.value}] → {response.status_code}: {case.as_curl_command()}"
            )
        case.validate_response(response, checks=[not_a_server_error])

    try:
        run()
    except Unsatisfiable:  # no invalid request exists (e.g. GET /healthz takes no input)
        assert mode is GenerationMode.NEGATIVE, operation.label
    except Exception as exc:  # the failing example is in the message; keep checking other operations
        failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:2000]}")
    return failures
