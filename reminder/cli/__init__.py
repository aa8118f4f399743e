"""The ``reminder`` command line.

Each command group lives in its own module with a ``register(app)`` function and is imported only when
one of its commands runs, so ``reminder --help`` and ``reminder extract`` do not load the database or
web stacks. Errors print ``Error: …`` (no traceback) and set a non-zero exit code.

    extract.py ─ extract          ingest.py ── ingest            db.py ─────── db upgrade|current|revision
    company.py ─ company …        match.py ─── match             serve.py ──── serve, worker
    demo.py ──── demo-load        reminders.py dispatch, reminders list|requeue

A new command group: a module here with ``register(app)``, and a row in COMMANDS. Commands import
``reminder.*`` inside their functions (the only package allowed to: tests/test_layout.py).
"""

from __future__ import annotations

import importlib
import logging
from typing import Annotated

import typer
from typer import _click  # typer ships its own click; its hooks are typed with it
from typer.core import TyperGroup

__all__ = ["app", "main", "COMMANDS"]

#: command name → (module with ``register(app)``, one-line help shown by ``reminder --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("reminder.cli.extract", "从文件或网址提取通知、截止日期和申报条件"),
    "ingest": ("reminder.cli.ingest", "把文件存入数据库（相同内容只存一次）"),
    "db": ("reminder.cli.db", "数据库结构：升级、查看版本、新建迁移"),
    "company": ("reminder.cli.company", "登记、导入、查看企业"),
    "match": ("reminder.cli.match", "判断一家企业可申报哪些通知"),
    "worker": ("reminder.cli.serve", "只运行提醒发送（无网页）"),
    "dispatch": ("reminder.cli.reminders", "立即发送到期的提醒一次"),
    "reminders": ("reminder.cli.reminders", "查看和重新排队提醒"),
    "serve": ("reminder.cli.serve", "启动网页服务和提醒调度"),
    "demo-load": ("reminder.cli.demo", "载入示例通知和企业"),
    "sources": ("reminder.cli.sources", "监测政府网站通知公告栏目：导入、添加、试读、轮询"),
}


class LazyGroup(TyperGroup):
    """A command group that imports a command's module the first time the command is used."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        module = importlib.import_module(COMMANDS[cmd_name][0])
        holder = typer.Typer()
        module.register(holder)
        group = typer.main.get_group(holder)
        command = group.get_command(ctx, cmd_name)
        if command is not None:
            self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        # The listing uses the table's help so that --help imports nothing.
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    help="申报提醒: 申报通知 extraction, eligibility matching and reminders.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log what happens")] = False,
) -> None:
    """申报提醒 command line."""
    if verbose:
        logging.getLogger().setLevel(logging.INFO)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
