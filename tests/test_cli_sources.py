"""``reminder sources import|list|add|test|poll|discover`` as an operator runs them, against the loopback fixture web."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
from fixture_templates import TRS  # noqa: E402
from fixture_web import FixtureWeb, Site, make_notices  # noqa: E402

from reminder.cli import app  # noqa: E402

STARTER = Path(__file__).resolve().parents[1] / "config" / "sources" / "starter.yaml"


@pytest.fixture
def site() -> Iterator[Site]:
    with FixtureWeb() as web:
        yield web.site(template=TRS, notices=make_notices(12, dt.date.today()))


@pytest.fixture
def runner(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("REMINDER_WEBHOOK_ALLOW_HOSTS", f'["{site.host}"]')
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_the_starter_catalogue_imports_once_and_lists(runner: CliRunner) -> None:
    assert "12 个新增 / added, 0 个更新" in _ok(runner, "sources", "import", str(STARTER))
    assert "0 个新增 / added, 12 个更新" in _ok(runner, "sources", "import", str(STARTER))
    listed = _ok(runner, "sources", "list")
    assert "科学技术部 通知通告" in listed and "https://www.most.gov.cn/tztg/" in listed
    assert "人工审核" in listed


def test_a_bad_catalogue_entry_is_named_and_nothing_is_loaded(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - {name: 某局, issuer: 某局, region: 杭州市, level: municipal, url: https://a.gov.cn/tzgg/}\n"
        "  - {name: 某厅, issuer: 某厅, region: 浙江省, level: provincal, url: https://b.gov.cn/tzgg/}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["sources", "import", str(bad)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "第 2 项" in result.output and "provincal" in result.output
    assert "还没有来源" in _ok(runner, "sources", "list")


def test_test_shows_titles_dates_links_and_the_next_page(runner: CliRunner, site: Site) -> None:
    shown = _ok(runner, "sources", "test", site.list_url(), "--delay", "0")
    assert "10 个条目 / items" in shown
    first = site.notices[0]
    assert first.title in shown and first.published.isoformat() in shown and site.detail_url(first) in shown
    assert f"下一页 / next page: {site.url('/tzgg/index_1.html')}" in shown


def test_add_then_poll_stores_the_source_and_reports_what_it_found(runner: CliRunner, site: Site) -> None:
    added = _ok(
        runner, "sources", "add", site.list_url(), "--name", "青松市科技局 通知公告", "--issuer", "青松市科学技术局",
        "--region", "杭州市", "--trust", "auto",
    )  # fmt: skip
    assert "来源 1 已添加" in added
    again = runner.invoke(
        app, ["sources", "add", site.list_url(), "--name", "x", "--issuer", "x", "--region", "x"]
    )
    assert again.exit_code == 1 and "已在监测中" in again.output
    polled = _ok(runner, "sources", "poll", "1", "--delay", "0")
    assert "来源 1 青松市科技局 通知公告: 新条目 12" in polled
    listed = _ok(runner, "sources", "list")
    assert "自动发布" in listed and "青松市科技局 通知公告" in listed
    assert "已暂停" in _ok(runner, "sources", "pause", "1")
    assert "暂停" in _ok(runner, "sources", "list")
    nothing = runner.invoke(app, ["sources", "poll", "--all"])
    assert nothing.exit_code == 1 and "没有启用的来源" in nothing.output
    assert "已恢复轮询" in _ok(runner, "sources", "resume", "1")
    missing = runner.invoke(app, ["sources", "pause", "9"])
    assert missing.exit_code == 1 and "没有编号为 9 的来源" in missing.output


def test_a_source_that_cannot_be_reached_fails_with_its_reason(runner: CliRunner) -> None:
    result = runner.invoke(app, ["sources", "test", "http://10.0.0.1/tzgg/"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "10.0.0.1" in result.output
