"""``reminder sources import|list|add|test|poll|discover|pause|resume``: the watched 通知公告 columns (issue 17).

    import [PATH…]   catalogue files (default config/sources/*.yaml), validated, stored or updated by URL
    list             every source with its health (flagged ones first)
    add URL …        a new source (name, issuer, region, level, trust, interval)
    test URL         what the list page gives now: titles, dates, links, next page (nothing stored)
    poll ID | --all  poll now (claimed, so a running worker does not poll it at the same time)
    discover URL     a department's notice columns proposed from its home page, each previewed
    pause | resume ID  stop or restart polling a source (state and health kept)

Errors print ``Error: …`` and exit non-zero without a traceback.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from reminder.cli._common import database

if TYPE_CHECKING:
    from reminder.config import Settings
    from reminder.sources import Fetcher, ListPage
    from reminder.watch import WatchReport

__all__ = ["register"]

out = Console(soft_wrap=True)
err = Console(stderr=True)

LEVELS = ("national", "provincial", "municipal", "district")
DelayOption = Annotated[
    float | None, typer.Option("--delay", help="seconds between two requests to one host (default 1)")
]


def _say(text: str) -> None:
    out.print(text, markup=False, highlight=False)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]Error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code=code)


def _fetcher(settings: Settings, delay: float | None) -> Fetcher:
    from reminder.sources import Fetcher, FetchPolicy

    policy = FetchPolicy(timeout=settings.fetch_timeout, max_bytes=settings.max_input_bytes)
    if delay is not None:
        policy = FetchPolicy(timeout=policy.timeout, max_bytes=policy.max_bytes, delay=max(0.0, delay))
    return Fetcher(settings, policy)


def _today() -> dt.date:
    from reminder.db.models import utcnow
    from reminder.zone import TZ

    return utcnow().astimezone(TZ).date()


def import_cmd(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="catalogue files or directories (default config/sources)")
    ] = None,
) -> None:
    """Load source catalogues: new list pages are added, known ones updated (their poll state kept)."""
    from reminder.db.engine import session_scope
    from reminder.db.models import utcnow
    from reminder.db.source_store import upsert_source
    from reminder.errors import ReminderError
    from reminder.source_catalogue import CATALOGUE_DIR, catalogue_files, load_catalogues

    files = catalogue_files(paths or [CATALOGUE_DIR])
    if not files:
        raise _fail(f"没有找到来源目录文件（{CATALOGUE_DIR}/*.yaml）/ no catalogue files found")
    try:
        specs = load_catalogues(files)
    except ReminderError as exc:
        raise _fail(str(exc)) from None
    created = updated = 0
    with database(err) as engine, session_scope(engine) as session:
        for spec in specs:
            _, new = upsert_source(session=session, spec=spec, now=utcnow())
            created, updated = created + new, updated + (not new)
    _say(
        f"来源 / sources: {created} 个新增 / added, {updated} 个更新 / updated（{len(files)} 个文件 / files）"
    )


def _when(at: dt.datetime | None) -> str:
    from reminder.zone import TZ

    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if at else "—"


def list_cmd() -> None:
    """Every source with its health: last success, last new item, failures in a row, items, flag."""
    from reminder.db.engine import session_scope
    from reminder.db.source_store import list_sources

    with database(err) as engine, session_scope(engine) as session:
        rows = list_sources(session=session)
        if not rows:
            _say("还没有来源 / no sources yet: reminder sources import | add URL")
            return
        table = Table(
            "编号",
            "名称 / name",
            "层级",
            "地区",
            "审核",
            "启用",
            "上次成功",
            "上次新条目",
            "失败",
            "条目",
            "提示 / flag",
        )
        table.columns[1].overflow = table.columns[10].overflow = "fold"
        for r in rows:
            table.add_row(
                str(r.id), Text(f"{r.name}\n{r.url}"), r.level, Text(r.region),
                "自动发布" if r.trust == "auto" else "人工审核", "是" if r.enabled else "暂停",
                _when(r.last_success_at), _when(r.last_new_item_at), str(r.consecutive_failures),
                "—" if r.last_items is None else str(r.last_items),
                Text(r.flagged or "", style="red"),
            )  # fmt: skip
        out.print(table)


def add_cmd(
    url: Annotated[str, typer.Argument(help="the list page (通知公告 column)")],
    name: Annotated[str, typer.Option("--name", help="e.g. 杭州市科技局 通知公告")],
    issuer: Annotated[str, typer.Option("--issuer", help="default issuer of its notices")],
    region: Annotated[str, typer.Option("--region", help="default region of its notices, e.g. 杭州市")],
    level: Annotated[
        str, typer.Option("--level", help="national, provincial, municipal or district")
    ] = "municipal",
    trust: Annotated[str, typer.Option("--trust", help="auto (publish) or review (drafts)")] = "review",
    hours: Annotated[float, typer.Option("--interval-hours", help="poll interval")] = 6.0,
) -> None:
    """Watch a new list page."""
    from reminder.db.engine import session_scope
    from reminder.db.models import utcnow
    from reminder.db.source_store import add_source
    from reminder.errors import ReminderError
    from reminder.sources import SourceSpec

    try:
        spec = SourceSpec(name, issuer, region, level, url, dt.timedelta(hours=hours), trust=trust)  # type: ignore[arg-type]
        with database(err) as engine, session_scope(engine) as session:
            row = add_source(session=session, spec=spec, now=utcnow())
            source_id = row.id
    except ReminderError as exc:
        raise _fail(str(exc)) from None
    _say(f"来源 {source_id} 已添加 / source {source_id} added: {name} {url}")
    _say(f"先试读一次 / try it: reminder sources test {url}")


def _preview_lines(page: ListPage) -> None:
    table = Table("日期 / date", "标题 / title", "链接 / link", title=f"{len(page.items)} 个条目 / items")
    table.columns[1].overflow = table.columns[2].overflow = "fold"
    for item in page.items:
        table.add_row(item.published.isoformat() if item.published else "—", Text(item.title), Text(item.url))
    out.print(table)
    _say(f"下一页 / next page: {page.next_url or '—'}")


def test_cmd(
    url: Annotated[str, typer.Argument(help="the list page to try")],
    delay: DelayOption = None,
) -> None:
    """Read a list page now and show what a source would find: titles, dates, links, next page."""
    from reminder.config import get_settings
    from reminder.errors import ReminderError
    from reminder.sources import SourceSpec, preview

    settings = get_settings()
    try:
        spec = SourceSpec("试读", "试读", "试读", "municipal", url)
        with _fetcher(settings, delay) as fetcher:
            page = preview(spec, fetcher, today=_today())
    except ReminderError as exc:
        raise _fail(str(exc)) from None
    _preview_lines(page)
    if not page.items:
        _say(
            "没有读到带日期的条目：可能不是列表页，或需要 CSS 提示 / no dated items: not a list page, or hints needed"
        )


def _report_line(r: WatchReport, name: str) -> None:
    if r.error:
        _say(f"来源 {r.source_id} {name}: 失败 / failed: {r.error}")
    else:
        _say(
            f"来源 {r.source_id} {name}: 新条目 {r.new_items}，有变化 {r.changed_pages}，"
            f"存入文档 {r.documents}，通知 {r.notices}，截止日期变更 {r.changes} / "
            f"new {r.new_items}, changed {r.changed_pages}, documents {r.documents}, notices {r.notices}"
        )
    for url, reason in r.problems:
        _say(f"  ! {url}: {reason}")
    if r.flagged:
        _say(f"  ⚑ {r.flagged}")


def poll_cmd(
    source_id: Annotated[
        int | None, typer.Argument(help="the source's id (see `reminder sources list`)")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="every enabled source")] = False,
    delay: DelayOption = None,
) -> None:
    """Poll sources now: new and changed notices are extracted, stored and (trust auto) published."""
    from sqlmodel import Session, col, select

    from reminder.config import get_settings
    from reminder.db.models import utcnow
    from reminder.db.source_models import SourceRow
    from reminder.scheduler import default_worker_name
    from reminder.watch import poll_claimed

    if (source_id is None) == (not all_):
        raise _fail("请给出来源编号或 --all / give a source id or --all", 2)
    settings = get_settings()
    with database(err) as engine:
        with Session(engine) as session:
            query = select(SourceRow.id, SourceRow.name)
            query = query.where(col(SourceRow.enabled)) if all_ else query.where(SourceRow.id == source_id)
            names = {i: n for i, n in session.exec(query.order_by(col(SourceRow.id))).all() if i is not None}
        if not names:
            raise _fail(
                f"没有编号为 {source_id} 的来源 / no source {source_id}"
                if not all_
                else "没有启用的来源 / no enabled sources"
            )
        with _fetcher(settings, delay) as fetcher:
            reports = poll_claimed(
                engine, settings, list(names), worker=default_worker_name(), now=utcnow, fetcher=fetcher
            )
    for report in reports:
        _report_line(report, names[report.source_id])
    skipped = len(names) - len(reports)
    if skipped:
        _say(
            f"{skipped} 个来源正由其他进程轮询，已跳过 / {skipped} sources are being polled elsewhere: skipped"
        )
    if any(not r.ok for r in reports):
        raise typer.Exit(code=1)


def discover_cmd(
    url: Annotated[str, typer.Argument(help="a department's home page")],
    delay: DelayOption = None,
) -> None:
    """Propose a site's notice columns (通知公告 / 项目申报 …), each with what its page shows."""
    from reminder.config import get_settings
    from reminder.errors import ReminderError
    from reminder.sources import discover

    try:
        with _fetcher(get_settings(), delay) as fetcher:
            found = discover(url, fetcher, today=_today())
    except ReminderError as exc:
        raise _fail(str(exc)) from None
    if not found:
        _say("首页上没有找到通知栏目链接 / no notice column links on this page")
        return
    for c in found:
        mark = "✓ 列表页 / a dated list" if c.looks_like_list else "✗ 不像列表页 / not a dated list"
        _say(f"{c.name}  {c.url}  {mark}")
        if c.preview is not None:
            for item in c.preview.items[:3]:
                _say(f"    {item.published or '—'}  {item.title}")
        elif c.problem:
            _say(f"    ! {c.problem}")
    _say("添加 / add one: reminder sources add URL --name … --issuer … --region …")


