"""Company commands: ``reminder company add|import|show|list`` and ``reminder match COMPANY``.

Every command that changes a company runs ``reminder.workflow.company_changed`` afterwards (matching
against the open notices, reminder planning). Errors print ``Error: …`` and exit non-zero, without a
traceback. ``--now`` replays a moment (ISO date or datetime, Asia/Shanghai when no zone is given).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlmodel import Session

from reminder.db._company_tables import company_list_table, company_table, match_table, problem_table
from reminder.errors import ProfileError, ReminderError

__all__ = ["register"]

log = logging.getLogger(__name__)

out = Console(soft_wrap=True)
err = Console(stderr=True)

NowOption = Annotated[
    str | None,
    typer.Option("--now", help="reference time, ISO date or datetime (default: now); for replays and tests"),
]


class _Failed(Exception):
    """A command failed with a message for the user (and this exit code)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _error(message: str) -> None:
    err.print(f"[red]Error:[/] {escape(message)}", highlight=False)


def _now(value: str | None) -> dt.datetime:
    from reminder.calendar import TZ
    from reminder.db.models import utcnow

    if value is None:
        return utcnow()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _Failed(
            f"--now：无法识别时间“{value}”（应如 2025-03-01 或 2025-03-01T09:00）/ bad --now {value!r}", 2
        ) from None
    return parsed.replace(tzinfo=TZ) if parsed.tzinfo is None else parsed


@contextmanager
def _session() -> Iterator[Session]:
    """A committed-at-the-end session on the configured, up-to-date database; errors become ``Error: …``."""
    from reminder.db.engine import make_engine, session_scope
    from reminder.db.migrate import check_schema

    try:
        engine = make_engine()
        try:
            check_schema(engine)
            with session_scope(engine) as session:
                yield session
        finally:
            engine.dispose()
    except ProfileError as exc:
        _error("；".join(exc.errors.values()) or str(exc))
        raise typer.Exit(code=exc.exit_code) from None
    except ReminderError as exc:
        _error(str(exc))
        raise typer.Exit(code=exc.exit_code) from None
    except _Failed as exc:
        _error(str(exc))
        raise typer.Exit(code=exc.exit_code) from None


def _company(session: Session, ref: str) -> Any:
    from reminder.db.profiles import find_company

    company = find_company(session=session, ref=ref)
    if company is None:
        raise _Failed(
            f"没有找到企业“{ref}”（可用编号、统一社会信用代码或企业名称，`reminder company list` 列出全部）"
            f" / no company with id, credit code or name {ref!r}"
        )
    return company


def _summary(session: Session, company_id: int, now: dt.datetime) -> str:
    from reminder.db.matching import company_matches

    views = company_matches(session=session, company_id=company_id, now=now)
    eligible = sum(v.status == "eligible" for v in views)
    possible = sum(v.status == "possibly_eligible" for v in views)
    return f"正在申报的通知 {len(views)} 项：符合 {eligible} 项，可能符合 {possible} 项"


def _changed(session: Session, company_id: int, now: dt.datetime) -> None:
    from reminder.workflow import company_changed

    company_changed(session=session, company_id=company_id, now=now)


# ── add ────────────────────────────────────────────────────────────────────────────────────


