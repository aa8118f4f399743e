"""Issue 16, item 1: unsubscribe links were signed with sha256("reminder-dev:" + data dir) without a key."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from reminder.cli import app
from reminder.cli.serve import production_problems
from reminder.config import DEV_SECRET_FILE, Settings, get_settings

runner = CliRunner()
#: a well-formed Fernet key (32 bytes, url-safe base64) for settings fit to serve
DATA_KEY = "ZmFrZS1rZXktZm9yLXNlcnZlLXRlc3RzLTMyLWJ5dGU="


def test_the_signing_key_is_not_derived_from_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    # the review's forgery: the key anyone could compute from a guessed path
    guessed = hashlib.sha256(f"reminder-dev:{settings.data_dir.resolve()}".encode()).digest()
    key = settings.signing_key()
    assert key != guessed
    forged = hmac.new(guessed, b"unsubscribe:1", hashlib.sha256).hexdigest()
    assert forged != hmac.new(key, b"unsubscribe:1", hashlib.sha256).hexdigest()


def test_the_dev_key_is_random_stored_once_and_private(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path / "a").signing_key()
    assert Settings(data_dir=tmp_path / "a").signing_key() == first, "stable across restarts"
    assert Settings(data_dir=tmp_path / "b").signing_key() != first, "random per installation"
    mode = stat.S_IMODE(os.stat(tmp_path / "a" / DEV_SECRET_FILE).st_mode)
    assert mode == 0o600


def test_a_configured_key_wins(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("s" * 40))
    assert settings.signing_key() == b"s" * 40
    assert not (tmp_path / DEV_SECRET_FILE).exists()


@pytest.mark.parametrize(
    ("secret", "admin", "problems"),
    [
        (None, None, 1),
        ("short", None, 1),
        ("x" * 32, None, 0),
        ("x" * 32, "change-me", 1),
        ("x" * 32, "a" * 32, 0),
        (None, "weak", 2),
    ],
)
def test_production_settings_are_checked(secret: str | None, admin: str | None, problems: int) -> None:
    settings = Settings(
        secret_key=SecretStr(secret) if secret else None,
        admin_token=SecretStr(admin) if admin else None,
        data_key=SecretStr(DATA_KEY),
    )
    assert len(production_problems(settings)) == problems


def test_a_missing_data_key_is_a_production_problem() -> None:
    settings = Settings(secret_key=SecretStr("x" * 32), data_key=None)
    (problem,) = production_problems(settings)
    assert "REMINDER_DATA_KEY" in problem and "未设置" in problem


def test_serve_refuses_to_start_without_a_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REMINDER_SECRET_KEY", "REMINDER_ADMIN_TOKEN", "REMINDER_DATA_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("REMINDER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REMINDER_ADMIN_TOKEN", "change-me")
    monkeypatch.chdir(tmp_path)  # no .env
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--port", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "REMINDER_SECRET_KEY" in result.output and "REMINDER_ADMIN_TOKEN" in result.output
    assert "REMINDER_DATA_KEY" in result.output and "未设置" in result.output


def test_serve_refuses_to_start_without_a_data_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The review's setting: a strong secret key and admin token, but no REMINDER_DATA_KEY."""
    monkeypatch.delenv("REMINDER_DATA_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("REMINDER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REMINDER_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("REMINDER_ADMIN_TOKEN", "a" * 40)
    monkeypatch.chdir(tmp_path)  # no .env
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--port", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "REMINDER_DATA_KEY" in result.output and "未设置" in result.output
    assert "REMINDER_SECRET_KEY" not in result.output
