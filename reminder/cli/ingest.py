"""``reminder ingest``: files, directories and URLs extracted and stored (``reminder.ingest``).

Refuses an out-of-date schema; a progress bar on stderr when several sources are walked; a summary
table, then the skipped and failed sources with their reasons (exit code 1 when any failed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from reminder.cli._common import database

if TYPE_CHECKING:
    from reminder.ingest import IngestSummary, ProgressCallback

__all__ = ["register"]

out = Console(soft_wrap=True)
err = Console(stderr=True)


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


def _failure_table(
    failures: tuple[tuple[str, str], ...], title: str = "失败 / failures", style: str = "red"
) -> Table:
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
    sources: Annotated[
        list[str], typer.Argument(help="files (txt/pdf/html/docx), directories or http(s) URLs")
    ],
    draft: Annotated[
        bool, typer.Option("--draft", help="store new notices as drafts for an operator to publish")
    ] = False,
) -> None:
    """Extract documents and store their notices, deadlines and conditions."""
    from reminder.db.engine import session_scope
    from reminder.ingest import ingest_paths

    walking = len(sources) > 1 or any(Path(s).is_dir() for s in sources)
    with database(err) as engine:
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
    """Add ``ingest`` to the ``reminder`` app."""
    app.command("ingest")(ingest_cmd)
