"""Operations endpoints: ``/healthz`` for load balancers and ``/metrics`` for Prometheus.

Neither needs a token, so neither says more than a monitor needs: no URL, host or password, only
the database backend and a short reason when it is unreachable.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import ipaddress
import logging
import sqlite3
import time
import weakref
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.migrate import head_revision
from reminder.errors import StorageError
from reminder.web.admin.common import request_now
from reminder.web.metrics import CONTENT_TYPE, collect, down, render

__all__ = [
    "router",
    "Health",
    "scheduler_state",
    "check_database",
    "database_health",
    "HEALTH_TTL",
    "check_writable",
    "stored_revision",
    "code_head",
]

log = logging.getLogger(__name__)

router = APIRouter(tags=["ops"])


class DatabaseHealth(BaseModel):
    #: SELECT 1 succeeded
    ok: bool
    #: "sqlite" or "postgresql"
    backend: str
    #: the schema revision the database is at, and the one this code needs
    revision: str | None = None
    head: str | None = None
    schema_ok: bool = False
    #: a write transaction could start at once (SQLite: no other writer holds the lock; PostgreSQL: not
    #: read-only or a standby). /healthz said ok while writes failed after 5 s (issue 16, item 15).
    writable: bool = False
    #: why not, without secrets
    error: str | None = None


class SchedulerHealth(BaseModel):
    running: bool
    #: "running", "paused", "stopped" or "not started"
    state: str


class Health(BaseModel):
    #: "ok" when the database is reachable, writable and at the head revision, else "unavailable"
    status: str
    database: DatabaseHealth
    scheduler: SchedulerHealth


def scheduler_state(scheduler: Any) -> SchedulerHealth:
    """The state of ``app.state.scheduler``: None, an APScheduler 3 scheduler, or a wrapper of one
    (``reminder.scheduler.Worker``, whose ``.scheduler`` is the APScheduler instance)."""
    if scheduler is None:
        return SchedulerHealth(running=False, state="not started")
    inner = getattr(scheduler, "scheduler", scheduler)
    state = getattr(inner, "state", None)  # APScheduler 3: 0 stopped, 1 running, 2 paused
    names = {0: "stopped", 1: "running", 2: "paused"}
    name = (
        names[state] if state in names else ("running" if getattr(scheduler, "running", False) else "stopped")
    )
    return SchedulerHealth(running=name == "running", state=name)


def _reason(exc: BaseException) -> str:
    """A short reason that names no host, user or password."""
    kind = type(getattr(exc, "orig", None) or exc).__name__
    return f"数据库不可用 / database unavailable ({kind})"


#: how long the write probe waits for SQLite's write lock, milliseconds (a health check must answer fast)
WRITE_PROBE_MS = 500


class NotWritable(Exception):
    """The database answers reads but would refuse or stall writes."""


def _probe_sqlite(engine: Engine) -> None:
    """BEGIN IMMEDIATE then ROLLBACK: takes SQLite's write lock if free, writes nothing."""
    raw = engine.raw_connection()
    try:
        db: Any = raw.driver_connection
        previous = int(db.execute("PRAGMA busy_timeout").fetchone()[0])
        db.execute(f"PRAGMA busy_timeout = {WRITE_PROBE_MS}")
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        finally:
            db.execute(f"PRAGMA busy_timeout = {previous}")
    finally:
        raw.close()


