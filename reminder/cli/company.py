"""``reminder company add|import|show|list``: companies registered, imported from CSV and shown.

Every command that changes a company runs ``reminder.workflow.company_changed`` afterwards (matching
against the open notices, reminder planning); ``import`` does the same for thousands of companies at
once (``matching.match_new_companies``, with a progress bar on stderr). Errors print ``Error: …`` and exit non-zero, without a
traceback. ``--now`` replays a moment (ISO date or datetime, Asia/Shanghai when no zone is given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from reminder.cli._companies import Failed, NowOption, changed, err, find, now_of, open_session, out, summary
from reminder.cli._company_tables import company_list_table, company_table, problem_table

__all__ = ["register"]


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
    from reminder.companies.profiles import register_company

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
    with open_session() as session:
        at = now_of(now)
        company = register_company(session=session, data=data, now=at)
        assert company.id is not None
        changed(session, company.id, at)
        out.print(f"已登记 / registered: 编号 {company.id}  {escape(company.name)}", highlight=False)
        out.print(
            summary(session, company.id, at) + f"（`reminder match {company.id}` 查看）", highlight=False
        )


# ── import ─────────────────────────────────────────────────────────────────────────────────


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Failed(f"无法读取文件 {path}：{exc.strerror} / cannot read {path}") from None
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Failed(f"{path}：不是 UTF-8 或 GBK 编码的文本 / not UTF-8 or GBK text")


@contextmanager
def _import_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr (cleared when done): told (stage, done, total) by each step of the import."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(_STAGES["导入"], total=None)

        def advance(stage: str, done: int, total: int) -> None:
            bar.update(task, description=_STAGES.get(stage, stage), completed=done, total=total)

        yield advance


_STAGES = {
    "导入": "校验并写入 / validating and storing",
    "匹配": "匹配通知 / matching notices",
    "提醒": "安排提醒 / planning reminders",
}


#: companies replanned between two moves of the progress bar
_REPLAN_STEP = 1000


def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV with a header row (企业名称, 所在地区, … or English names)")
    ],
    now: NowOption = None,
) -> None:
    """Import companies from CSV: good rows are registered, bad rows reported by line number.

    The new companies are matched against every open notice at once (in bulk), and reminders are
    planned for those with a contact email.
    """
    from reminder.companies.csv_import import import_profiles
    from reminder.config import get_settings
    from reminder.matching import match_new_companies
    from reminder.notify.outbox import replan_companies

    with open_session() as session, _import_progress() as tell:
        at = now_of(now)
        report = import_profiles(session=session, text=_read_text(file), now=at, progress=tell)
        match_new_companies(
            session=session,
            company_ids=report.company_ids,
            now=at,
            done=lambda done, total: tell("匹配", done, total),
        )
        settings, emails = get_settings(), report.with_email
        for start in range(0, len(emails), _REPLAN_STEP):  # in steps, to move the bar
            tell("提醒", start, len(emails))
            step = emails[start : start + _REPLAN_STEP]
            replan_companies(session=session, company_ids=step, now=at, settings=settings)
    out.print(
        f"已导入 / imported: {len(report.company_ids)} 家企业；有问题的行 / rows with problems: {len(report.problems)}"
    )
    if report.problems:
        out.print(problem_table(report.problems))
        raise typer.Exit(code=1)


# ── show, list ────────────────────────────────────────────────────────────────────────────


def show_cmd(company: Annotated[str, typer.Argument(help="编号, 统一社会信用代码 or 企业名称")]) -> None:
    """Show a company's profile and its reminder channels."""
    from reminder.companies.profiles import profile_from_company

    with open_session() as session:
        found = find(session, company)
        out.print(company_table(found, profile_from_company(found), session))


def list_cmd() -> None:
    """List every registered company."""
    from reminder.companies.records import list_companies

    with open_session() as session:
        companies = list_companies(session=session)
        if not companies:
            out.print(
                "还没有登记企业 / no companies yet: `reminder company add` or `reminder company import`"
            )
            return
        out.print(company_list_table(companies))


def register(app: typer.Typer) -> None:
    """Add ``company add|import|show|list`` to the ``reminder`` app."""
    company_app = typer.Typer(
        help="企业 / companies: profiles matched against notices.", no_args_is_help=True
    )
    company_app.command("add")(add_cmd)
    company_app.command("import")(import_cmd)
    company_app.command("show")(show_cmd)
    company_app.command("list")(list_cmd)
    app.add_typer(company_app, name="company")
