"""Long-running processes: ``reminder serve`` (web app and scheduler) and ``reminder worker`` (scheduler only).

    serve ──── check_schema (else: run `reminder db upgrade`) ── create_app
           └── uvicorn; the app's lifespan starts the scheduler and stops it on SIGTERM / Ctrl-C
               (not with ``--no-scheduler`` / REMINDER_SCHEDULER=off: ``reminder worker`` processes run it)
    serve --workers N (N > 1) ── check_schema ── uvicorn's supervisor binds the port and spawns N processes;
           each builds the same app in ``worker_app`` from the settings and the options in WORKER_OPTIONS_ENV;
           SIGTERM / Ctrl-C to the supervisor stops them all (a worker whose supervisor vanished stops itself)
    worker ─── check_schema ── the scheduler alone (``reminder.scheduler``) until SIGTERM / Ctrl-C

Access logs pass through :class:`reminder.web.redact.RedactTokens`, so the ``?token=`` of a management link or a
calendar subscription never reaches a log.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from reminder.cli._common import database, stopping
from reminder.errors import DispatcherBusy, ReminderError
from reminder.notify.clock import DemoInstant

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.engine import Engine

    from reminder.config import Settings

__all__ = [
    "register",
    "production_problems",
    "uvicorn_log_config",
    "serve_app",
    "worker_app",
    "WORKER_OPTIONS_ENV",
    "as_of_clock",
    "parse_day",
    "with_dev_admin_token",
    "say",
    "fail",
]

log = logging.getLogger(__name__)

out = Console(soft_wrap=True)
err = Console(stderr=True)


def say(text: str) -> None:
    out.print(text, markup=False, highlight=False)


def fail(exc: ReminderError) -> typer.Exit:
    err.print(f"Error: {exc}", markup=False, highlight=False)
    return typer.Exit(code=exc.exit_code)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's logging config with ``reminder.web.redact.RedactTokens`` on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": "reminder.web.redact.RedactTokens"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_tokens")
    return config


def as_of_clock(day: dt.date, tz: str = "Asia/Shanghai") -> Callable[[], dt.datetime]:
    """A clock showing ``day`` at the current local time of day (for ``--as-of`` demos)."""
    zone = ZoneInfo(tz)

    def clock() -> dt.datetime:  # a DemoInstant: reminder planning swaps it for the real time
        return DemoInstant.combine(day, dt.datetime.now(zone).timetz())

    return clock


def serve_app(
    *, engine: Engine, settings: Settings, as_of: dt.date | None = None, scheduler: bool = True
) -> FastAPI:
    """The app whose lifespan runs the scheduler (``app.state.scheduler``, seen by /healthz).

    Args:
        engine: the database.
        settings: the settings.
        as_of: show the enterprise pages and API as on this day (demo of past sample notices); the
            scheduler keeps the real clock, so nothing is sent for that day.
        scheduler: run the scheduler in this process (False: ``reminder worker`` processes run it;
            test sends still go out at once through the app's own test-send lane).
    """
    from reminder.web.app import create_app

    state: dict[str, Any] = {"as_of": as_of}
    if as_of is not None:
        state["clock"] = as_of_clock(as_of, settings.timezone)
    app = create_app(settings, engine=engine, **state)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from reminder.scheduler import start_scheduler

        try:
            if scheduler:
                app.state.scheduler = start_scheduler(engine=engine, settings=settings)
        except ReminderError as exc:  # e.g. another dispatcher holds the SQLite lease: pages still work
            log.error("scheduler not started: %s", exc)
        try:
            yield
        finally:
            worker = app.state.scheduler
            if worker is not None:
                worker.shutdown()
                log.warning("scheduler stopped")

    app.router.lifespan_context = lifespan
    return app


def parse_day(text: str | None) -> dt.date | None:
    """A ``--as-of`` value as a date (None when not given), or a usage error."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD, got {text!r}") from None