def _switch(source_id: int, enabled: bool) -> None:
    from reminder.db.engine import session_scope
    from reminder.db.models import utcnow
    from reminder.db.source_store import set_enabled

    try:
        with database(err) as engine, session_scope(engine) as session:
            row = set_enabled(session=session, source_id=source_id, enabled=enabled, now=utcnow())
            name = row.name
    except LookupError as exc:
        raise _fail(str(exc)) from None
    _say(f"来源 {source_id} {name}: {'已恢复轮询 / resumed' if enabled else '已暂停 / paused'}")


def pause_cmd(source_id: Annotated[int, typer.Argument(help="the source's id")]) -> None:
    """Stop polling a source (its state and health are kept)."""
    _switch(source_id, False)


def resume_cmd(source_id: Annotated[int, typer.Argument(help="the source's id")]) -> None:
    """Poll a paused source again (due at once)."""
    _switch(source_id, True)


def register(app: typer.Typer) -> None:
    """Add ``sources import|list|add|test|poll|discover|pause|resume`` to the ``reminder`` app."""
    sources = typer.Typer(help="监测的通知公告栏目 / watched notice columns.", no_args_is_help=True)
    sources.command("import")(import_cmd)
    sources.command("list")(list_cmd)
    sources.command("add")(add_cmd)
    sources.command("test")(test_cmd)
    sources.command("poll")(poll_cmd)
    sources.command("discover")(discover_cmd)
    sources.command("pause")(pause_cmd)
    sources.command("resume")(resume_cmd)
    app.add_typer(sources, name="sources")
