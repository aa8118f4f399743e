"""The database schema under Alembic, configured in code (the scripts live in ``migrations/``).

upgrade(engine) ─── brings the schema to head (``reminder db upgrade``)
check_schema(engine) ─ refuses an empty, outdated or unknown schema with a StorageError
make_revision(msg) ─── autogenerates the next revision script from the models
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from reminder.db.engine import make_engine, safe_url
from reminder.errors import StorageError

__all__ = [
    "MIGRATIONS_DIR",
    "OUT_OF_DATE",
    "alembic_config",
    "upgrade",
    "downgrade",
    "current_revision",
    "head_revision",
    "check_schema",
    "make_revision",
]

log = logging.getLogger(__name__)

#: where env.py and versions/ live
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: what every out-of-date refusal says first
OUT_OF_DATE = "数据库结构已过期 / database schema is out of date: run `reminder db upgrade`"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at our scripts, optionally bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.attributes["connection"] = connection
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The revision the code expects (the single head of the scripts)."""
    head = _scripts().get_current_head()
    if head is None:
        raise StorageError(f"没有迁移脚本 / no migration scripts in {MIGRATIONS_DIR}")
    return head


def _connect_error(engine: Engine, exc: sa.exc.OperationalError) -> StorageError:
    return StorageError(
        f"无法连接数据库 / cannot connect to the database {safe_url(engine.url)}: {exc.orig}; "
        "检查 DATABASE_URL 或数据库服务 / check DATABASE_URL and that the server is running"
    )


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None when it has no schema yet.

    Raises:
        StorageError: the database cannot be reached.
    """
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise _connect_error(engine, exc) from exc


#: the oldest PostgreSQL the code runs on: matching hashes class keys with ``hash_record_extended`` (14)
OLDEST_POSTGRESQL = (14,)


def _require_server(conn: sa.Connection) -> None:
    """Refuse a PostgreSQL server older than the code needs, before any migration runs."""
    found = conn.dialect.server_version_info
    if conn.dialect.name == "postgresql" and found is not None and tuple(found) < OLDEST_POSTGRESQL:
        shown = ".".join(str(part) for part in found)
        raise StorageError(
            f"需要 PostgreSQL {OLDEST_POSTGRESQL[0]} 或更高版本，{safe_url(conn.engine.url)} 是 {shown} / "
            f"PostgreSQL {OLDEST_POSTGRESQL[0]} or later is required, this server is {shown}: upgrade the server"
        )


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Apply the migrations up to ``revision``.

    Returns:
        The revision the database is at afterwards.
    """
    try:
        with engine.begin() as conn:
            _require_server(conn)
            command.upgrade(alembic_config(conn), revision)
    except sa.exc.OperationalError as exc:
        raise _connect_error(engine, exc) from exc
    now = current_revision(engine)
    log.info("database %s upgraded to %s", safe_url(engine.url), now)
    return now


def downgrade(engine: Engine, revision: str) -> str | None:
    """Undo migrations down to ``revision`` ("base" drops every table)."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)
    return current_revision(engine)


def check_schema(engine: Engine) -> str:
    """Make sure the database is at the head revision before using it.

    Returns:
        The head revision.

    Raises:
        StorageError: the database is unreachable, empty, behind the code, or at a revision this
            code does not know (made by a newer version of reminder).
    """
    current, head = current_revision(engine), head_revision()
    if current == head:
        return head
    where = safe_url(engine.url)
    if current is None:
        raise StorageError(
            f"数据库尚未初始化 / the database has no schema yet ({where}): run `reminder db upgrade` to create it"
        )
    if _known(current):
        raise StorageError(
            f"{OUT_OF_DATE} (database {where} is at {current}, this version of reminder needs {head})"
        )
    raise StorageError(
        f"数据库版本 {current} 不被本程序识别 / database revision {current} is unknown to this version of reminder "
        f"({where}): it was probably created by a newer reminder; upgrade reminder"
    )


def _known(revision: str) -> bool:
    try:
        _scripts().get_revision(revision)
    except Exception:  # alembic raises ResolutionError or CommandError depending on the id's shape
        return False
    return True


def _next_rev_id(scripts: ScriptDirectory) -> str:
    numbers = [int(m.group(1)) for s in scripts.walk_revisions() if (m := re.match(r"(\d+)", s.revision))]
    return f"{max(numbers, default=0) + 1:04d}"


def make_revision(message: str) -> Path:
    """Autogenerate the next revision script: the models compared with the schema at head.

    Uses a scratch SQLite database, so no server is needed; review the file before committing it.

    Returns:
        The new script's path.
    """
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        try:
            upgrade(engine)
            with engine.begin() as conn:
                cfg = alembic_config(conn)
                script = command.revision(
                    cfg, message, autogenerate=True, rev_id=_next_rev_id(ScriptDirectory.from_config(cfg))
                )
        finally:
            engine.dispose()
    if script is None or isinstance(script, list):
        raise StorageError(f"alembic did not write one revision for {message!r}")
    return Path(script.path)
