"""``reminder extract``: notices, deadlines and conditions from documents, as a table or JSON Lines.

Errors print ``Error: …`` (no traceback) and set a non-zero exit code; with several inputs, the good
ones are still processed.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from reminder.errors import ReminderError
from reminder.extract import Document, extract
from reminder.model import Notice

if TYPE_CHECKING:
    from reminder.config import Settings

__all__ = ["register"]

out = Console(soft_wrap=True)
err = Console(stderr=True)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD, got {value!r}") from None


def _print_table(doc: Document) -> None:
    out.rule(f"[bold]{doc.source}[/]  ({doc.kind}, {len(doc.notices)} notices)")
    if doc.meta.get("ocr"):
        pages = doc.meta.get("ocr_pages")
        where = f"第 {pages} 页" if pages else "全文"
        out.print(f"[yellow]注意：{where}文字由 OCR 识别，可能有错字，请与原件核对[/]")
    for n in doc.notices:
        head = f"[bold]{n.title}[/]"
        tags = [t for t in (n.level, n.issuer, n.published and n.published.isoformat()) if t]
        if n.policy_only:
            tags.append("政策文件/无申报")
        if n.rolling:
            tags.append("常态化受理")
        tags.append(f"适用地区：{n.scope.path if n.scope else '未能确定'}")
        out.print(head + (f"  [dim]{' · '.join(tags)}[/]" if tags else ""))
        if n.deadlines:
            t = Table("截止日期", "时间", "类型", "批次", "原文", show_header=True, header_style="cyan")
            for d in n.deadlines:
                flags = "".join(f for f, on in (("≈", d.approximate), ("?", d.conditional)) if on)
                t.add_row(
                    (d.date.isoformat() if d.date else "另行通知") + flags,
                    d.time.strftime("%H:%M") if d.time else "",
                    d.kind,
                    d.batch or "",
                    d.quote[:80],
                )
            out.print(t)
        if n.conditions:
            t = Table("条件", "运算", "值", "单位", "硬性", "原文", header_style="magenta")
            for c in n.conditions:
                value = "、".join(c.value) if isinstance(c.value, list) else str(c.value)
                t.add_row(c.field, c.op, value, c.unit or "", "是" if c.hard else "否", c.quote[:60])
            out.print(t)
        _print_facts(n)
        for f in n.failures:
            out.print(f"  [yellow]无法识别的日期 / unreadable date[/] {f.quote}: {f.reason}")


def _print_facts(n: Notice) -> None:
    """Issue 13's facts, one line each: benefits, how to apply, contacts, attachments."""
    rows = [
        *(("优惠", b.label(), b.quote) for b in n.benefits),
        *(("申报方式", a.label(), a.quote) for a in n.how_to_apply),
        *(("联系人", c.label(), c.quote) for c in n.contacts),
        *(("附件", f"{a.label + ' ' if a.label else ''}{a.name}", a.quote) for a in n.attachments),
    ]
    if not rows:
        return
    t = Table("事项", "内容", "原文", header_style="green")
    for head, text, quote in rows:
        t.add_row(head, text, quote.replace("\n", " ")[:60])
    out.print(t)


def _extract(name: str, published: dt.date | None, settings: Settings) -> Document:
    """A file, or a URL fetched through the webhook address guard like ``ingest`` (issue 16, item 12)."""
    if not name.startswith(("http://", "https://")):
        return extract(name, published=published, max_bytes=settings.max_input_bytes)
    from reminder.extract import extract_loaded
    from reminder.extract.loaders import load_url
    from reminder.notify.httpclient import make_fetch_client

    with make_fetch_client(settings) as client:  # every hop: no loopback, private or metadata hosts
        loaded = load_url(
            name, max_bytes=settings.max_input_bytes, timeout=settings.fetch_timeout, client=client
        )
    return extract_loaded(loaded, published=published, max_chars=settings.max_input_bytes)


def extract_cmd(
    files: Annotated[
        list[str],
        typer.Argument(help="files (txt/pdf/html/docx/doc/wps/xlsx/xls/ofd/png/jpg) or http(s) URLs"),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="print one JSON object per input (JSON Lines)")
    ] = False,
    published: Annotated[
        str | None, typer.Option(help="publication date YYYY-MM-DD for dates without a year")
    ] = None,
) -> None:
    """Extract notices, deadlines and eligibility conditions from documents."""
    from reminder.config import get_settings

    settings = get_settings()
    pub = _date(published)
    failed = 0
    for name in files:
        try:
            doc = _extract(name, pub, settings)
        except ReminderError as exc:
            failed += 1
            err.print(f"[red]Error:[/] {exc}", markup=True, highlight=False)
            continue
        if as_json:
            ocr = {"ocr": True} if doc.meta.get("ocr") else {}
            sys.stdout.write(json.dumps({**doc.to_json(), "file": name, **ocr}, ensure_ascii=False) + "\n")
        else:
            _print_table(doc)
    if failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Adds ``extract`` to the top-level app."""
    app.command("extract")(extract_cmd)
