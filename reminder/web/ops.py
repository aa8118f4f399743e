"""Operations endpoints: ``/healthz`` for load balancers and ``/metrics`` for Prometheus.

Neither needs a token, so neither says more than a monitor needs: no URL, host or password, only
the database backend and a short reason when it is unreachable.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.migrate import current_revision, head_revision
from reminder.errors import StorageError
from reminder.web.admin.common import request_now
from reminder.web.metrics import CONTENT_TYPE, collect, down, render

__all__ = ["router", "Health", "scheduler_state", "check_database"]

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
    #: why not, without secrets
    error: str | None = None


class SchedulerHealth(BaseModel):
    running: bool
    #: "running", "paused", "stopped" or "not started"
    state: str


class Health(BaseModel):
    #: "ok" when the database is reachable and at the head revision, else "unavailable"
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
    name = names[state] if state in names else ("running" if getattr(scheduler, "running", False) else "stopped")
    return SchedulerHealth(running=name == "running", state=name)


def _reason(exc: BaseException) -> str:
    """A short reason that names no host, user or password."""
    kind = type(getattr(exc, "orig", None) or exc).__name__
    return f"数据库不可用 / database unavailable ({kind})"


def check_database(engine: Engine) -> DatabaseHealth:
    """SELECT 1, then compare the schema revision with the code's head."""
    health = DatabaseHealth(ok=False, backend=engine.dialect.name)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        health.ok = True
        health.revision, health.head = current_revision(engine), head_revision()
    except (sa.exc.SQLAlchemyError, StorageError, OSError) as exc:
        log.warning("health check: database %s", _reason(exc))
        health.error = health.error or _reason(exc)
        return health
    health.schema_ok = health.revision == health.head
    if not health.schema_ok:
        health.error = "数据库结构不是最新 / schema not at head: run `reminder db upgrade`"
    return health


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(request: Request) -> JSONResponse:
    """Liveness and readiness: 200 when the database answers and its schema is current, else 503."""
    database = check_database(request.app.state.engine)
    scheduler = scheduler_state(getattr(request.app.state, "scheduler", None))
    ok = database.ok and database.schema_ok
    body = Health(status="ok" if ok else "unavailable", database=database, scheduler=scheduler)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse, responses={503: {"description": "database unavailable"}})
def metrics(request: Request) -> PlainTextResponse:
    """Counts in Prometheus text format: notices, companies, matches, reminders, deliveries, latency."""
    running = scheduler_state(getattr(request.app.state, "scheduler", None)).running
    try:
        with Session(request.app.state.engine) as session:
            text = render(collect(session, scheduler_running=running, now=request_now(request)))
    except sa.exc.SQLAlchemyError as exc:
        log.warning("metrics: %s", _reason(exc))
        return PlainTextResponse(render(down(scheduler_running=running)), status_code=503, media_type=CONTENT_TYPE)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)
