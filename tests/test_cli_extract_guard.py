"""Issue 16, item 12 (gap): ``reminder extract URL`` fetched without the address guard that ingest uses.

The review's repros, given to the command line: loopback, a decimal IP and a redirect to an internal host.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from internal_site import InternalSite, internal_site
from typer.testing import CliRunner

from reminder.cli import app
from reminder.config import get_settings

runner = CliRunner()
PAGE = "<html><body><h1>关于组织申报2026年度某某专项资金的通知</h1><p>请于2026年4月30日前提交材料。</p></body></html>"


@pytest.fixture
def internal() -> Iterator[InternalSite]:
    with internal_site(PAGE) as site:
        yield site


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("REMINDER_WEBHOOK_ALLOW_HOSTS", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "localhost", "0x7f.1"])
def test_extract_refuses_internal_addresses(
    env: pytest.MonkeyPatch, internal: InternalSite, host: str
) -> None:
    result = runner.invoke(app, ["extract", "--json", f"http://{host}:{internal.port}/secret"])
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and ("不允许" in result.output or "无法" in result.output), result.output
    assert internal.hits == [], "nothing was fetched from the internal service"


def test_extract_refuses_a_redirect_to_an_internal_host(
    env: pytest.MonkeyPatch, internal: InternalSite
) -> None:
    env.setenv("REMINDER_WEBHOOK_ALLOW_HOSTS", '["localhost"]')  # the first hop only
    get_settings.cache_clear()
    result = runner.invoke(app, ["extract", "--json", f"http://localhost:{internal.port}/go"])
    assert result.exit_code == 1 and "不允许" in result.output, result.output
    assert internal.hits == ["/go"], "the redirect's target was never requested"


def test_an_allowed_host_is_still_extracted(env: pytest.MonkeyPatch, internal: InternalSite) -> None:
    env.setenv("REMINDER_WEBHOOK_ALLOW_HOSTS", '["localhost"]')
    get_settings.cache_clear()
    result = runner.invoke(app, ["extract", "--json", f"http://localhost:{internal.port}/secret"])
    assert result.exit_code == 0, result.output
    assert "2026-04-30" in result.output
