"""The public notice page links to the page the notice was read from, when that is an http(s) address (issue 17)."""

from __future__ import annotations

import html
import re

import admin_fixtures as fx
import pytest
from admin_fixtures import ingest_text
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.models import DocumentRow, NoticeRow

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template
admin_app, api, anonymous = fx.admin_app, fx.api, fx.anonymous

PAGE = "https://kjj.qingsong.example.gov.cn/art/2025/3/10/art_1021_88.html"


def _set_source(engine: Engine, notice_id: int, source: str) -> None:
    with Session(engine) as session:
        notice = session.get(NoticeRow, notice_id)
        assert notice is not None
        document = session.get(DocumentRow, notice.document_id)
        assert document is not None
        document.source = source
        session.add(document)
        session.commit()


def _source_links(page: str) -> list[str]:
    m = re.search(r'<p class="meta source-link" id="source-link">(.*?)</p>', page, re.S)
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', m.group(1))] if m else []


def test_a_notice_read_from_a_web_page_links_to_it(
    api: TestClient, anonymous: TestClient, sqlite_engine: Engine
) -> None:
    notice_id = ingest_text(api, publish=True)
    _set_source(sqlite_engine, notice_id, PAGE)
    page = anonymous.get(f"/notices/{notice_id}")
    assert page.status_code == 200
    assert _source_links(page.text) == [PAGE]
    assert "查看发布网站上的原文" in page.text


@pytest.mark.parametrize("source", ["jishu-zhongxin", "javascript:alert(1)", "file:///etc/passwd"])
def test_no_link_when_the_source_is_not_a_web_address(
    api: TestClient, anonymous: TestClient, sqlite_engine: Engine, source: str
) -> None:
    notice_id = ingest_text(api, publish=True)
    _set_source(sqlite_engine, notice_id, source)
    page = anonymous.get(f"/notices/{notice_id}")
    assert page.status_code == 200
    assert _source_links(page.text) == [] and "查看发布网站上的原文" not in page.text
