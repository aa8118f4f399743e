"""Storage commands: ``reminder db upgrade|current|revision`` and ``reminder ingest``.

Heavy imports (SQLAlchemy, Alembic, the extractor) happen inside the commands, so ``reminder --help``
stays fast.

Commands that read or write data refuse an out-of-date schema (``check_schema``); only
``db upgrade`` works on one. Errors print ``Error: …`` without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine

from reminder.errors import ReminderError

if TYPE_CHECKING:
    from reminder.db.ingest import IngestSummary, ProgressCallback

__all__ = ["register"]

log = logging.getLogger(__name__)

out = Console(soft_wrap=True)
err = Console(stderr=True)


def _say(text: str) -> None:
    """Print plain text: paths, URLs and reasons may hold [brackets] that are not markup."""
    out.print(text, markup=False, highlight=False)


def _error(exc: ReminderError) -> None:
    err.print(f"[red]Error:[/] {escape(str(exc))}", highlight=False)


@contextmanager
def _engine() -> Iterator[Engine]:
    """The configured engine; ReminderErrors become ``Error: …`` and the error's exit code."""
    from reminder.db.engine import make_engine

    try:
        engine = make_engine()
        try:
            yield engine
        finally:
            engine.dispose()
    except ReminderError as exc:
        _error(exc)
        raise typer.Exit(code=exc.exit_code) from None


def upgrade_cmd(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from reminder.db.engine import safe_url
    from reminder.db.migrate import current_revision, upgrade

    with _engine() as engine:
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

    with _engine() as engine:
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
        _error(exc)
        raise typer.Exit(code=exc.exit_code) from None
    _say(f"新迁移 / new revision: {path} (review it before committing)")


def _summary_table(summary: IngestSummary) -> Table:
    table = Table("", "", title="导入结果 / ingest summary", show_header=False)
    table.add_row("文档 / documents", str(summary.documents))
    table.add_row("通知 / notices", str(summary.notices))
    table.add_row("截止日期 / deadlines", str(summary.deadlines))
    table.add_row("重复 / duplicates", str(summary.duplicates))
    table.add_row("截止日期变更 / deadline changes", str(summary.changes))
    table.add_row("跳过（无申报通知）/ skipped (no application call)", str(len(summary.skipped)))
    table.add_row("失败 / failures", str(len(summary.failures)), style="red" if summary.failures else None)
    return table


def _failure_table(failures: tuple[tuple[str, str], ...], title: str = "失败 / failures", style: str = "red") -> Table:
    table = Table(title=title, header_style=style)
    # fold, not ellipsis: a user needs the whole path and reason (Chinese has no spaces to wrap at)
    table.add_column("来源 / source", overflow="fold")
    table.add_column("原因 / reason", overflow="fold")
    for source, reason in failures:
        table.add_row(Text(source), Text(reason))
    return table


@contextmanager
def _progress(show: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr (cleared when done) fed by ingest's callback, or nothing."""
    if not show:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("导入 / ingesting", total=None)

        def advance(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=Path(source).name)

        yield advance


def ingest_cmd(
    sources: Annotated[list[str], typer.Argument(help="files (txt/pdf/html/docx), directories or http(s) URLs")],
    draft: Annotated[bool, typer.Option("--draft", help="store new notices as drafts for an operator to publish")] = False,
) -> None:
    """Extract documents and store their notices, deadlines and conditions."""
    from reminder.db.engine import session_scope
    from reminder.db.ingest import ingest_paths
    from reminder.db.migrate import check_schema

    walking = len(sources) > 1 or any(Path(s).is_dir() for s in sources)
    with _engine() as engine:
        check_schema(engine)
        with session_scope(engine) as session, _progress(walking) as progress:
            summary = ingest_paths(
                sources, session=session, progress=progress, status="draft" if draft else "published"
            )
    out.print(_summary_table(summary))
    if summary.skipped:
        out.print(_failure_table(summary.skipped, "跳过（无申报通知）/ skipped (no application call)", "dim"))
    if summary.failures:
        out.print(_failure_table(summary.failures))
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add ``db upgrade``, ``db current``, ``db revision`` and ``ingest`` to the ``reminder`` app."""
    db_app = typer.Typer(help="数据库结构 / database schema (Alembic migrations).", no_args_is_help=True)
    db_app.command("upgrade")(upgrade_cmd)
    db_app.command("current")(current_cmd)
    db_app.command("revision")(revision_cmd)
    app.add_typer(db_app, name="db")
    app.command("ingest")(ingest_cmd)