def add_cmd(
    name: Annotated[str | None, typer.Option("--name", help="企业名称 (required)")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="所在地区, e.g. 杭州市萧山区 (required)")
    ] = None,
    credit_code: Annotated[
        str | None, typer.Option("--credit-code", help="统一社会信用代码 (18 characters)")
    ] = None,
    industry: Annotated[str | None, typer.Option("--industry", help="所属行业")] = None,
    tags: Annotated[str | None, typer.Option("--tags", help="行业标签, separated by ; or 、")] = None,
    founded_on: Annotated[str | None, typer.Option("--founded-on", help="成立日期, e.g. 2015-06-01")] = None,
    headcount: Annotated[str | None, typer.Option("--headcount", help="职工人数, e.g. 320")] = None,
    revenue: Annotated[
        str | None, typer.Option("--revenue", help="年销售收入, e.g. 2亿元 or 8000万元")
    ] = None,
    assets: Annotated[str | None, typer.Option("--assets", help="资产总额, e.g. 1.5亿元")] = None,
    capital: Annotated[str | None, typer.Option("--capital", help="注册资本, e.g. 500万元")] = None,
    rd_expense_ratio: Annotated[str | None, typer.Option("--rd-expense-ratio", help="研发费用占比 %")] = None,
    rd_staff_ratio: Annotated[str | None, typer.Option("--rd-staff-ratio", help="研发人员占比 %")] = None,
    qualification: Annotated[
        list[str] | None,
        typer.Option(
            "--qualification", help="资质 with valid-until date, e.g. 高新技术企业:2026-12-31 (repeatable)"
        ),
    ] = None,
    legal_person: Annotated[
        bool | None, typer.Option("--legal-person/--no-legal-person", help="具有独立法人资格")
    ] = None,
    credit_ok: Annotated[bool | None, typer.Option("--credit-ok/--no-credit-ok", help="信用状况良好")] = None,
    applicant_type: Annotated[
        str | None, typer.Option("--applicant-type", help="申报主体类型 (default 企业)")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="联系邮箱 (reminders are sent there)")] = None,
    now: NowOption = None,
) -> None:
    """Register a company; it is matched against every open notice at once."""
    from reminder.db.profiles import register_company

    given = {
        "name": name,
        "region": region,
        "credit_code": credit_code,
        "industry": industry,
        "industry_tags": tags,
        "founded_on": founded_on,
        "headcount": headcount,
        "annual_revenue": revenue,
        "total_assets": assets,
        "registered_capital": capital,
        "rd_expense_ratio": rd_expense_ratio,
        "rd_staff_ratio": rd_staff_ratio,
        "qualifications": qualification or None,
        "legal_person": legal_person,
        "credit_ok": credit_ok,
        "applicant_type": applicant_type,
        "contact_email": email,
    }
    data: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    data.setdefault("name", None)
    data.setdefault("region", None)
    with _session() as session:
        at = _now(now)
        company = register_company(session=session, data=data, now=at)
        assert company.id is not None
        _changed(session, company.id, at)
        out.print(f"已登记 / registered: 编号 {company.id}  {escape(company.name)}", highlight=False)
        out.print(
            _summary(session, company.id, at) + f"（`reminder match {company.id}` 查看）", highlight=False
        )


# ── import ─────────────────────────────────────────────────────────────────────────────────


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _Failed(f"无法读取文件 {path}：{exc.strerror} / cannot read {path}") from None
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _Failed(f"{path}：不是 UTF-8 或 GBK 编码的文本 / not UTF-8 or GBK text")


def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV with a header row (企业名称, 所在地区, … or English names)")
    ],
    now: NowOption = None,
) -> None:
    """Import companies from CSV: good rows are registered, bad rows reported by line number."""
    from reminder.db._company_import import import_profiles

    with _session() as session:
        at = _now(now)
        report = import_profiles(session=session, text=_read_text(file), now=at)
        for company_id in report.company_ids:
            _changed(session, company_id, at)
        out.print(
            f"已导入 / imported: {len(report.company_ids)} 家企业；有问题的行 / rows with problems: {len(report.problems)}"
        )
        if report.problems:
            out.print(problem_table(report.problems))
    if report.problems:
        raise typer.Exit(code=1)


# ── show, list, match ──────────────────────────────────────────────────────────────────────


def show_cmd(company: Annotated[str, typer.Argument(help="编号, 统一社会信用代码 or 企业名称")]) -> None:
    """Show a company's profile and its reminder channels."""
    from reminder.db.profiles import profile_from_company

    with _session() as session:
        found = _company(session, company)
        out.print(company_table(found, profile_from_company(found), session))


def list_cmd() -> None:
    """List every registered company."""
    from reminder.db.companies import list_companies

    with _session() as session:
        companies = list_companies(session=session)
        if not companies:
            out.print(
                "还没有登记企业 / no companies yet: `reminder company add` or `reminder company import`"
            )
            return
        out.print(company_list_table(companies))


def match_cmd(
    company: Annotated[str, typer.Argument(help="编号, 统一社会信用代码 or 企业名称")],
    include_past: Annotated[
        bool, typer.Option("--all", help="also list notices whose deadlines have passed")
    ] = False,
    now: NowOption = None,
) -> None:
    """Open notices for a company: verdict, next deadline and days left, what is unmet or missing."""
    from reminder.db.matching import company_matches

    with _session() as session:
        at = _now(now)
        found = _company(session, company)
        views = company_matches(session=session, company_id=found.id, now=at, include_past=include_past)
        title = f"{found.name}（编号 {found.id}）— {at.astimezone(_tz()).strftime('%Y-%m-%d %H:%M')}"
        if not views:
            out.print(f"{escape(title)}\n没有正在申报的通知 / no open notices", highlight=False)
            return
        out.print(match_table(views, title))


def _tz() -> dt.tzinfo:
    from reminder.calendar import TZ

    return TZ


def register(app: typer.Typer) -> None:
    """Add ``company add|import|show|list`` and ``match`` to the ``reminder`` app."""
    company_app = typer.Typer(
        help="企业 / companies: profiles matched against notices.", no_args_is_help=True
    )
    company_app.command("add")(add_cmd)
    company_app.command("import")(import_cmd)
    company_app.command("show")(show_cmd)
    company_app.command("list")(list_cmd)
    app.add_typer(company_app, name="company")
    app.command("match")(match_cmd)
