"""The operator's source pages and the sources API (issue 17): list, add, test before saving, discover
columns, pause and resume, flags on the dashboard and in /metrics.

The "government web" is the fixture web of tests/sources, served on loopback hosts 127.0.0.2…; the
app's allow-list names exactly those hosts, as a deployment's would name an intranet site.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import admin_fixtures as fx
import pytest
from admin_fixtures import ADMIN_TOKEN, NOW, admin_settings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from fixture_templates import TRS  # noqa: E402
from fixture_web import FixtureWeb, Site, make_notices  # noqa: E402

from reminder.config import Settings  # noqa: E402
from reminder.db.engine import session_scope  # noqa: E402
from reminder.db.source_store import FAILURES_FLAGGED, add_source, get_source, record_failure  # noqa: E402
from reminder.sources import Fetcher, FetchPolicy, SourceSpec  # noqa: E402
from reminder.web import create_app  # noqa: E402

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template

TODAY = dt.date(2025, 3, 14)
TITLE_RE = re.compile(r"关于组织申报\d{4}年度第\d+批青松科创项目的通知")


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as fixture:
        yield fixture


@pytest.fixture
def site(web: FixtureWeb) -> Site:
    """A TRS-style 科技局 site: a home page naming its 通知公告 column, 12 notices over two list pages."""
    site = web.site(template=TRS, notices=make_notices(12, TODAY))
    site.put(
        "/index.html",
        '<div class="nav"><a href="/">首页</a><a href="/jggk/">机构概况</a><a href="/tzgg/index.html">通知公告</a></div>'.encode(),
    )
    return site


def _fast_fetcher(settings: Settings) -> Fetcher:
    return Fetcher(settings, FetchPolicy(delay=0.005, timeout=2.0, retries=0))


@pytest.fixture
def app(sqlite_engine: Engine, tmp_path: Path, web: FixtureWeb, site: Site) -> FastAPI:
    settings = admin_settings(tmp_path, webhook_allow_hosts=web.allow_hosts())
    return create_app(settings, engine=sqlite_engine, clock=lambda: NOW, source_fetcher=_fast_fetcher)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        response = client.post(
            "/admin/login", data={"token": ADMIN_TOKEN, "operator": "钱七", "next": "/admin"}
        )
        assert response.status_code == 303
        yield client


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        yield client


def _form(site: Site, **changes: str) -> dict[str, str]:
    return {
        "url": site.list_url(),
        "name": "青松市科技局 通知公告",
        "issuer": "青松市科学技术局",
        "region": "青松市",
        "level": "municipal",
        "trust": "review",
        "interval_hours": "6",
        "enabled": "on",
        "action": "save",
    } | changes


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _field_error(page: str, name: str) -> str | None:
    m = re.search(rf'id="error-{name}">(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)) if m else None


# ── pages ──────────────────────────────────────────────────────────────────────────────────


def test_the_pages_need_a_signed_in_operator(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as client:
        for path in ("/admin/sources", "/admin/sources/1"):
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
        assert client.post("/admin/sources", data={"action": "test"}).status_code == 303


def test_the_admin_nav_links_the_sources_page(browser: TestClient) -> None:
    assert 'href="/admin/sources">信息来源</a>' in browser.get("/admin").text


def test_test_shows_titles_dates_links_and_next_page_without_saving(browser: TestClient, site: Site) -> None:
    page = browser.post("/admin/sources", data=_form(site, action="test"))
    assert page.status_code == 200
    shown = _text(page.text)
    assert "读到 10 个条目" in shown
    newest = site.notices[0]
    assert newest.title in shown and newest.published.isoformat() in shown
    assert f'href="{site.detail_url(newest)}"' in page.text
    assert site.url("/tzgg/index_1.html") in page.text  # the next page
    assert "还没有信息来源" in shown  # nothing saved
    assert 'value="青松市科学技术局"' in page.text  # the form keeps what was typed


def test_save_adds_the_source_then_pause_and_resume(browser: TestClient, site: Site) -> None:
    response = browser.post("/admin/sources", data=_form(site))
    assert response.status_code == 303
    location = response.headers["location"]
    source_id = int(re.findall(r"/admin/sources/(\d+)", location)[0])
    page = browser.get(location)
    assert "来源已添加" in page.text and "青松市科技局 通知公告" in page.text
    listed = _text(browser.get("/admin/sources").text)
    assert "青松市科技局 通知公告" in listed and site.list_url() in listed and "启用" in listed
    assert "6 小时" in listed and "人工审核后发布" in listed

    paused = browser.post(f"/admin/sources/{source_id}/pause")
    assert paused.status_code == 303
    page = _text(browser.get(paused.headers["location"]).text)
    assert "已暂停轮询" in page and "恢复轮询" in page
    assert "已暂停" in _text(browser.get("/admin/sources").text)
    resumed = browser.post(f"/admin/sources/{source_id}/resume")
    assert "已恢复轮询" in browser.get(resumed.headers["location"]).text

    edited = browser.post(f"/admin/sources/{source_id}", data=_form(site, interval_hours="12", trust="auto"))
    assert edited.status_code == 303
    assert "12 小时" in _text(browser.get("/admin/sources").text)
    tested = browser.post(f"/admin/sources/{source_id}/test")
    assert "读到 10 个条目" in _text(tested.text)


def test_errors_appear_under_their_fields(browser: TestClient, site: Site) -> None:
    page = browser.post(
        "/admin/sources",
        data=_form(site, url="ftp://files.example.gov.cn/", issuer="", hint_items="ul >> li"),
    )
    assert page.status_code == 422
    assert "http:// 或 https://" in (_field_error(page.text, "url") or "")
    assert _field_error(page.text, "issuer") == "请填写发布机关"
    assert "CSS" in (_field_error(page.text, "hint_items") or "")
    assert "还没有信息来源" in _text(page.text)

    browser.post("/admin/sources", data=_form(site))
    again = browser.post("/admin/sources", data=_form(site))
    assert again.status_code == 422 and "已在监测中" in (_field_error(again.text, "url") or "")


def test_the_address_guard_holds_for_tests_from_the_page(browser: TestClient) -> None:
    """127.0.0.1 is not on the allow-list (only the fixture hosts are): the page says why, nothing is read."""
    page = browser.post(
        "/admin/sources", data={**_form_blank(), "url": "http://127.0.0.1:9/tzgg/", "action": "test"}
    )
    assert page.status_code == 200
    assert "未能读取列表页" in _text(page.text) and "回环地址" in _text(page.text)


def _form_blank() -> dict[str, str]:
    return {"name": "试读", "issuer": "试读", "region": "青松市", "level": "municipal", "trust": "review"}


def test_discover_proposes_the_notice_column_with_a_preview_and_an_add_button(
    browser: TestClient, site: Site
) -> None:
    data = {
        "home_url": site.url("/index.html"),
        "issuer": "青松市科学技术局",
        "region": "青松市",
        "level": "municipal",
    }
    page = browser.post("/admin/sources/discover", data=data)
    assert page.status_code == 200
    shown = _text(page.text)
    assert "通知公告" in shown and site.notices[0].title in shown and "添加此栏目" in shown
    forms = re.findall(r'<form method="post" action="/admin/sources">(.*?)</form>', page.text, re.S)
    assert forms
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', forms[0]))
    assert fields["url"] == site.list_url()
    fields = {k: html.unescape(v) for k, v in fields.items()} | {"action": "save"}
    added = browser.post("/admin/sources", data=fields)
    assert added.status_code == 303
    assert "青松市科学技术局 通知公告" in browser.get(added.headers["location"]).text


def test_discover_says_why_when_the_home_page_fails(browser: TestClient, site: Site) -> None:
    page = browser.post("/admin/sources/discover", data={"home_url": site.url("/nothing-here.html")})
    assert page.status_code == 422 and _field_error(page.text, "home_url")
    page = browser.post("/admin/sources/discover", data={"home_url": "kjj.example.gov.cn"})
    assert "首页网址必须是" in (_field_error(page.text, "home_url") or "")


def _flagged_source(engine: Engine, site: Site) -> int:
    spec = SourceSpec(
        "青松市工信局 通知公告", "青松市工业和信息化局", "青松市", "municipal", site.url("/gxj/tzgg/")
    )
    with session_scope(engine) as session:
        row = add_source(session=session, spec=spec, now=NOW)
        for _ in range(FAILURES_FLAGGED):
            record_failure(session=session, row=row, reason="HTTP 500", now=NOW, next_at=NOW)
        assert row.id is not None
        return row.id


def test_a_flagged_source_is_on_the_dashboard_and_in_metrics(
    browser: TestClient, sqlite_engine: Engine, site: Site
) -> None:
    source_id = _flagged_source(sqlite_engine, site)
    dashboard = browser.get("/admin")
    shown = _text(dashboard.text)
    assert "需要关注的信息来源" in shown and "青松市工信局 通知公告" in shown
    assert f"连续 {FAILURES_FLAGGED} 次抓取失败" in shown
    assert f'href="/admin/sources/{source_id}"' in dashboard.text
    metrics = browser.get("/metrics").text
    assert "reminder_sources_flagged 1" in metrics
    assert f'reminder_source_failures{{source="{source_id}"}} {FAILURES_FLAGGED}' in metrics
    listed = browser.get("/admin/sources").text
    assert 'class="flagged"' in listed


def test_the_dashboard_has_no_source_section_when_all_are_healthy(browser: TestClient) -> None:
    assert "需要关注的信息来源" not in browser.get("/admin").text


# ── API ────────────────────────────────────────────────────────────────────────────────────


def _body(site: Site, **changes: object) -> dict[str, object]:
    return {
        "name": "青松市科技局 通知公告",
        "issuer": "青松市科学技术局",
        "region": "青松市",
        "level": "municipal",
        "url": site.list_url(),
    } | changes


def test_api_add_list_patch_and_test(api: TestClient, site: Site, sqlite_engine: Engine) -> None:
    tried = api.post("/api/admin/sources/test", json={"url": site.list_url()})
    assert tried.status_code == 200, tried.text
    assert tried.json()["ok"] and len(tried.json()["items"]) == 10
    assert tried.json()["next_url"] == site.url("/tzgg/index_1.html")

    created = api.post("/api/admin/sources", json=_body(site, hints={"items": "ul.list li"}))
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["interval_hours"] == 6 and source["trust"] == "review" and source["enabled"]
    assert source["hints"] == {"items": "ul.list li"} and source["flagged"] is None

    listed = api.get("/api/admin/sources").json()
    assert [s["url"] for s in listed] == [site.list_url()]

    patched = api.patch(f"/api/admin/sources/{source['id']}", json={"enabled": False, "interval_hours": 12})
    assert patched.status_code == 200, patched.text
    assert patched.json()["enabled"] is False and patched.json()["interval_hours"] == 12
    assert patched.json()["name"] == "青松市科技局 通知公告"  # fields not given are kept
    with session_scope(sqlite_engine) as session:
        row = get_source(session=session, source_id=source["id"])
        assert row is not None and not row.enabled and row.poll_interval_s == 12 * 3600

    tested = api.post(f"/api/admin/sources/{source['id']}/test")
    assert tested.status_code == 200 and len(tested.json()["items"]) == 10
    assert api.get(f"/api/admin/sources/{source['id'] + 100}").status_code == 404

    found = api.post("/api/admin/sources/discover", json={"url": site.url("/index.html")})
    assert found.status_code == 200, found.text
    assert found.json()[0]["name"] == "通知公告" and found.json()[0]["looks_like_list"]


def test_api_needs_the_admin_token(app: FastAPI) -> None:
    with TestClient(app) as client:
        assert client.get("/api/admin/sources").status_code == 401
        assert client.post("/api/admin/sources", json={}).status_code == 401
        other = {"Authorization": "Bearer company-" + "k" * 40}
        assert client.get("/api/admin/sources", headers=other).status_code == 403


def test_api_422_names_the_field_in_chinese(api: TestClient, site: Site) -> None:
    bad = api.post("/api/admin/sources", json=_body(site, url="javascript:alert(1)"))
    assert bad.status_code == 422
    [error] = bad.json()["detail"]
    assert error["loc"] == ["body", "url"] and "http:// 或 https://" in error["msg"]

    css = api.post("/api/admin/sources", json=_body(site, hints={"items": "ul >> li"}))
    assert css.status_code == 422 and css.json()["detail"][0]["loc"] == ["body", "hints", "items"]

    blank = api.post("/api/admin/sources", json=_body(site, name="  "))
    assert blank.status_code == 422 and blank.json()["detail"][0]["msg"] == "请填写来源名称"

    odd = api.post("/api/admin/sources", json=_body(site, level="village", interval_hours=0))
    assert odd.status_code == 422
    messages = {tuple(e["loc"]): e["msg"] for e in odd.json()["detail"]}
    assert "层级只能是" in messages[("body", "level")]
    assert "轮询间隔须在" in messages[("body", "interval_hours")]

    assert api.post("/api/admin/sources", json=_body(site)).status_code == 201
    duplicate = api.post("/api/admin/sources", json=_body(site))
    assert duplicate.status_code == 422 and "已在监测中" in duplicate.json()["detail"][0]["msg"]

    bad_patch = api.patch("/api/admin/sources/1", json={"url": "ftp://x"})
    assert bad_patch.status_code == 422 and bad_patch.json()["detail"][0]["loc"] == ["body", "url"]
    assert api.post("/api/admin/sources/test", json={"url": "kjj"}).status_code == 422
