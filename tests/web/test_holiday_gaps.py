"""Years without official holiday data: a warning on the admin dashboard and a gauge in /metrics."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from pathlib import Path

import admin_fixtures as fx
import pytest
from admin_fixtures import ADMIN_TOKEN, make_app
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from test_ops import parse_prometheus, value

from reminder import holidays
from reminder.calendar import TZ
from reminder.config import get_settings
from reminder.db.store import save_document
from reminder.extract import Deadline, Document, Notice

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template
NOW = dt.datetime(2026, 12, 6, 10, tzinfo=TZ)


@pytest.fixture
def tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "tables"
    root.mkdir()
    monkeypatch.setenv("REMINDER_TABLES_DIR", str(root))
    get_settings.cache_clear()
    holidays.schedule.cache_clear()
    yield root
    monkeypatch.delenv("REMINDER_TABLES_DIR")
    get_settings.cache_clear()
    holidays.schedule.cache_clear()


def _store(engine: Engine, day: dt.date) -> None:
    quote = f"请于{day.year}年{day.month}月{day.day}日前提交申报材料"
    deadline = Deadline(date=day, time=None, kind="application", quote=quote, span=(0, 10))
    notice = Notice(title="关于申报创新券的通知", level="municipal", published=dt.date(2026, 11, 20), issuer="湖州市科学技术局",
                    deadlines=(deadline,), conditions=(), span=(0, 100))  # fmt: skip
    doc = Document(source="https://kjj.huzhou.gov.cn/a.html", text="通知正文" * 30, notices=(notice,),
                   content_hash=secrets.token_hex(32), format="html")  # fmt: skip
    with Session(engine) as session:
        save_document(session=session, doc=doc, now=NOW)
        session.commit()


def _client(engine: Engine, tmp_path: Path) -> TestClient:
    app = make_app(engine, tmp_path)
    app.state.clock = lambda: NOW
    return TestClient(app, follow_redirects=False)


def test_a_2027_deadline_without_2027_data_warns(sqlite_engine: Engine, tmp_path: Path, tables: Path) -> None:
    assert 2027 not in holidays.package_years()
    _store(sqlite_engine, dt.date(2027, 3, 19))
    with _client(sqlite_engine, tmp_path) as client:
        client.post("/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin"})
        page = client.get("/admin").text
        assert 'id="holiday-gaps"' in page and "2027 年尚无国务院节假日安排数据" in page
        metrics = parse_prometheus(client.get("/metrics").text)
        assert value(metrics, "reminder_holiday_data_missing", year="2027") == 1
        assert value(metrics, "reminder_holiday_data_missing", year="2026") == 0

        (tables / "holidays.yaml").write_text("years:\n  2027:\n    放假: [2027-01-01]\n", encoding="utf-8")
        holidays.reload_schedule()
        assert 'id="holiday-gaps"' not in client.get("/admin").text
        assert (
            value(parse_prometheus(client.get("/metrics").text), "reminder_holiday_data_missing", year="2027")
            == 0
        )


def test_no_warning_when_every_year_is_known(sqlite_engine: Engine, tmp_path: Path, tables: Path) -> None:
    _store(sqlite_engine, dt.date(2026, 12, 25))
    with _client(sqlite_engine, tmp_path) as client:
        client.post("/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin"})
        assert 'id="holiday-gaps"' not in client.get("/admin").text