def with_dev_admin_token(settings: Settings, dev: bool) -> Settings:
    """With ``--dev`` and no REMINDER_ADMIN_TOKEN: the settings with the development admin token."""
    if settings.admin_token is not None or not dev:
        return settings
    from pydantic import SecretStr

    from reminder.web.demo import dev_admin_token

    return settings.model_copy(update={"admin_token": SecretStr(dev_admin_token(settings))})


def production_problems(settings: Settings) -> list[str]:
    """Why these settings are unfit to serve outside ``--dev`` (empty when fit): issue 16, item 1."""
    from reminder.config import MIN_SECRET_LENGTH

    problems = []
    key = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if len(key) < MIN_SECRET_LENGTH:
        problems.append(
            f"REMINDER_SECRET_KEY 未设置或少于 {MIN_SECRET_LENGTH} 个字符 / "
            f"REMINDER_SECRET_KEY missing or shorter than {MIN_SECRET_LENGTH} characters"
        )
    if not (settings.data_key and settings.data_key.get_secret_value().strip()):  # else a file-kept dev key
        problems.append(
            "REMINDER_DATA_KEY 未设置：渠道地址与密钥需用它加密保存 / "
            "REMINDER_DATA_KEY missing: channel addresses and secrets are encrypted with it"
        )
    token = settings.admin_token.get_secret_value() if settings.admin_token else None
    if token is not None and len(token) < MIN_SECRET_LENGTH:
        problems.append(
            f"REMINDER_ADMIN_TOKEN 少于 {MIN_SECRET_LENGTH} 个字符 / "
            f"REMINDER_ADMIN_TOKEN shorter than {MIN_SECRET_LENGTH} characters"
        )
    return problems


#: what ``serve --workers N`` passes to its worker processes (JSON: dev, as_of, scheduler, supervisor pid):
#: inherited with the environment, so no secret goes on a command line; settings come from the environment too
WORKER_OPTIONS_ENV = "_REMINDER_SERVE_WORKER"


def worker_app() -> FastAPI:
    """The app of one ``serve --workers N`` process (uvicorn's factory): the app ``serve`` builds for one
    process, from the same settings (the ``--dev`` admin token is the one kept in the data directory) and
    options, with the scheduler started as :class:`_SchedulerStandby` says.

    Raises:
        ReminderError: not started by ``reminder serve --workers N``.
    """
    from reminder.config import get_settings
    from reminder.db.engine import make_engine

    try:
        options = json.loads(os.environ[WORKER_OPTIONS_ENV])
    except (KeyError, ValueError):
        raise ReminderError(
            f"{WORKER_OPTIONS_ENV} 未设置：工作进程由 reminder serve --workers N 启动 / "
            f"{WORKER_OPTIONS_ENV} missing: worker processes are started by `reminder serve --workers N`"
        ) from None
    settings = with_dev_admin_token(get_settings(), bool(options["dev"]))
    engine = make_engine(settings.sqlalchemy_url)
    day = parse_day(options["as_of"])
    app = serve_app(engine=engine, settings=settings, as_of=day, scheduler=False)
    served = app.router.lifespan_context  # stops app.state.scheduler, whoever started it

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with served(app):
            standby = _SchedulerStandby(app, engine, settings) if options["scheduler"] else None
            try:
                yield
            finally:
                if standby is not None:
                    standby.stop()  # before ``served`` stops the scheduler it may just have started
        engine.dispose()

    app.router.lifespan_context = lifespan
    _exit_with_supervisor(int(options["supervisor"]))
    _tune_gc()
    return app


