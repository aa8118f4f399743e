"""What ``reminder company …`` and ``reminder match`` share: a session, ``--now``, finding a company.

Errors print ``Error: …`` and exit non-zero, without a traceback. ``--now`` replays a moment (ISO date
or datetime, Asia/Shanghai when no zone is given).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlmodel import Session

from reminder.errors import ProfileError, ReminderError

__all__ = ["Failed", "NowOption", "changed", "err", "find", "now_of", "open_session", "out", "summary"]

out = Console(soft_wrap=True)
err = Console(stderr=True)

NowOption = Annotated[
    str | None,
    typer.Option("--now", help="reference time, ISO date or datetime (default: now); for replays and tests"),
]


class Failed(Exception):
    """A command failed with a message for the user (and this exit code)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _error(message: str) -> None:
    err.print(f"[red]Error:[/] {escape(message)}", highlight=False)


def now_of(value: str | None) -> dt.datetime:
    """The ``--now`` value as an aware datetime (default: now)."""
    from reminder.calendar import TZ
    from reminder.db.models import utcnow

    if value is None:
        return utcnow()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Failed(
            f"--now：无法识别时间“{value}”（应如 2025-03-01 或 2025-03-01T09:00）/ bad --now {value!r}", 2
        ) from None
    return parsed.replace(tzinfo=TZ) if parsed.tzinfo is None else parsed


@contextmanager
def open_session() -> Iterator[Session]:
    """A committed-at-the-end session on the configured, up-to-date database; errors become ``Error: …``."""
    from reminder.db.engine import make_engine, session_scope
    from reminder.db.migrate import check_schema

    try:
        engine = make_engine()
        try:
            check_schema(engine)
            with session_scope(engine) as s:
                yield s
        finally:
            engine.dispose()
    except ProfileError as exc:
        _error("；".join(exc.errors.values()) or str(exc))
        raise typer.Exit(code=exc.exit_code) from None
    except ReminderError as exc:
        _error(str(exc))
        raise typer.Exit(code=exc.exit_code) from None
    except Failed as exc:
        _error(str(exc))
        raise typer.Exit(code=exc.exit_code) from None


def find(s: Session, ref: str) -> Any:
    """The company with this id, credit code or name, or ``Failed``."""
    from reminder.companies.profiles import find_company

    company = find_company(session=s, ref=ref)
    if company is None:
        raise Failed(
            f"没有找到企业“{ref}”（可用编号、统一社会信用代码或企业名称，`reminder company list` 列出全部）"
            f" / no company with id, credit code or name {ref!r}"
        )
    return company


def summary(s: Session, company_id: int, now: dt.datetime) -> str:
    """One line: how many open notices the company may apply to."""
    from reminder.matching import company_matches

    views = company_matches(session=s, company_id=company_id, now=now)
    eligible = sum(v.status == "eligible" for v in views)
    possible = sum(v.status == "possibly_eligible" for v in views)
    return f"正在申报的通知 {len(views)} 项：符合 {eligible} 项，可能符合 {possible} 项"


def changed(s: Session, company_id: int, now: dt.datetime) -> None:
    """Match the company again and replan its reminders (``workflow.company_changed``)."""
    from reminder.workflow import company_changed

    company_changed(session=s, company_id=company_id, now=now)
