"""``reminder match COMPANY``: the open notices for a company, with verdict, next deadline and what is missing.

``--now`` replays a moment (ISO date or datetime, Asia/Shanghai when no zone is given); errors print
``Error: …`` and exit non-zero, without a traceback.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from reminder.cli._companies import NowOption, find, now_of, open_session, out
from reminder.cli._company_tables import match_table

__all__ = ["register"]


def match_cmd(
    company: Annotated[str, typer.Argument(help="编号, 统一社会信用代码 or 企业名称")],
    include_past: Annotated[
        bool, typer.Option("--all", help="also list notices whose deadlines have passed")
    ] = False,
    now: NowOption = None,
) -> None:
    """Open notices for a company: verdict, next deadline and days left, what is unmet or missing."""
    from reminder.calendar import TZ
    from reminder.matching import company_matches

    with open_session() as session:
        at = now_of(now)
        found = find(session, company)
        views = company_matches(session=session, company_id=found.id, now=at, include_past=include_past)
        title = f"{found.name}（编号 {found.id}）— {at.astimezone(TZ).strftime('%Y-%m-%d %H:%M')}"
        if not views:
            out.print(f"{escape(title)}\n没有正在申报的通知 / no open notices", highlight=False)
            return
        out.print(match_table(views, title))


def register(app: typer.Typer) -> None:
    """Add ``match`` to the ``reminder`` app."""
    app.command("match")(match_cmd)