class _SchedulerStandby:
    """Starts the scheduler in a worker process; on SQLite, where one dispatcher holds the lease, the
    workers that lost the race try again every dispatch interval, so one takes over when the holder
    stops or dies (uvicorn restarts a dead worker, but its lease outlives it until it expires)."""

    def __init__(self, app: FastAPI, engine: Engine, settings: Settings) -> None:
        self.app, self.engine, self.settings = app, engine, settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            self._start()
        except DispatcherBusy as exc:
            log.warning("scheduler standing by, another worker process sends reminders: %s", exc)
            self._thread = threading.Thread(target=self._retry, name="scheduler-standby", daemon=True)
            self._thread.start()
        except ReminderError as exc:
            log.error("scheduler not started: %s", exc)

    def _start(self) -> None:
        from reminder.scheduler import start_scheduler

        self.app.state.scheduler = start_scheduler(engine=self.engine, settings=self.settings)

    def _retry(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        while not self._stop.wait(self.settings.dispatch_interval):
            try:
                self._start()
            except DispatcherBusy:
                continue
            except SQLAlchemyError as exc:  # e.g. the database locked for longer than its timeout: try again
                log.warning("scheduler standby: %s", type(exc).__name__)
                continue
            except ReminderError as exc:
                log.error("scheduler not started: %s", exc)
                return
            log.warning("scheduler started: the dispatcher lease was free")
            return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def _exit_with_supervisor(supervisor: int) -> None:
    """SIGTERM this worker once its supervisor is gone (killed with SIGKILL, say), rather than keep
    serving the port as an orphan nobody stops."""

    def watch() -> None:
        while os.getppid() == supervisor:
            time.sleep(1.0)
        log.warning("supervisor %s is gone: stopping", supervisor)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def serve_cmd(
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default REMINDER_HOST, 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="port (default REMINDER_PORT, 8000)")] = None,
    dev: Annotated[
        bool,
        typer.Option("--dev", help="without REMINDER_ADMIN_TOKEN, use a development admin token (printed)"),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="demo: show enterprise pages as on this day (YYYY-MM-DD), e.g. to browse the past sample notices; "
            "reminders keep the real clock",
        ),
    ] = None,
    scheduler: Annotated[
        bool | None,
        typer.Option(
            "--scheduler/--no-scheduler",
            help="run the reminder scheduler in this process (default REMINDER_SCHEDULER, on); "
            "--no-scheduler when `reminder worker` processes run it",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="processes serving the port, one per core (default REMINDER_WEB_WORKERS, 1); "
            "caches are per process; on SQLite one of them sends reminders",
        ),
    ] = None,
) -> None:
    """Start the web service and the reminder scheduler (stop with Ctrl-C or SIGTERM)."""
    import uvicorn

    from reminder.config import get_settings
    from reminder.db.engine import make_engine, safe_url
    from reminder.db.migrate import check_schema

    day = parse_day(as_of)
    processes = _worker_count(workers, get_settings().web_workers)
    if not dev and (problems := production_problems(get_settings())):
        raise fail(ReminderError("；".join(problems) + "（开发环境请加 --dev / use --dev for development）"))
    settings = with_dev_admin_token(get_settings(), dev)
    try:
        engine = make_engine(settings.sqlalchemy_url)
        check_schema(engine)
    except ReminderError as exc:
        raise fail(exc) from None
    host, port = host or settings.host, port or settings.port
    say(f"申报提醒 / reminder: http://{host}:{port}/  (database {safe_url(engine.url)})")
    if settings.admin_token is None:
        say("管理后台已关闭：未设置 REMINDER_ADMIN_TOKEN / admin pages disabled: set REMINDER_ADMIN_TOKEN")
    elif dev and not get_settings().admin_token:
        say(f"开发用管理员令牌 / development admin token: {settings.admin_token.get_secret_value()}")
    if day is not None:
        say(
            f"演示模式：企业页面按 {day} 显示 / demo: enterprise pages show {day} (reminders use the real clock)"
        )
    run_scheduler = settings.scheduler if scheduler is None else scheduler
    if not run_scheduler:
        say("调度由 reminder worker 进程运行 / scheduler off: run `reminder worker` processes")
    if processes > 1:
        sqlite = engine.dialect.name == "sqlite"
        engine.dispose()  # each worker process opens its own
        say(
            f"{processes} 个工作进程共用端口 {port} / {processes} worker processes serve port {port}"
            + (
                "（SQLite：只有一个进程发送提醒 / SQLite: one of them sends reminders）"
                if sqlite and run_scheduler
                else ""
            )
        )
        _run_workers(host=host, port=port, workers=processes, dev=dev, as_of=day, scheduler=run_scheduler)
        say("已停止 / stopped")
        return
    app = serve_app(engine=engine, settings=settings, as_of=day, scheduler=run_scheduler)
    loop, http = _fast_io()
    config = uvicorn.Config(
        app, host=host, port=port, log_config=uvicorn_log_config(), proxy_headers=False, loop=loop, http=http
    )
    server = uvicorn.Server(config)
    _tune_gc()
    try:
        with _stop_signals_handled(server):
            server.run()
    finally:
        engine.dispose()
    say("已停止 / stopped")


