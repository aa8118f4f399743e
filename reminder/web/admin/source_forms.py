"""What the source pages and the sources API share: checking a source's fields, saving an edit, previews.

check_source(values) ──► (SourceSpec | None, {field: 中文错误})   one message per field, under it
apply_spec(row, spec) ──  an edit saved on the row (poll state and health kept; the URL stays unique)
run_preview(spec, …) ──► PreviewView   the list page read now through the Fetcher (address guard)
run_discover(url, …) ──► (ColumnView…) a home page's notice columns, each previewed
source_fetcher(app) ──   the Fetcher of these pages (``app.state.source_fetcher`` when a test sets one)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from fastapi import FastAPI
from sqlmodel import Session, select

from reminder.calendar import TZ
from reminder.config import Settings
from reminder.db.source_models import SourceRow
from reminder.db.source_store import SourceExists, fill_definition
from reminder.errors import ReminderError
from reminder.sources import Fetcher, FetchPolicy, Hints, ListPage, SourceSpec, discover, preview
from reminder.sources.model import Level, Trust
from reminder.sources.vocab import selector
from reminder.web.company.facts import safe_url

__all__ = [
    "LEVEL_LABELS",
    "TRUST_LABELS",
    "HINT_LABELS",
    "MAX_INTERVAL_HOURS",
    "MIN_INTERVAL_HOURS",
    "PreviewItem",
    "PreviewView",
    "ColumnView",
    "check_source",
    "row_values",
    "apply_spec",
    "source_fetcher",
    "run_preview",
    "run_discover",
]

LEVEL_LABELS: dict[str, str] = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "district": "区县级",
}
TRUST_LABELS: dict[str, str] = {"review": "人工审核后发布", "auto": "自动发布"}
#: Hints field → what the operator sees
HINT_LABELS: dict[str, str] = {
    "items": "列表条目",
    "title": "条目标题",
    "date": "条目日期",
    "next_page": "下一页链接",
    "body": "正文容器",
    "attachments": "附件链接",
}
MIN_INTERVAL_HOURS, MAX_INTERVAL_HOURS = 0.25, 24 * 30
_LIMITS = {"name": 200, "issuer": 200, "region": 64, "url": 2000}
_REQUIRED = {"name": "请填写来源名称", "issuer": "请填写发布机关", "region": "请填写地区"}


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def _url_error(url: str) -> str | None:
    if not url:
        return "请填写列表页网址"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "列表页网址必须是 http:// 或 https:// 开头的完整网址"
    return None


def _hours(raw: Any) -> tuple[float | None, str | None]:
    try:
        hours = float(raw) if raw not in (None, "") else 6.0
    except (TypeError, ValueError):
        return None, "轮询间隔须为数字（小时）"
    if not math.isfinite(hours) or not MIN_INTERVAL_HOURS <= hours <= MAX_INTERVAL_HOURS:
        return None, f"轮询间隔须在 {MIN_INTERVAL_HOURS} 到 {MAX_INTERVAL_HOURS} 小时之间"
    return hours, None


def check_source(values: Mapping[str, Any]) -> tuple[SourceSpec | None, dict[str, str]]:
    """A source's fields as typed (a form or a JSON body) → the spec, or a Chinese message per field.

    ``values``: name, issuer, region, level, url, interval_hours, enabled (bool), trust, and
    ``hints`` (a mapping of HINT_LABELS keys to CSS selectors; empty ones are left out).
    """
    errors: dict[str, str] = {}
    texts = {key: _text(values, key) for key in _LIMITS}
    for key, message in _REQUIRED.items():
        if not texts[key]:
            errors[key] = message
    for key, limit in _LIMITS.items():
        if len(texts[key]) > limit:
            errors[key] = f"最多 {limit} 个字符"
    if "url" not in errors and (problem := _url_error(texts["url"])):
        errors["url"] = problem
    level, trust = _text(values, "level") or "municipal", _text(values, "trust") or "review"
    if level not in LEVEL_LABELS:
        errors["level"] = "请选择层级：" + "、".join(LEVEL_LABELS.values())
    if trust not in TRUST_LABELS:
        errors["trust"] = "请选择发布方式：" + "、".join(TRUST_LABELS.values())
    hours, problem = _hours(values.get("interval_hours"))
    if problem:
        errors["interval_hours"] = problem
    hints: dict[str, str] = {}
    for key, css in (values.get("hints") or {}).items():
        css = css.strip() if isinstance(css, str) else ""
        if key in HINT_LABELS and css:
            try:
                selector(css)
            except ReminderError:
                errors[f"hint_{key}"] = f"不是有效的 CSS 选择器：{css[:80]}"
            hints[key] = css
    if errors or hours is None:
        return None, errors
    try:
        spec = SourceSpec(
            name=texts["name"],
            issuer=texts["issuer"],
            region=texts["region"],
            level=cast(Level, level),
            url=texts["url"],
            poll_interval=dt.timedelta(hours=hours),
            enabled=bool(values.get("enabled", True)),
            trust=cast(Trust, trust),
            hints=Hints(**hints),
        )
    except ReminderError as exc:  # every rule above is SourceSpec's own: kept as a net
        return None, {"url": str(exc)}
    return spec, {}


def row_values(row: SourceRow) -> dict[str, Any]:
    """A stored source as the form shows it."""
    return {
        "name": row.name,
        "issuer": row.issuer,
        "region": row.region,
        "level": row.level,
        "url": row.url,
        "interval_hours": f"{row.poll_interval_s / 3600:g}",
        "enabled": row.enabled,
        "trust": row.trust,
        "hints": dict(row.hints or {}),
    }


def apply_spec(*, session: Session, row: SourceRow, spec: SourceSpec, now: dt.datetime) -> None:
    """Save an edit (poll state and health kept); a changed list page is due at once.

    Raises:
        SourceExists: another source watches this URL.
    """
    if spec.url != row.url:
        other = session.exec(select(SourceRow).where(SourceRow.url == spec.url)).first()
        if other is not None and other.id != row.id:
            raise SourceExists(f"该列表页已在监测中（来源 {other.id}：{other.name}）")
        row.next_poll_at = None
    if spec.enabled and not row.enabled:  # resumed: due at once, as set_enabled does
        row.next_poll_at = None
    fill_definition(row, spec, now)
    session.add(row)
    session.flush()


def source_fetcher(app: FastAPI) -> Fetcher:
    """The Fetcher for previews: the address guard and limits of the settings, no retries (an operator waits).

    ``app.state.source_fetcher`` (a callable taking the settings), when set, builds it instead.
    """
    settings: Settings = app.state.settings
    make: Callable[[Settings], Fetcher] | None = getattr(app.state, "source_fetcher", None)
    if make is not None:
        return make(settings)
    policy = FetchPolicy(
        timeout=min(settings.fetch_timeout, 20.0), max_bytes=settings.max_input_bytes, retries=0
    )
    return Fetcher(settings, policy)


@dataclass(frozen=True)
class PreviewItem:
    title: str
    published: dt.date | None
    url: str
    #: the URL when a page may link to it (http/https), else None
    link: str | None


@dataclass(frozen=True)
class PreviewView:
    """What a list page gives now, or why it could not be read."""

    url: str
    items: tuple[PreviewItem, ...] = ()
    next_url: str | None = None
    error: str | None = None

    @property
    def next_link(self) -> str | None:
        return safe_url(self.next_url)


def _view(url: str, page: ListPage) -> PreviewView:
    items = tuple(PreviewItem(i.title, i.published, i.url, safe_url(i.url)) for i in page.items)
    return PreviewView(url, items, page.next_url)


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(TZ).date()


def run_preview(spec: SourceSpec, app: FastAPI, now: dt.datetime) -> PreviewView:
    """Read the source's list page now (nothing stored): its items, or the reason it failed."""
    try:
        with source_fetcher(app) as fetcher:
            return _view(spec.url, preview(spec, fetcher, today=_today(now)))
    except ReminderError as exc:  # FetchError, RobotsDisallowed, UnsafeTarget…
        return PreviewView(spec.url, error=str(exc))


@dataclass(frozen=True)
class ColumnView:
    """A proposed notice column with its preview."""

    name: str
    url: str
    preview: PreviewView
    looks_like_list: bool


def run_discover(home_url: str, app: FastAPI, now: dt.datetime) -> tuple[tuple[ColumnView, ...], str | None]:
    """The notice columns a home page links to, each previewed; or why the home page could not be read."""
    problem = _url_error(home_url)
    if problem:
        return (), problem.replace("列表页", "首页")
    try:
        with source_fetcher(app) as fetcher:
            found = discover(home_url, fetcher, today=_today(now))
    except ReminderError as exc:
        return (), str(exc)
    views = tuple(
        ColumnView(
            c.name,
            c.url,
            _view(c.url, c.preview) if c.preview is not None else PreviewView(c.url, error=c.problem),
            c.looks_like_list,
        )
        for c in found
    )
    return views, None
