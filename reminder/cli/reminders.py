"""Reminder commands: ``reminder dispatch`` and ``reminder reminders list|requeue`` (``worker``: serve.py).

Errors print ``Error: …`` without a traceback and exit with the error's code (a second SQLite
dispatcher: 3). Heavy imports happen inside the commands.
"""

from __future__ import annotations

import threading
from typing import Annotated

import typer
from rich.console import Console

from reminder.cli._common import database, stopping

__all__ = ["register"]

out = Console(soft_wrap=True)
err = Console(stderr=True)

STATUSES = ("pending", "sent", "dead", "cancelled")


def _say(text: str) -> None:
    out.print(text, markup=False, highlight=False)


def dispatch_cmd(
    once: Annotated[
        bool, typer.Option("--once/--loop", help="send what is due now and exit, or keep sending")
    ] = True,
    name: Annotated[str | None, typer.Option(help="worker name (default host:pid)")] = None,
) -> None:
    """Send the reminders that are due (without digests or the sweep): once, or every dispatch_interval."""
    from reminder.config import get_settings
    from reminder.notify.dispatcher import DispatchStats, dispatch_due
    from reminder.notify.outbox import release_lease
    from reminder.scheduler import default_worker_name

    settings = get_settings()
    worker = name or default_worker_name()
    stop = threading.Event()
    total = DispatchStats()
    with database(err) as engine, stopping(stop):
        try:
            while True:
                total += dispatch_due(engine=engine, settings=settings, worker=worker)
                if once or stop.wait(settings.dispatch_interval):
                    break
        finally:
            release_lease(engine=engine, worker=worker)
    _say(
        f"已处理 / claimed {total.claimed}: 已发送 / sent {total.sent}, 待重试 / retrying {total.retrying}, "
        f"失败 / dead {total.dead}, 限流 / throttled {total.throttled}"
    )


def list_cmd(
    status: Annotated[str | None, typer.Option(help=f"only this status: {', '.join(STATUSES)}")] = None,
    company: Annotated[int | None, typer.Option(help="only this company id")] = None,
    limit: Annotated[int, typer.Option(help="at most this many rows")] = 50,
) -> None:
    """List reminders, latest due first, one tab-separated line each (``--status dead``: the ones that gave up)."""
    from reminder.db.engine import session_scope
    from reminder.notify.outbox import list_reminders

    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"状态应为 / status must be one of {', '.join(STATUSES)}, got {status!r}")
    with database(err) as engine, session_scope(engine) as session:
        rows = list_reminders(session=session, status=status, company_id=company, limit=limit)
    if not rows:
        _say("没有提醒 / no reminders")
        return
    typer.echo("id\tstatus\tpurpose\tcompany\tchannel\tdue\tattempts\terror / reason")
    for r in rows:
        due = r.due_at.astimezone().strftime("%Y-%m-%d %H:%M")
        reason = " ".join((r.last_error or r.cancelled_reason or "").split())[:200]
        typer.echo(
            f"{r.id}\t{r.status}\t{r.purpose}\t{r.company_id}\t{r.channel_id}\t{due}\t{r.attempts}\t{reason}"
        )


def requeue_cmd(reminder_id: Annotated[int, typer.Argument(help="the dead reminder's id")]) -> None:
    """Give a dead reminder a fresh set of attempts, due now."""
    from reminder.db.engine import session_scope
    from reminder.db.models import utcnow
    from reminder.notify.outbox import requeue

    with database(err) as engine, session_scope(engine) as session:
        requeue(session=session, reminder_id=reminder_id, now=utcnow())
    _say(f"提醒 {reminder_id} 已重新排队 / reminder {reminder_id} re-queued")


def register(app: typer.Typer) -> None:
    """Add ``dispatch`` and ``reminders list|requeue`` to the ``reminder`` app."""
    app.command("dispatch")(dispatch_cmd)
    reminders = typer.Typer(help="提醒发件箱 / the reminder outbox.", no_args_is_help=True)
    reminders.command("list")(list_cmd)
    reminders.command("requeue")(requeue_cmd)
    app.add_typer(reminders, name="reminders")