def _worker_count(option: int | None, setting: int) -> int:
    """``--workers``, else REMINDER_WEB_WORKERS; a usage error below 1."""
    count = setting if option is None else option
    if count < 1:
        source = "--workers" if option is not None else "REMINDER_WEB_WORKERS"
        raise typer.BadParameter(
            f"工作进程数至少为 1 / {source} must be at least 1, got {count}", param_hint="--workers"
        )
    return count


def _run_workers(
    *, host: str, port: int, workers: int, dev: bool, as_of: dt.date | None, scheduler: bool
) -> None:
    """uvicorn's own supervisor (what ``uvicorn --workers N`` runs): it binds the port once, spawns
    ``workers`` processes building :func:`worker_app`, replaces any that dies, and on SIGTERM / Ctrl-C
    stops them all gracefully before returning."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options = {
        "dev": dev,
        "as_of": as_of and as_of.isoformat(),
        "scheduler": scheduler,
        "supervisor": os.getpid(),
    }
    os.environ[WORKER_OPTIONS_ENV] = json.dumps(options)  # spawned processes inherit the environment
    loop, http = _fast_io()
    config = uvicorn.Config(
        "reminder.cli.serve:worker_app", factory=True, workers=workers, host=host, port=port,
        log_config=uvicorn_log_config(), proxy_headers=False, loop=loop, http=http,
    )  # fmt: skip
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


def _fast_io() -> tuple[Literal["uvloop", "asyncio"], Literal["httptools", "h11"]]:
    """uvloop and httptools when installed (dependencies on Linux and macOS), else asyncio and h11: the
    same as uvicorn's "auto", said here so a missing package is a known choice, not a surprise."""
    import importlib.util

    fast = all(importlib.util.find_spec(name) is not None for name in ("uvloop", "httptools"))
    return ("uvloop", "httptools") if fast else ("asyncio", "h11")


def _tune_gc() -> None:
    """Move what start-up built (tables, templates, the app) out of the collector's view and collect
    young objects less often: a request makes many short-lived objects and few cycles, and the
    default thresholds made collection 30–40 % of a page's CPU under load (issue 15)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@contextmanager
def _stop_signals_handled(server: Any) -> Iterator[None]:
    """SIGTERM / Ctrl-C end the process normally (exit 0) once uvicorn has shut down gracefully.

    uvicorn stops on the signal, then raises it again for the handler installed before it; ours
    accepts it then, and exits at once only when the server had not started yet.
    """

    def handle(signum: int, frame: Any) -> None:
        if not server.started:
            raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def worker_cmd(
    name: Annotated[
        str | None, typer.Option(help="worker name (default host:pid); reuse it to take over at once")
    ] = None,
) -> None:
    """Run the dispatcher and the digest jobs in the foreground until SIGTERM or Ctrl-C."""
    from reminder.config import get_settings
    from reminder.scheduler import start_scheduler

    settings = get_settings()
    stop = threading.Event()
    with database(err) as engine:
        worker = start_scheduler(engine=engine, settings=settings, name=name)
        say(
            f"发送进程已启动 / worker {worker.name} started (every {settings.dispatch_interval}s); Ctrl-C to stop"
        )
        try:
            with stopping(stop):
                stop.wait()
        finally:
            worker.shutdown(wait=True)
        say(f"发送进程已停止 / worker {worker.name} stopped")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``worker`` to the ``reminder`` app."""
    app.command("serve")(serve_cmd)
    app.command("worker")(worker_cmd)
