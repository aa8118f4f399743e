"""Settings: one typed object, read from the environment and an optional `.env` file.

Build it with :func:`get_settings` (cached) rather than at import time, so tests and the CLI can point
it at a temporary database.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from reminder.zone import TZ_NAME

__all__ = ["Settings", "get_settings", "DEV_SECRET_FILE", "MIN_SECRET_LENGTH"]


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
    #: largest upload request (all files and pasted text of one /admin/ingest), bytes; refused while it
    #: streams in, before anything is written. Other requests are limited to 2 MB.
    max_request_bytes: int = 64 * 2**20
    #: HTTP timeout for URL ingest, seconds
    fetch_timeout: float = 20.0
    timezone: str = TZ_NAME
    #: operator token for admin pages and API
    admin_token: SecretStr | None = None
    #: public base URL used in links inside messages
    base_url: str = "http://127.0.0.1:8000"
    #: encrypts channel targets and secrets at rest: comma-separated Fernet keys, newest first (rotation:
    #: add a new key in front, run ``reencrypt_channels``, then drop the old). Without it a random
    #: development key is kept in ``{data_dir}/dev-data-key`` (0600).
    data_key: SecretStr | None = None
    #: signs unsubscribe and confirmation links; required by ``serve`` outside ``--dev`` (≥ 32 characters).
    #: Without it a random development key is generated once and kept in ``{data_dir}/dev-secret-key`` (0600).
    secret_key: SecretStr | None = None
    # ── abuse limits and sessions (issue 16; "N/minute;M/hour" in the ``limits`` notation) ──
    #: failed credentials (wrong admin login, wrong token: 401/403) a client may have; past them every
    #: token-bearing request from it is 429 until the window passes
    auth_failure_limits: str = "10/minute;30/hour"
    #: registrations (page and API) per client address
    register_ip_limits: str = "5/hour;20/day"
    #: registrations and confirmation mails per contact address
    register_address_limits: str = "3/day"
    #: where the counters above live: "memory://" counts per process; several ``reminder serve``
    #: processes share "database://" (the app's database) or a ``limits`` URI, e.g. "redis://127.0.0.1:6379"
    ratelimit_storage: str = "memory://"
    #: an admin session ends this long after sign-in, and after this long unused
    admin_session_hours: float = 12.0
    admin_session_idle_minutes: float = 60.0
    #: delivery records (addresses, answers) older than this are deleted by the hourly sweep
    delivery_retention_days: int = 180
    #: where ``reminder serve`` listens
    host: str = "127.0.0.1"
    port: int = 8000
    #: processes ``reminder serve`` runs on that port (``--workers``): one per core on one machine; each
    #: keeps its own caches, and on SQLite only one of them sends reminders
    web_workers: int = 1
    # ── edge (issue 16, items 6 and 18) ──
    #: reverse proxies whose X-Forwarded-For/-Proto are believed (addresses or networks, "*" for any);
    #: empty: none, the peer is the client. Behind a TLS proxy cookies are then Secure.
    forwarded_allow_ips: list[str] = Field(default_factory=list)
    #: who may read /metrics: clients at these addresses or networks (after trusted proxy headers), or
    #: any client sending ``Authorization: Bearer <metrics_token>``; others get 403
    metrics_allow_ips: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    metrics_token: SecretStr | None = None
    #: "send test message": per company ("limits" notation); the test-send lane sends this many at once
    test_send_limits: str = "5/minute;30/hour"
    test_send_concurrency: int = 4

    # ── email (SMTP) ──
    smtp_host: str | None = None
    smtp_port: int = 587
    #: "starttls", "ssl" or "none" (plain, only for a local relay)
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "申报提醒 <reminder@localhost>"
    smtp_timeout: float = 20.0
    #: the operator's address: a daily digest of newly flagged watched sources (reminder.sources_digest);
    #: unset, no digest is sent
    operator_email: str | None = None

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
    #: how long a claimed row stays claimed before another dispatcher may take it, seconds; the
    #: dispatcher renews it every third while sending, so a crashed one's rows go out within a minute
    claim_lease: float = 45.0
    # ── scale-out (several processes on one PostgreSQL database) ──
    #: whether ``reminder serve`` runs the scheduler in its own process; off (``REMINDER_SCHEDULER=off``
    #: or ``serve --no-scheduler``) when separate ``reminder worker`` processes run it
    scheduler: bool = True
    #: seconds between sweeps (passed deadlines, replanning, retention purges); each period's sweep
    #: runs in one process however many run the scheduler
    sweep_interval: float = 3600.0

    def signing_key(self) -> bytes:
        """The key for signed links: ``secret_key``, or a random development key stored once (mode 0600).

        Never derived from anything guessable (the data directory was: issue 16, item 1).
        """
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        return _dev_secret_key(self.data_dir / DEV_SECRET_FILE)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'reminder.db').as_posix()}"


#: where the development signing key lives, under data_dir
DEV_SECRET_FILE = "dev-secret-key"
#: the shortest secret key or admin token ``serve`` accepts outside ``--dev``
MIN_SECRET_LENGTH = 32


#: development keys already read, by file: every signed link asks for the key (a bulk replan, thousands)
_DEV_KEYS: dict[Path, bytes] = {}


def _dev_secret_key(path: Path) -> bytes:
    """The key kept in ``path``, read once per process (see ``_read_dev_key``)."""
    key = _DEV_KEYS.get(path)
    if key is None:
        key = _DEV_KEYS[path] = _read_dev_key(path)
    return key


def _read_dev_key(path: Path) -> bytes:
    """The key kept in ``path``, created once with 256 random bits and mode 0600 (O_EXCL: no race)."""
    try:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key.encode()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip().encode()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key.encode()


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
