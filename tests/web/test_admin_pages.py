"""The operator pages: sign in, ingest, review with highlighted quotes, correct, publish, dashboard."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import admin_fixtures as fx
import pytest
from admin_fixtures import (
    ADMIN_TOKEN,
    APPLICATION_QUOTE,
    NOTICE,
    TITLE,
    make_docx,
    make_pdf,
    outbox,
    register,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.db.models import Correction, Match, NoticeRow, Reminder
from reminder.web.admin.queries import highlight

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template
admin_app, anonymous = fx.admin_app, fx.anonymous


@pytest.fixture
def browser(admin_app: FastAPI) -> Iterator[TestClient]:
    """A client signed in through the login form as 赵六."""
    with TestClient(admin_app, follow_redirects=False) as client:
        response = client.post(
            "/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin"}
        )
        assert response.status_code == 303
        yield client


def paste(client: TestClient, text: str = NOTICE, name: str = "jishu", publish: bool = False) -> int:
    form = {"text": text, "text_name": name} | ({"publish": "on"} if publish else {})
    page = client.post("/admin/ingest", data=form)
    assert page.status_code == 200, page.text
    ids = re.findall(r'href="/admin/notices/(\d+)"', page.text)
    assert ids, page.text
    return int(ids[0])


def alerts(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'role="alert">(.*?)</p>', page, re.S)]


# ── signing in ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path", ["/admin", "/admin/ingest", "/admin/notices", "/admin/notices/1"])
def test_pages_send_strangers_to_the_login_form(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/login?next={path}"


@pytest.mark.parametrize("token", ["wrong", "company-" + "c" * 40])
def test_a_wrong_token_cookie_is_dropped_and_shows_nothing(admin_app: FastAPI, token: str) -> None:
    with TestClient(admin_app, follow_redirects=False, cookies={"token": token}) as client:
        paste_client = TestClient(admin_app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        paste_client.post("/api/admin/ingest", data={"text": NOTICE})
        paste_client.close()
        response = client.get("/admin/notices")
        # a raw-token cookie is no credential any more (issue 16, item 17: sessions only)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
        assert TITLE not in response.text
        posted = client.post("/admin/notices/1/publish")
        assert posted.status_code == 303 and posted.headers["location"].startswith("/admin/login")


def test_login_refuses_a_wrong_token(anonymous: TestClient) -> None:
    page = anonymous.post("/admin/login", data={"token": "guess", "operator": "x"}, follow_redirects=False)
    assert page.status_code == 403 and "令牌无效" in page.text
    assert "set-cookie" not in page.headers


def test_login_sets_a_strict_http_only_cookie_for_admin_pages_only(anonymous: TestClient) -> None:
    response = anonymous.post(
        "/admin/login",
        data={"token": ADMIN_TOKEN, "operator": "赵六", "next": "/admin/notices"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/admin/notices")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("admin_session="))
    assert {"HttpOnly", "Path=/admin", "SameSite=strict"} <= {part.strip() for part in cookie.split(";")}
    assert ADMIN_TOKEN not in " ".join(response.headers.get_list("set-cookie")), "a session id, not the token"


def test_login_never_redirects_off_site(anonymous: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/admin", "/c/1"):
        response = anonymous.post(
            "/admin/login", data={"token": ADMIN_TOKEN, "next": target}, follow_redirects=False
        )
        assert response.headers["location"] == "/admin"


# ── ingest ─────────────────────────────────────────────────────────────────────────────────


def test_upload_files_and_see_the_summary_with_failures(browser: TestClient) -> None:
    files = [
        ("files", ("notice.pdf", make_pdf(), "application/pdf")),
        (
            "files",
            (
                "notice.docx",
                make_docx(NOTICE.replace("湖州市企业技术中心", "湖州市工业设计中心")),
                "application/octet-stream",
            ),
        ),
        ("files", ("broken.docx", b"PK\x03\x04 truncated", "application/octet-stream")),
        ("files", ("news.txt", "今天天气很好，市民纷纷外出踏青。".encode(), "text/plain")),
    ]
    page = browser.post("/admin/ingest", files=files)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "新文档 2 个" in text and "不是申报通知 1 个" in text and "失败 1 个" in text
    assert re.search(r'<ul class="skipped">\s*<li><strong>[^<]*news\.txt</strong>：不是申报通知', text)
    assert TITLE in text and "关于组织申报2025年度湖州市工业设计中心的通知" in text
    assert re.search(r"broken\.docx</strong>：<span class=\"error\">[^<]*damaged", text)


def test_ingest_without_input_says_what_to_give(browser: TestClient) -> None:
    page = browser.post("/admin/ingest", data={"text": "  "})
    assert page.status_code == 422 and "请上传文件、粘贴文本或填写网址" in alerts(page.text)[0]


# ── review ─────────────────────────────────────────────────────────────────────────────────


def marks(page: str) -> list[tuple[str, str]]:
    return [
        (cls, html.unescape(text))
        for cls, text in re.findall(r'<mark class="(\w+)"[^>]*>(.*?)</mark>', page, re.S)
    ]


def test_the_review_page_marks_every_quote_in_the_source(browser: TestClient) -> None:
    page = browser.get(f"/admin/notices/{paste(browser)}").text
    found = marks(page)  # benefits, ways to apply, contacts and attachments are marked too (issue 13)
    facts = {"benefit", "how_to_apply", "contact", "attachment"}
    assert {cls for cls, _ in found} <= {"condition", "deadline", *facts}
    assert [(cls, text) for cls, text in found if cls in ("condition", "deadline")] == [
        ("condition", "在湖州市依法注册"),
        ("condition", "职工总数不超过500人"),
        ("condition", "营业收入不低于2000万元"),
        ("condition", "研发费用占营业收入比例不低于3%"),
        ("deadline", "2025年4月10日17:00"),
        ("deadline", "2025年4月20日"),
    ]


def test_overlapping_quotes_share_their_overlap() -> None:
    pieces = highlight("请于4月10日前提交材料", 100, [(102, 108, "d1"), (106, 111, "c1"), (95, 99, "c2")])
    assert [(p.text, p.marks, p.kind) for p in pieces] == [
        ("请于", (), ""),
        ("4月10", ("d1",), "deadline"),
        ("日前", ("d1", "c1"), "deadline"),
        ("提交材", ("c1",), "condition"),
        ("料", (), ""),
    ]


def test_source_text_is_escaped(browser: TestClient) -> None:
    hostile = NOTICE.replace("三、联系方式", '三、联系方式<script>alert("x")</script><b>粗体</b>')
    page = browser.get(f"/admin/notices/{paste(browser, hostile, name='hostile')}").text
    assert "<script>alert" not in page and "<b>粗体" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;粗体" in page


def deadline_form(page: str, quote: str) -> str:
    row = re.search(r'<tr id="(d\d+)">\s*<td class="quote">' + re.escape(quote), page)
    assert row, page
    return row.group(1)[1:]


def test_correct_a_deadline_through_the_form(browser: TestClient, sqlite_engine: Engine) -> None:
    notice_id = paste(browser)
    deadline_id = deadline_form(browser.get(f"/admin/notices/{notice_id}").text, APPLICATION_QUOTE)
    form = {"date": "2025-04-15", "time": "17:00", "kind": "application", "batch": "", "note": "以系统为准"}
    response = browser.post(f"/admin/notices/{notice_id}/deadlines/{deadline_id}", data=form)
    assert response.status_code == 303
    page = browser.get(response.headers["location"]).text
    assert "已保存更正" in page and "2025年4月15日 周二 17:00 · 申报截止" in page
    history = re.search(r'<table class="history">(.*?)</table>', page, re.S)
    assert history and "赵六" in history.group(1) and "2025年3月15日 周六 09:00" in history.group(1)
    with Session(sqlite_engine) as session:
        [c] = session.exec(select(Correction)).all()
    assert (c.author, c.values, c.note) == ("赵六", {"date": "2025-04-15"}, "以系统为准")  # only what changed


def test_an_invalid_correction_is_shown_next_to_its_form(browser: TestClient) -> None:
    notice_id = paste(browser)
    deadline_id = deadline_form(browser.get(f"/admin/notices/{notice_id}").text, APPLICATION_QUOTE)
    page = browser.post(
        f"/admin/notices/{notice_id}/deadlines/{deadline_id}",
        data={"date": "2025-13-40", "kind": "application"},
    )
    assert page.status_code == 422
    assert any("日期无效" in a for a in alerts(page.text))
    unchanged = browser.post(
        f"/admin/notices/{notice_id}/deadlines/{deadline_id}",
        data={"date": "2025-04-10", "time": "17:00", "kind": "application"},
    )
    assert unchanged.status_code == 422 and any("没有要更正的内容" in a for a in alerts(unchanged.text))


def test_add_and_delete_a_condition(browser: TestClient, sqlite_engine: Engine) -> None:
    notice_id = paste(browser)
    form = {"field": "qualification", "op": "has", "value": "高新技术企业、科技型中小企业", "hard": "on"}
    assert browser.post(f"/admin/notices/{notice_id}/conditions", data=form).status_code == 303
    page = browser.get(f"/admin/notices/{notice_id}").text
    assert "资质 具有 高新技术企业、科技型中小企业" in page  # Chinese labels from the field registry
    assert (
        '<option value="headcount" >职工总数</option>' in page
        and '<option value="<=" >不超过</option>' in html.unescape(page)
    )
    headcount = re.search(r'<tr id="c(\d+)">\s*<td class="quote">职工总数', page)
    assert headcount
    assert (
        browser.post(f"/admin/notices/{notice_id}/conditions/{headcount.group(1)}/delete").status_code == 303
    )
    page = browser.get(f"/admin/notices/{notice_id}").text
    assert "职工总数 不超过 500" not in page and "删除申报条件「职工总数不超过500人」" in html.unescape(page)


def test_publish_from_the_review_page_matches_companies(browser: TestClient, sqlite_engine: Engine) -> None:
    company = register(sqlite_engine)
    notice_id = paste(browser)
    assert 'id="publish"' in browser.get(f"/admin/notices/{notice_id}").text
    response = browser.post(f"/admin/notices/{notice_id}/publish")
    page = browser.get(response.headers["location"]).text
    assert "已发布" in page and 'id="unpublish"' in page
    with Session(sqlite_engine) as session:
        assert session.exec(select(NoticeRow.status)).all() == ["published"]
        assert session.exec(select(Match.status).where(Match.company_id == company.id)).all() == ["eligible"]
    browser.post(f"/admin/notices/{notice_id}/unpublish")
    with Session(sqlite_engine) as session:
        assert session.exec(select(NoticeRow.status)).all() == ["draft"]


def test_notice_list_filters(browser: TestClient) -> None:
    draft = paste(browser)
    published = paste(browser, NOTICE.replace("企业技术中心", "工业设计中心"), name="sheji", publish=True)

    def listed(query: str) -> list[int]:
        return [
            int(i)
            for i in re.findall(r'href="/admin/notices/(\d+)"', browser.get(f"/admin/notices{query}").text)
        ]

    assert sorted(listed("")) == sorted([draft, published])
    assert listed("?status=draft") == [draft] and listed("?status=published") == [published]
    assert sorted(listed("?when=open")) == sorted([draft, published]) and listed("?when=past") == []


# ── dashboard ──────────────────────────────────────────────────────────────────────────────


def section(page: str, name: str) -> str:
    found = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert found, name
    return html.unescape(found.group(1))


def test_dashboard_shows_deadlines_companies_failures_and_dead_reminders(
    browser: TestClient, sqlite_engine: Engine
) -> None:
    company = register(sqlite_engine)
    paste(browser, publish=True)
    ids = outbox(sqlite_engine, company)
    page = browser.get("/admin").text
    assert "2025年4月10日 周四 17:00" in section(page, "upcoming") and TITLE in section(page, "upcoming")
    assert re.search(
        r"湖州测试科技有限公司.*?<td class=\"eligible\">1</td>", section(page, "companies"), re.S
    )
    failed = section(page, "failed")
    assert "HTTP 500: receiver down" in failed and "old failure" not in failed and "SECRETKEY" not in page
    assert f"/admin/reminders/{ids['dead']}/requeue" in section(page, "dead")
    response = browser.post(f"/admin/reminders/{ids['dead']}/requeue")
    assert response.headers["location"] == "/admin?done=requeued"
    with Session(sqlite_engine) as session:
        assert session.get(Reminder, ids["dead"]).status == "pending"  # type: ignore[union-attr]
    assert "没有已放弃的提醒" in browser.get("/admin").text
