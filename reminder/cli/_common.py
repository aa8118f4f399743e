"""What several command groups share: the configured database with errors as ``Error: …``, and stop signals."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from reminder.errors import ReminderError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["database", "stopping"]


@contextmanager
def database(err: Console, *, check: bool = True) -> Iterator[Engine]:
    """The configured engine (at the head schema when ``check``); ReminderErrors become ``Error: …``.

    Args:
        err: where the error is printed (the command group's stderr console).
        check: refuse an out-of-date schema (every command but ``db upgrade|current``).
    """
    from reminder.db.engine import make_engine
    from reminder.db.migrate import check_schema

    try:
        engine = make_engine()
        try:
            if check:
                check_schema(engine)
            yield engine
        finally:
            engine.dispose()
    except ReminderError as exc:
        err.print(f"[red]Error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(code=exc.exit_code) from None


@contextmanager
def stopping(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and Ctrl-C set ``stop`` instead of killing the process (previous handlers restored after)."""

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
