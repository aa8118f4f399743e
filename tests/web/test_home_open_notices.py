"""Issue 12, item 3: the home page lists as open only what one can still apply to.

A notice saying 常态化受理 whose only dated deadline passed (a 2023 call seen in 2025) is history; an
undated 常年受理 call stays open and is labelled 常态化受理. Published through the operator pages, read
on the home page, on SQLite and PostgreSQL (the filter is SQL: ``reminder.db.store.open_notice_filter``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import admin_fixtures as fx
import pytest
from admin_fixtures import ADMIN_TOKEN
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

any_engine, migrated_template, migrated_postgres = fx.any_engine, fx.migrated_template, fx.migrated_postgres

#: 常态化 in the title and the text, but this year's only date is long past (the clock is 2025-03-15)
PAST_ROLLING = """关于常态化受理2023年度小微企业创业补贴申请的通知
各有关企业：
为支持小微企业发展，现就2023年度创业补贴申请有关事项通知如下。
一、申报条件
在本市注册的小微企业。
二、申报时间
本补贴实行常态化受理，本年度申请截止时间为2023年11月30日17:00。
三、联系方式
联系人：王老师
杭州市某某局
2023年3月1日
"""
PAST_TITLE = "关于常态化受理2023年度小微企业创业补贴申请的通知"

#: no date at all: open all year
YEAR_ROUND = """关于常年受理企业技术改造项目备案的通知
各有关企业：
为推动企业技术改造，现就项目备案有关事项通知如下。
一、申报条件
在本市注册、具有独立法人资格的工业企业。
二、受理方式
项目备案常年受理，企业可随时通过系统提交材料。
三、联系方式
联系人：李老师
杭州市某某局
2024年5月6日
"""
YEAR_ROUND_TITLE = "关于常年受理企业技术改造项目备案的通知"


@pytest.fixture
def operator(any_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    app = fx.make_app(any_engine, tmp_path)
    with TestClient(app, follow_redirects=False) as client:
        signed_in = client.post(
            "/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin"}
        )
        assert signed_in.status_code == 303
        yield client


def _publish(client: TestClient, text: str, name: str) -> None:
    page = client.post("/admin/ingest", data={"text": text, "text_name": name, "publish": "on"})
    assert page.status_code == 200 and re.search(r'href="/admin/notices/\d+"', page.text), page.text


def _rows(home: str) -> dict[str, str]:
    """Each listed notice's title → the text of its deadline cell."""
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>.*?</td>\s*<td>(.*?)</td>\s*</tr>", home, re.S)
    return {
        re.sub(r"<.*", "", title, flags=re.S).strip(): re.sub(r"<[^>]+>", " ", cell).strip()
        for title, cell in rows
    }


def test_a_past_rolling_call_is_not_open_and_a_year_round_call_is(operator: TestClient) -> None:
    _publish(operator, PAST_ROLLING, "past-rolling")
    _publish(operator, YEAR_ROUND, "year-round")
    home = html.unescape(operator.get("/").text)
    rows = _rows(home)
    assert PAST_TITLE not in home, "a 2023 call is history on a 2025 home page, whatever its text says"
    assert rows.get(YEAR_ROUND_TITLE) == "常态化受理", rows


def test_only_past_calls_leave_the_home_page_empty(operator: TestClient) -> None:
    _publish(operator, PAST_ROLLING, "past-rolling")
    home = html.unescape(operator.get("/").text)
    assert PAST_TITLE not in home and "目前没有正在受理的申报通知" in home