def _probe_postgres(engine: Engine) -> None:
    """A standby or a read-only default transaction cannot take writes."""
    with engine.connect() as conn:
        standby, read_only = conn.execute(
            sa.text("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
        ).one()
    if standby or read_only == "on":
        raise NotWritable("read-only")


def check_writable(engine: Engine) -> None:
    """Raise when the database would not take a write now (cheap: nothing is written).

    Raises:
        NotWritable, sqlalchemy.exc.SQLAlchemyError, sqlite3.Error: it would not.
    """
    if engine.dialect.name == "sqlite":
        _probe_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _probe_postgres(engine)


#: Alembic's own table; read with one plain query (MigrationContext built its table objects on every call)
_STORED_REVISION = sa.text("SELECT version_num FROM alembic_version")


def stored_revision(conn: sa.Connection) -> str | None:
    """The schema revision the database is at (None: no schema yet)."""
    try:
        rows = [str(r) for r in conn.execute(_STORED_REVISION).scalars()]
    except sa.exc.DBAPIError:  # no alembic_version table: an empty database
        conn.rollback()
        return None
    return ",".join(sorted(rows)) or None


@functools.cache
def code_head() -> str:
    """The schema revision this code needs, read from the migration scripts once per process (building
    Alembic's script directory took 4–12 ms of every /healthz call; the scripts do not change while
    the process runs)."""
    return head_revision()


def check_database(engine: Engine) -> DatabaseHealth:
    """SELECT 1, compare the schema revision with the code's head, then probe that writes would go through."""
    health = DatabaseHealth(ok=False, backend=engine.dialect.name)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            health.ok = True
            health.revision = stored_revision(conn)
        health.head = code_head()
    except (sa.exc.SQLAlchemyError, StorageError, OSError) as exc:
        log.warning("health check: database %s", _reason(exc))
        health.error = health.error or _reason(exc)
        return health
    health.schema_ok = health.revision == health.head
    if not health.schema_ok:
        health.error = "数据库结构不是最新 / schema not at head: run `reminder db upgrade`"
    try:
        check_writable(engine)
        health.writable = True
    except (NotWritable, sa.exc.SQLAlchemyError, sqlite3.Error, OSError) as exc:
        log.warning("health check: database not writable (%s)", type(exc).__name__)
        health.error = (
            health.error or f"数据库暂时不能写入 / database not accepting writes ({type(exc).__name__})"
        )
    return health


#: seconds one database check answers /healthz for: a burst of probes (or many balancers polling) costs
#: one check, and an answer is never older than this
HEALTH_TTL = 1.0


async def database_health(app: Any) -> DatabaseHealth:
    """:func:`check_database` of the app's engine, run in a worker thread at most once per ``HEALTH_TTL``
    (concurrent requests wait for the one check in flight)."""
    loop = asyncio.get_running_loop()
    locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] | None = getattr(
        app.state, "health_locks", None
    )
    if locks is None:
        locks = app.state.health_locks = weakref.WeakKeyDictionary()
    lock = locks.get(loop)
    if lock is None:  # no await since the lookup: no other task can slip in on this loop
        lock = locks[loop] = asyncio.Lock()
    async with lock:
        checked: tuple[float, DatabaseHealth] | None = getattr(app.state, "health", None)
        if checked is None or time.monotonic() - checked[0] >= HEALTH_TTL:
            checked = (time.monotonic(), await run_in_threadpool(check_database, app.state.engine))
            app.state.health = checked
        return checked[1].model_copy()


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz(request: Request) -> JSONResponse:
    """Liveness and readiness: 200 when the database answers, takes writes and its schema is current, else 503.

    The database part is at most ``HEALTH_TTL`` seconds old; the scheduler's state is read each time.
    """
    database = await database_health(request.app)
    scheduler = scheduler_state(getattr(request.app.state, "scheduler", None))
    ok = database.ok and database.schema_ok and database.writable
    body = Health(status="ok" if ok else "unavailable", database=database, scheduler=scheduler)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


def metrics_allowed(request: Request) -> bool:
    """Whether this client may read /metrics: an allowed address or network, or the metrics token."""
    settings = request.app.state.settings
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in settings.metrics_allow_ips  # a name (a test client, a unix socket peer)
    for entry in settings.metrics_allow_ips:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


@router.get(
    "/metrics", response_class=PlainTextResponse,
    responses={403: {"description": "not an allowed address, no metrics token"}, 503: {"description": "database unavailable"}},
)  # fmt: skip
def metrics(request: Request) -> PlainTextResponse:
    """Counts in Prometheus text format: notices, companies, matches, reminders, deliveries, latency.

    Only for the addresses in ``metrics_allow_ips`` (loopback by default) or with the metrics token.
    """
    if not metrics_allowed(request):
        text = "无权读取监控指标（需在允许的地址访问或提供监控令牌）/ metrics: address not allowed and no metrics token\n"
        return PlainTextResponse(text, status_code=403)
    running = scheduler_state(getattr(request.app.state, "scheduler", None)).running
    try:
        with Session(request.app.state.engine) as session:
            text = render(collect(session, scheduler_running=running, now=request_now(request)))
    except sa.exc.SQLAlchemyError as exc:
        log.warning("metrics: %s", _reason(exc))
        return PlainTextResponse(
            render(down(scheduler_running=running)), status_code=503, media_type=CONTENT_TYPE
        )
    return PlainTextResponse(text, media_type=CONTENT_TYPE)
