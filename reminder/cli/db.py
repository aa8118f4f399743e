"""``reminder db upgrade|current|revision|recount``: the database schema (Alembic migrations), and repairs.

Heavy imports (SQLAlchemy, Alembic) happen inside the commands. Only these commands work on an
out-of-date schema; errors print ``Error: …`` without a traceback.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from reminder.cli._common import database
from reminder.errors import ReminderError

__all__ = ["register"]

out = Console(soft_wrap=True)
err = Console(stderr=True)


def _say(text: str) -> None:
    """Print plain text: paths, URLs and reasons may hold [brackets] that are not markup."""
    out.print(text, markup=False, highlight=False)


def upgrade_cmd(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from reminder.db.engine import safe_url
    from reminder.db.migrate import current_revision, upgrade

    with database(err, check=False) as engine:
        before = current_revision(engine)
        after = upgrade(engine, revision)
        if before == after:
            _say(f"数据库已是最新 / database already at {after}: {safe_url(engine.url)}")
        else:
            _say(f"数据库已升级 / database upgraded {before or '(empty)'} → {after}: {safe_url(engine.url)}")


def current_cmd() -> None:
    """Show the schema revision of the database and the one this version of reminder needs."""
    from reminder.db.engine import safe_url
    from reminder.db.migrate import current_revision, head_revision

    with database(err, check=False) as engine:
        current, head = current_revision(engine), head_revision()
        state = "最新 / up to date" if current == head else "需要升级 / run `reminder db upgrade`"
        _say(f"{safe_url(engine.url)}\ncurrent: {current or '(empty)'}\nhead:    {head}\n{state}")


def revision_cmd(
    message: Annotated[str, typer.Option("--message", "-m", help="what the schema change does")],
) -> None:
    """For developers: write the next migration from the difference between models and schema."""
    from reminder.db.migrate import make_revision

    try:
        path = make_revision(message)
    except ReminderError as exc:
        err.print(f"[red]Error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(code=exc.exit_code) from None
    _say(f"新迁移 / new revision: {path} (review it before committing)")


def recount_cmd() -> None:
    """Count every company's eligible and possibly eligible matches again (the ``match_counts`` table the
    dashboard and /metrics read; matching keeps it in step, this repairs it after a manual change)."""
    from sqlmodel import Session

    from reminder.db.match_counts import rebuild_counts

    with database(err) as engine, Session(engine) as session:
        companies = rebuild_counts(session)
        session.commit()
    _say(f"已重新统计匹配数 / match counts rebuilt: {companies} companies with matches")


def register(app: typer.Typer) -> None:
    """Add ``db upgrade``, ``db current``, ``db revision`` and ``db recount`` to the ``reminder`` app."""
    db_app = typer.Typer(help="数据库结构 / database schema (Alembic migrations).", no_args_is_help=True)
    db_app.command("upgrade")(upgrade_cmd)
    db_app.command("current")(current_cmd)
    db_app.command("revision")(revision_cmd)
    db_app.command("recount")(recount_cmd)
    app.add_typer(db_app, name="db")
