"""``reminder demo-load``: upgrade, ingest the sample notices, register the sample companies, print the links."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reminder.cli.serve import as_of_clock, fail, parse_day, say, with_dev_admin_token
from reminder.errors import ReminderError

__all__ = ["register"]


def demo_load_cmd(
    dev: Annotated[
        bool,
        typer.Option("--dev", help="without REMINDER_ADMIN_TOKEN, print the development admin token's link"),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="match the sample companies as on this day (YYYY-MM-DD), as `serve --as-of` shows"
        ),
    ] = None,
) -> None:
    """Load the sample notices and sample companies (idempotent) and print the links to open."""
    from reminder.config import get_settings
    from reminder.db.engine import make_engine
    from reminder.web.demo import load_samples

    day = parse_day(as_of)
    settings = with_dev_admin_token(get_settings(), dev)
    try:
        engine = make_engine(settings.sqlalchemy_url)
        try:
            summary = load_samples(
                engine=engine, settings=settings, as_of=as_of_clock(day, settings.timezone)() if day else None
            )
        finally:
            engine.dispose()
    except ReminderError as exc:
        raise fail(exc) from None
    base = settings.base_url.rstrip("/")
    n = summary.notices
    files = n.documents + len(n.skipped) + n.duplicates + len(n.failures)
    say(
        f"示例通知 / sample notices: {files} files: {n.documents} new documents ({n.notices} notices), "
        f"{len(n.skipped)} without a call (news or policy texts), {n.duplicates} already loaded"
        + (f", {len(n.failures)} failed" if n.failures else "")
    )
    for source, reason in (*n.skipped, *n.failures):
        say(f"  {Path(source).name}: {reason}")
    for line, reason in summary.rejected:
        say(f"  companies.csv line {line} skipped: {reason}")
    say("\n打开 / open:")
    say(f"  首页 / home:              {base}/")
    for c in summary.companies:
        state = "new" if c.created else "existing"
        say(f"  {c.name} ({state}): {base}/c/{c.id}?token={c.token}")
    if settings.admin_token is not None:
        say(f"  管理后台 / admin:          {base}/admin?token={settings.admin_token.get_secret_value()}")
    say(f"  接口文档 / API docs:       {base}/docs")


def register(app: typer.Typer) -> None:
    """Add ``demo-load`` to the ``reminder`` app."""
    app.command("demo-load")(demo_load_cmd)
