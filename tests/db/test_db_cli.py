"""``reminder db …`` and ``reminder ingest`` as a user runs them, on every backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reminder.cli import app
from reminder.db.migrate import OUT_OF_DATE, head_revision

SAMPLES = Path(__file__).resolve().parents[2] / "reminder" / "samples" / "notices"
COMPILATION = SAMPLES / "003_ea2ee469bcb46e87.txt"


@pytest.fixture
def runner(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Runs commands against the test database, on a terminal wide enough for the tables."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "250")
    return CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_upgrade_and_current(runner: CliRunner) -> None:
    head = head_revision()
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == 0, before.output
    assert "current: (empty)" in before.stdout and "reminder db upgrade" in before.stdout

    up = runner.invoke(app, ["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert f"(empty) → {head}" in up.stdout

    again = runner.invoke(app, ["db", "upgrade"])
    assert f"already at {head}" in again.stdout
    after = runner.invoke(app, ["db", "current"])
    assert f"current: {head}" in after.stdout and "up to date" in after.stdout


def test_ingest_refuses_a_database_without_schema(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ingest", str(COMPILATION)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and "run `reminder db upgrade`" in _flat(result.stderr)
    assert "Traceback" not in result.output


def test_ingest_refuses_an_out_of_date_schema_until_upgraded(runner, newer_code) -> None:
    shipped, newer = newer_code
    assert runner.invoke(app, ["db", "upgrade", shipped]).exit_code == 0

    refused = runner.invoke(app, ["ingest", str(COMPILATION)])
    assert refused.exit_code == 1
    assert _flat(refused.stderr).startswith(f"Error: {OUT_OF_DATE}")

    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert f"{shipped} → {newer}" in upgraded.stdout
    accepted = runner.invoke(app, ["ingest", str(COMPILATION)])
    assert accepted.exit_code == 0, accepted.output


def test_ingest_prints_a_summary_and_fails_on_any_failure(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(COMPILATION, folder / "compilation.txt")
    shutil.copy(SAMPLES / "004_c8166205ebf78c1f.txt", folder / "bulletin.txt")

    result = runner.invoke(app, ["ingest", str(folder), str(tmp_path / "nope.pdf")])
    assert result.exit_code == 1, result.output
    out = _flat(result.stdout)
    assert "documents │ 1" in out and "duplicates │ 0" in out and "failures │ 1" in out
    assert "skipped (no application call) │ 1" in out
    assert "bulletin.txt" in out and "not a notice" in out
    assert "nope.pdf" in out and "file not found" in out

    again = runner.invoke(app, ["ingest", str(folder / "compilation.txt")])
    assert again.exit_code == 0, again.output
    assert "duplicates │ 1" in _flat(again.stdout) and "documents │ 0" in _flat(again.stdout)


def test_news_files_are_skipped_not_failures(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["ingest", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "skipped (no application call) │ 3" in out and "failures │ 0" in out
    assert "000_29efa1d661e0c9cf.txt" in out and "not a notice" in out


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "invalid database URL"),
        (
            "postgresql://postgres:s3cret@127.0.0.1:1/reminder?connect_timeout=2",
            "cannot connect to the database",
        ),
    ],
)
def test_bad_database_url_is_an_error_not_a_traceback(url: str, message: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and message in _flat(result.stderr)
    assert "s3cret" not in result.output
    assert isinstance(result.exception, SystemExit), "handled, not a traceback"
