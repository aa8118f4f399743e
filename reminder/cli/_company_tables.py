"""Rich tables for the company commands: a profile, the company list, import problems, match results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from sqlmodel import Session, col, select

from reminder.db.models import Channel, Company, DeadlineRow
from reminder.matching import MatchView
from reminder.model import DEADLINE_KIND_LABELS
from reminder.rules import Profile, format_money, format_number, profile_label

__all__ = [
    "VERDICT_LABELS",
    "KIND_LABELS",
    "company_table",
    "company_list_table",
    "problem_table",
    "match_table",
]

#: verdict → (Chinese label, rich style)
VERDICT_LABELS = {
    "eligible": ("符合", "green"),
    "possibly_eligible": ("可能符合", "yellow"),
    "not_eligible": ("不符合", "red"),
}
#: deadline kind → Chinese: the one table in reminder.model
KIND_LABELS: dict[str, str] = DEADLINE_KIND_LABELS
_NOT_FILLED = "—"


def _yes_no(value: bool | None) -> str:
    return _NOT_FILLED if value is None else "是" if value else "否"


def _money(value: Any) -> str:
    return _NOT_FILLED if value is None else format_money(value)


def _ratio(value: Any) -> str:
    return _NOT_FILLED if value is None else f"{format_number(value)}%"


def _qualifications(profile: Profile) -> str:
    if profile.qualifications is None:
        return _NOT_FILLED
    if not profile.qualifications:
        return "无"
    return "、".join(
        f"{q.name}（有效期至 {q.valid_until}）" if q.valid_until else q.name for q in profile.qualifications
    )


def company_table(company: Company, profile: Profile, session: Session) -> Table:
    """One company: every profile field with its Chinese label, and where reminders go."""
    table = Table("", "", title=f"企业 / company {company.id}", show_header=False)
    rows: list[tuple[str, str]] = [
        ("编号", str(company.id)),
        (profile_label("name"), profile.name),
        (profile_label("credit_code"), profile.credit_code or _NOT_FILLED),
        (profile_label("region"), profile.region_name),
        (profile_label("industry"), profile.industry or _NOT_FILLED),
        (profile_label("industry_tags"), "、".join(profile.industry_tags) or _NOT_FILLED),
        (profile_label("founded_on"), str(profile.founded_on) if profile.founded_on else _NOT_FILLED),
        (profile_label("headcount"), _NOT_FILLED if profile.headcount is None else f"{profile.headcount} 人"),
        (profile_label("annual_revenue"), _money(profile.annual_revenue)),
        (profile_label("total_assets"), _money(profile.total_assets)),
        (profile_label("registered_capital"), _money(profile.registered_capital)),
        (profile_label("currency"), profile.currency or _NOT_FILLED),
        (profile_label("rd_expense_ratio"), _ratio(profile.rd_expense_ratio)),
        (profile_label("rd_staff_ratio"), _ratio(profile.rd_staff_ratio)),
        (profile_label("qualifications"), _qualifications(profile)),
        (profile_label("legal_person"), _yes_no(profile.legal_person)),
        (profile_label("credit_ok"), _yes_no(profile.credit_ok)),
        (profile_label("applicant_type"), profile.applicant_type),
        (profile_label("contact_email"), profile.contact_email or _NOT_FILLED),
    ]
    query = select(Channel).where(Channel.company_id == company.id).order_by(col(Channel.id))
    for channel in session.exec(query).all():
        state = "" if channel.enabled else "（已停用）"
        target = channel.target if channel.kind == "email" else f"{channel.kind} webhook"
        rows.append((f"提醒渠道 {channel.name or channel.kind}", f"{target}{state}"))
    for label, value in rows:
        table.add_row(label, Text(value))
    return table


def company_list_table(companies: Sequence[Company]) -> Table:
    """Every company, one line each."""
    table = Table(
        "编号",
        "企业名称",
        "统一社会信用代码",
        "所在地区",
        "职工人数",
        "年销售收入",
        "资质",
        title="企业 / companies",
    )
    for c in companies:
        quals = "、".join(str(q.get("name")) for q in c.qualifications or [] if isinstance(q, dict))
        table.add_row(
            str(c.id),
            Text(c.name),
            c.credit_code or _NOT_FILLED,
            Text(c.region_name or _NOT_FILLED),
            _NOT_FILLED if c.headcount is None else str(c.headcount),
            _money(c.annual_revenue),
            Text(quals or _NOT_FILLED),
        )
    return table


def problem_table(problems: Sequence[tuple[int, str]]) -> Table:
    """Rows not imported: line number and reason."""
    table = Table("行 / line", "原因 / reason", title="未导入的行 / rows not imported", header_style="red")
    table.columns[1].overflow = "fold"
    for line, reason in problems:
        table.add_row(str(line) if line else "?", Text(reason))
    return table


def _deadline(deadline: DeadlineRow | None) -> str:
    if deadline is None or deadline.date is None:
        return "常态化受理 / 另行通知" if deadline is None else "另行通知"
    time = deadline.time.strftime(" %H:%M") if deadline.time else ""
    batch = f" {deadline.batch}" if deadline.batch else ""
    return f"{deadline.date}{time}\n{KIND_LABELS.get(deadline.kind, deadline.kind)}{batch}"


def _items(view: MatchView) -> str:
    lines = [f"✗ {r.reason_zh}" for r in view.unmet]
    if view.missing:
        lines.append(f"请补充：{'、'.join(view.missing)}")
    lines += [f"请人工确认：{r.quote}" for r in view.manual]
    return "\n".join(lines)


def match_table(views: Sequence[MatchView], title: str) -> Table:
    """The open notices for one company: verdict, title, next deadline and kind, days left, what to do."""
    table = Table(
        "结论", "通知", "下一截止", "剩余天数", "未满足 / 待补充 / 待确认", title=title, show_lines=True
    )
    table.columns[1].overflow = "fold"
    table.columns[4].overflow = "fold"
    for view in views:
        label, style = VERDICT_LABELS[view.status]
        days = "" if view.days_left is None else f"{view.days_left} 天"
        if not view.open:
            days = "已截止"
        table.add_row(
            Text(label, style=style),
            Text(view.notice.title),
            _deadline(view.next_deadline),
            days,
            Text(_items(view)),
        )
    return table
