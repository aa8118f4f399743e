"""Settings: one typed object, read from the environment and an optional `.env` file.

Build it with :func:`get_settings` (cached) rather than at import time, so tests and the CLI can point
it at a temporary database.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    #: largest document we read, in bytes (a bigger one is refused with a clear error, not read)
    max_input_bytes: int = 20 * 2**20
    #: HTTP timeout for URL ingest, seconds
    fetch_timeout: float = 20.0
    timezone: str = "Asia/Shanghai"
    #: operator token for admin pages and API
    admin_token: SecretStr | None = None
    #: public base URL used in links inside messages
    base_url: str = "http://127.0.0.1:8000"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'reminder.db').as_posix()}"


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
