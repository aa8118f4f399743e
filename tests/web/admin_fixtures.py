"""Fixtures and factories for the operator-side web tests (import what a module needs from here).

Every database is real: a migrated SQLite file per test, and PostgreSQL (127.0.0.1:5432, database
``test``, one throwaway schema per test) where a fixture is parametrised over both; the PostgreSQL
variant skips with the reason when the server cannot be reached.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import psycopg
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pg_utils import BACKENDS
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from reminder.companies.profiles import register_company
from reminder.config import Settings
from reminder.db.engine import make_engine, session_scope
from reminder.db.migrate import upgrade
from reminder.db.models import Channel, Company, Delivery, Reminder
from reminder.model import TZ
from reminder.web import create_app

PG_HOST, PG_PORT, PG_USER, PG_DB = "127.0.0.1", 5432, "postgres", "test"

#: the operator's token in every test app
ADMIN_TOKEN = "admin-" + secrets.token_urlsafe(16)
#: "now" inside the apps: before the April deadlines of NOTICE
NOW = dt.datetime(2025, 3, 15, 9, 0, tzinfo=TZ)

#: a municipal call with two deadlines and four conditions the extractor reads
NOTICE = """关于组织申报2025年度湖州市企业技术中心的通知

各区县经信局，有关企业：
为加快企业技术创新体系建设，现将2025年度市级企业技术中心申报工作有关事项通知如下。
一、申报条件
1. 在湖州市依法注册登记的企业，职工总数不超过500人。
2. 2024年度营业收入不低于2000万元。
3. 研发费用占营业收入比例不低于3%。
二、申报时间
请申报企业于2025年4月10日17:00前通过系统提交申报材料。各区县经信局于2025年4月20日前完成审核推荐。
三、联系方式
联系人：张三，电话：0572-1234567。

湖州市经济和信息化局
2025年3月10日
"""
TITLE = "关于组织申报2025年度湖州市企业技术中心的通知"
APPLICATION_QUOTE = "请申报企业于2025年4月10日17:00前通过系统提交申报材料。"
RECOMMENDATION_QUOTE = "各区县经信局于2025年4月20日前完成审核推荐。"


def changed_notice() -> str:
    """NOTICE, edited elsewhere: a new contact and a later recommendation cutoff; the application
    sentence (the one an operator corrects in the tests) is unchanged."""
    return NOTICE.replace("联系人：张三", "联系人：李四").replace(
        "4月20日前完成审核推荐", "4月25日前完成审核推荐"
    )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the head revision, migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "reminder.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[Engine]:
    """A throwaway schema in PostgreSQL's ``test`` database, migrated once for the session."""
    try:
        conn = psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_DB, connect_timeout=2, autocommit=True
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT} as {PG_USER}/{PG_DB}: {exc}")
    schema = f"web_{os.getpid()}_{secrets.token_hex(4)}"
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        engine = make_engine(
            f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{schema}"
        )
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _sqlite_copy(template: Path, tmp_path: Path) -> Engine:
    target = tmp_path / "db" / "reminder.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return make_engine(f"sqlite:///{target}")


def _truncate(engine: Engine) -> None:
    names = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        engine = _sqlite_copy(request.getfixturevalue("migrated_template"), tmp_path)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("migrated_postgres")
    yield engine
    _truncate(engine)


@pytest.fixture
def sqlite_engine(migrated_template: Path, tmp_path: Path) -> Iterator[Engine]:
    engine = _sqlite_copy(migrated_template, tmp_path)
    yield engine
    engine.dispose()


