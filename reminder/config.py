"""Settings: one typed object, read from the environment and an optional `.env` file.

Build it with :func:`get_settings` (cached) rather than at import time, so tests and the CLI can point
it at a temporary database.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from reminder.zone import TZ_NAME

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Every knob of the service. Environment variables are prefixed ``REMINDER_`` except DATABASE_URL."""

    model_config = SettingsConfigDict(
        env_prefix="REMINDER_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    #: SQLAlchemy URL; default is an embedded SQLite file under data_dir
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    #: where the SQLite file and uploads live
    data_dir: Path = Path("var")
    #: operator copies of data tables (rule tables, field registry) that replace the packaged ones
    tables_dir: Path = Path("config/data")
    #: largest document we read, in bytes (a bigger one is refused with a clear error, not read)
    max_input_bytes: int = 20 * 2**20
    #: HTTP timeout for URL ingest, seconds
    fetch_timeout: float = 20.0
    timezone: str = TZ_NAME
    #: operator token for admin pages and API
    admin_token: SecretStr | None = None
    #: public base URL used in links inside messages
    base_url: str = "http://127.0.0.1:8000"
    #: signs unsubscribe links; set a long random value in production (default: derived per data_dir)
    secret_key: SecretStr | None = None
    #: where ``reminder serve`` listens
    host: str = "127.0.0.1"
    port: int = 8000

    # ── email (SMTP) ──
    smtp_host: str | None = None
    smtp_port: int = 587
    #: "starttls", "ssl" or "none" (plain, only for a local relay)
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "申报提醒 <reminder@localhost>"
    smtp_timeout: float = 20.0

    # ── outgoing webhooks (URLs come from enterprises: untrusted) ──
    #: hosts or IP networks allowed even though they are loopback/private (e.g. "127.0.0.1")
    webhook_allow_hosts: list[str] = Field(default_factory=list)
    #: allow plain http:// webhook URLs (https only by default)
    webhook_allow_http: bool = False
    webhook_timeout: float = 10.0
    #: largest response body read from a webhook receiver, bytes
    webhook_max_response_bytes: int = 64 * 1024

    # ── reminders and the dispatcher ──
    #: local hour (Asia/Shanghai) at which reminders and digests go out
    reminder_hour: int = 9
    #: weekday of the weekly digest, 0 = Monday
    digest_weekday: int = 0
    #: seconds between dispatcher ticks
    dispatch_interval: float = 15.0
    #: rows claimed per tick
    dispatch_batch: int = 100
    #: sends in flight at once
    dispatch_concurrency: int = 16
    #: attempts before a reminder is marked dead
    max_attempts: int = 8
    #: first retry delay in seconds; doubles each attempt (with jitter) up to backoff_max
    backoff_base: float = 30.0
    backoff_max: float = 3600.0
    #: how long a claimed row stays claimed before another dispatcher may take it, seconds
    claim_lease: float = 300.0

    def signing_key(self) -> bytes:
        """The key for signed links: ``secret_key``, or a stable per-installation fallback for development."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return hashlib.sha256(f"reminder-dev:{self.data_dir.resolve()}".encode()).digest()

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'reminder.db').as_posix()}"


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