def admin_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test app: a known admin token, data under tmp_path."""
    values: dict[str, Any] = {"admin_token": ADMIN_TOKEN, "data_dir": tmp_path / "data", "fetch_timeout": 5.0}
    values["metrics_allow_ips"] = ["127.0.0.1", "testclient"]  # TestClient's peer is "testclient"
    values["auth_failure_limits"] = "10000/minute"  # lockout is tested in test_security_sessions.py
    return Settings(**(values | overrides))


def make_app(engine: Engine, tmp_path: Path, **overrides: Any) -> FastAPI:
    """The whole app on ``engine``, its clock stopped at NOW."""
    return create_app(admin_settings(tmp_path, **overrides), engine=engine, clock=lambda: NOW)


@pytest.fixture
def admin_app(sqlite_engine: Engine, tmp_path: Path) -> FastAPI:
    return make_app(sqlite_engine, tmp_path)


@pytest.fixture
def api(admin_app: FastAPI) -> Iterator[TestClient]:
    """A client that sends the admin token as a Bearer header."""
    with TestClient(admin_app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        yield client


@pytest.fixture
def anonymous(admin_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(admin_app) as client:
        yield client


def ingest_text(
    client: TestClient, text: str = NOTICE, *, name: str = "jishu-zhongxin", publish: bool = False
) -> int:
    """Paste a notice through the API; the id of its (first) notice."""
    data = {"text": text, "text_name": name, "publish": "true" if publish else "false"}
    response = client.post("/api/admin/ingest", data=data)
    assert response.status_code == 200, response.text
    stored = response.json()["stored"]
    assert stored, response.json()
    return int(stored[0]["id"])


def register(engine: Engine, name: str = "湖州测试科技有限公司", **fields: Any) -> Company:
    """A company that meets every condition of NOTICE unless ``fields`` say otherwise."""
    data = {
        "name": name,
        "region": "浙江省湖州市吴兴区",
        "headcount": 100,
        "annual_revenue": 3000,
        "rd_expense_ratio": 5,
    }
    with session_scope(engine) as session:
        return register_company(session=session, data=data | fields)


# ── documents in every format, made in-test ─────────────────────────────────────────────────


def make_pdf(text: str = NOTICE) -> bytes:
    """A one-page PDF printing each line of ``text`` (a CJK font built into every PDF reader)."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setTitle(TITLE)
    y = 800
    for line in text.splitlines():
        pdf.setFont("STSong-Light", 10)
        pdf.drawString(30, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_docx(text: str = NOTICE) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_html(text: str = NOTICE) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    page = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>{paragraphs}</body></html>'
    return page.encode("utf-8")


# ── the outbox, for the dashboard ───────────────────────────────────────────────────────────


def outbox(engine: Engine, company: Company) -> dict[str, int]:
    """A webhook channel with a dead reminder, a pending one, and deliveries: failed 1 h ago (with a
    reason), failed 2 days ago, succeeded 1 h ago. Returns the ids by name."""
    with session_scope(engine) as session:
        channel = Channel(
            company_id=company.id or 0,
            kind="webhook",
            name="财务群",
            target="https://hooks.example.com/x?key=SECRETKEY",
        )
        session.add(channel)
        session.flush()

        def reminder(key: str, status: str) -> Reminder:
            row = Reminder(
                key=key,
                company_id=company.id or 0,
                channel_id=channel.id or 0,
                purpose="before",
                due_at=NOW,
                next_attempt_at=NOW,
                message_id=f"msg-{key}",
                status=status,
                attempts=8 if status == "dead" else 0,
                last_error="HTTP 500 from receiver" if status == "dead" else None,
            )
            session.add(row)
            session.flush()
            return row

        dead, pending = reminder("dead-one", "dead"), reminder("pending-one", "pending")
        hour, days = dt.timedelta(hours=1), dt.timedelta(days=2)
        rows = [
            Delivery(
                reminder_id=dead.id or 0,
                channel_id=channel.id,
                at=NOW - hour,
                ok=False,
                status_code=500,
                latency_ms=120.0,
                error="HTTP 500: receiver down",
                attempt=8,
            ),
            Delivery(
                reminder_id=dead.id or 0,
                channel_id=channel.id,
                at=NOW - days,
                ok=False,
                status_code=502,
                latency_ms=3000.0,
                error="HTTP 502: old failure",
                attempt=1,
            ),
            Delivery(
                reminder_id=pending.id or 0,
                channel_id=channel.id,
                at=NOW - hour,
                ok=True,
                status_code=200,
                latency_ms=40.0,
            ),
        ]
        session.add_all(rows)
        session.flush()
        return {"channel": channel.id or 0, "dead": dead.id or 0, "pending": pending.id or 0}


class Clock:
    """A clock a test moves."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def clients(any_engine: Engine, tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient, TestClient]]:
    """(the public or a company's browser, an operator) on one app whose clock the test moves."""
    app = create_app(admin_settings(tmp_path), engine=any_engine, clock=clock)
    with (
        TestClient(app) as public,
        TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin,
    ):
        yield public, admin


def move_application_deadline(admin: TestClient, notice_id: int, date: str) -> None:
    """The operator corrects the date of the notice's application deadline (the one quoting
    ``APPLICATION_QUOTE``) through the admin API."""
    deadlines = admin.get(f"/api/admin/notices/{notice_id}").json()["deadlines"]
    application = next(d for d in deadlines if d["quote"] == APPLICATION_QUOTE)
    body = {"target": "deadline", "action": "set", "deadline_id": application["id"], "values": {"date": date}}
    assert admin.post(f"/api/admin/notices/{notice_id}/corrections", json=body).status_code == 201
