"""What a call is worth and how to apply (issue 13) on the enterprise pages, the admin review page and
the JSON API: the top benefit and first step on cards, everything on the notice page, sorting by
benefit, quotes escaped, links only to http(s) addresses."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from facts_fixtures import (
    AWARD,
    AWARD_LABEL,
    AWARD_SOURCE,
    SMART,
    SMART_BENEFIT,
    SMART_CONTACT,
    SMART_FIRST_STEP,
    SMART_LABEL,
    SMART_SOURCE,
    award_facts,
    smart_facts,
    span,
    store,
    with_facts,
)
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from web_factories import HANGZHOU, NOW, bearer, register_api

from reminder.config import Settings
from reminder.extract import extract_text
from reminder.model import ApplyStep, Attachment, Benefit

ADMIN = {"Authorization": "Bearer " + "admin-" + "x" * 40}


def _text(html: str) -> str:
    """The page's visible text, roughly: tags dropped, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _article(html: str, notice_id: int) -> str:
    m = re.search(rf'<article class="match" id="notice-{notice_id}">(.*?)</article>', html, re.S)
    assert m, f"no card for notice {notice_id}"
    return m.group(1)


@pytest.fixture
def stored(engine: Engine, settings: Settings) -> dict[str, int]:
    """SMART (300 万 cap, due 3月31日) and AWARD (20 万, due 3月20日) besides the sample notices."""
    return {
        "smart": store(engine, with_facts(SMART, SMART_SOURCE, smart_facts), NOW, settings),
        "award": store(engine, with_facts(AWARD, AWARD_SOURCE, award_facts), NOW, settings),
    }


@pytest.fixture
def company(client: TestClient, stored: dict[str, int]) -> tuple[int, str]:
    return register_api(client, HANGZHOU)


def _company_page(client: TestClient, company: tuple[int, str], query: str = "") -> str:
    company_id, token = company
    client.get(f"/c/{company_id}?token={token}")  # the token goes into the cookie
    page = client.get(f"/c/{company_id}{query}")
    assert page.status_code == 200, page.text
    return page.text


def test_company_card_shows_the_top_benefit_and_the_first_way_to_apply(
    client: TestClient, company: tuple[int, str], stored: dict[str, int]
) -> None:
    html = _company_page(client, company)
    smart = _text(_article(html, stored["smart"]))
    assert f"支持： {SMART_LABEL}" in smart
    assert f"申报方式： {SMART_FIRST_STEP}" in smart
    assert f'href="/notices/{stored["smart"]}"' in _article(html, stored["smart"])
    award = _text(_article(html, stored["award"]))
    assert f"支持： {AWARD_LABEL}" in award and "电子邮件报送：sheji@example.gov.cn" in award


def test_the_notice_page_shows_every_benefit_step_material_contact_and_attachment(
    client: TestClient, stored: dict[str, int]
) -> None:
    page = client.get(f"/notices/{stored['smart']}")
    assert page.status_code == 200
    text = _text(page.text)
    assert SMART_LABEL in text and SMART_BENEFIT in text  # the label and its quote
    assert "网上申报：杭州市企业服务平台" in text and "推荐/受理单位：所在区县经信局" in text
    assert "申报书、承诺书、审计报告 （一式2份）" in text or "申报书、承诺书、审计报告（一式2份）" in text
    assert "王五" in text and "0571-87654321" in text and "wangwu@example.gov.cn" in text
    assert SMART_CONTACT in text
    assert '<a href="https://qy.example.gov.cn/files/guide.pdf"' in page.text and "附件1：" in text
    assert '<a href="https://qy.example.gov.cn/apply"' in page.text
    assert (
        '<a href="tel:0571-87654321">' in page.text and '<a href="mailto:wangwu@example.gov.cn">' in page.text
    )
    assert "2025年3月31日" in text  # deadlines are there too


def test_the_home_page_shows_the_top_benefit_and_links_the_notice_page(
    client: TestClient, stored: dict[str, int]
) -> None:
    html = client.get("/").text
    rows = [r for r in html.split("<tr>") if f'href="/notices/{stored["smart"]}"' in r]
    assert len(rows) == 1 and SMART_LABEL in _text(rows[0]) and SMART_FIRST_STEP in _text(rows[0])
    assert _text(rows[0]).strip().startswith("关于组织申报2025年度杭州市智能制造示范项目的通知")


def test_sorting_by_benefit_puts_the_largest_first_and_days_left_is_the_default(
    client: TestClient, company: tuple[int, str], stored: dict[str, int]
) -> None:
    def order(html: str, pattern: str) -> list[int]:
        ids = [int(i) for i in re.findall(pattern, html)]
        return [i for i in ids if i in stored.values()]

    smart, award = stored["smart"], stored["award"]
    by_days = _company_page(client, company)
    assert order(by_days, r'<article class="match" id="notice-(\d+)">') == [award, smart]  # 3月20日 first
    assert (
        'href="?sort=benefit">按支持金额</a>' in by_days
        and '<strong aria-current="true">按剩余天数' in by_days
    )
    by_benefit = _company_page(client, company, "?sort=benefit")
    assert order(by_benefit, r'<article class="match" id="notice-(\d+)">') == [smart, award]  # 300 万 first
    assert 'href="?sort=days">按剩余天数</a>' in by_benefit
    assert order(client.get("/").text, r'id="notice-(\d+)" href="/notices/') == [award, smart]
    assert order(client.get("/?sort=benefit").text, r'id="notice-(\d+)" href="/notices/') == [smart, award]
    assert order(client.get("/?sort=nonsense").text, r'id="notice-(\d+)" href="/notices/') == [award, smart]


def test_the_api_gives_the_facts_in_lists_and_in_the_detail(
    client: TestClient, company: tuple[int, str], stored: dict[str, int]
) -> None:
    items = {n["id"]: n for n in client.get("/api/notices", params={"limit": 200}).json()}
    smart = items[stored["smart"]]
    assert smart["top_benefit"] == SMART_LABEL and smart["first_step"] == SMART_FIRST_STEP
    assert items[stored["award"]]["top_benefit"] == AWARD_LABEL
    detail = client.get(f"/api/notices/{stored['smart']}").json()
    [benefit] = detail["benefits"]
    assert (benefit["kind"], benefit["amount"], benefit["capped"], benefit["rate"]) == (
        "subsidy",
        300,
        True,
        10,
    )
    assert benefit["quote"] == SMART_BENEFIT
    assert [s["kind"] for s in detail["how_to_apply"]] == ["online", "materials", "recommend"]
    assert detail["how_to_apply"][1]["items"] == ["申报书", "承诺书", "审计报告"]
    assert detail["contacts"][0]["phones"] == ["0571-87654321"]
    assert detail["attachments"][0]["url"] == "https://qy.example.gov.cn/files/guide.pdf"
    company_id, token = company
    matches = client.get(f"/api/companies/{company_id}/matches", headers=bearer(token)).json()
    mine = [m["notice"] for m in matches if m["notice"]["id"] == stored["smart"]]
    assert mine and mine[0]["top_benefit"] == SMART_LABEL


def test_a_notice_without_facts_reads_as_none(engine: Engine, settings: Settings, client: TestClient) -> None:
    def none(doc: Any) -> dict[str, Any]:
        return {"benefits": (), "how_to_apply": (), "contacts": (), "attachments": ()}

    bare = store(engine, with_facts(AWARD, "/srv/uploads/bare.txt", none), NOW, settings)
    [item] = [n for n in client.get("/api/notices", params={"limit": 200}).json() if n["id"] == bare]
    assert item["top_benefit"] is None and item["first_step"] is None
    assert (item["benefits"], item["how_to_apply"], item["contacts"], item["attachments"]) == ([], [], [], [])
    page = client.get(f"/notices/{bare}").text
    assert "通知未写明支持内容" in page and "通知未写明申报方式" in page and "通知未列出联系人" in page


def test_drafts_and_unknown_notices_have_no_public_page(
    engine: Engine, settings: Settings, client: TestClient
) -> None:
    draft = store(
        engine, with_facts(SMART, "/srv/uploads/draft.txt", smart_facts), NOW, settings, status="draft"
    )
    assert client.get(f"/notices/{draft}").status_code == 404
    assert client.get("/notices/999999").status_code == 404


def _hostile(doc: Any) -> dict[str, Any]:
    quote = "在杭州市依法注册登记的企业。"
    return {
        "benefits": (
            Benefit(kind="award", quote=f"<script>alert(1)</script>{quote}", span=span(doc, quote), amount=5),
        ),
        "how_to_apply": (
            ApplyStep(kind="online", quote=quote, name="<b>平台</b>", url="javascript:alert(1)"),
        ),
        "attachments": (Attachment(name="<img src=x onerror=alert(1)>", url="javascript:alert(2)"),),
    }


def test_quotes_and_names_are_escaped_and_only_http_links_are_made(
    engine: Engine, settings: Settings, client: TestClient, make_client: Callable[..., TestClient]
) -> None:
    notice_id = store(engine, with_facts(SMART, "/srv/uploads/hostile.txt", _hostile), NOW, settings)
    for html in (
        client.get(f"/notices/{notice_id}").text,
        client.get("/").text,
        client.get(f"/admin/notices/{notice_id}", headers=ADMIN).text,
    ):
        assert "<script>alert(1)" not in html and "<b>平台</b>" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html and "href='javascript:" not in html  # shown as text at most
    page = client.get(f"/notices/{notice_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;平台&lt;/b&gt;" in page
    assert "（请在原文中查找）" in page  # the attachment is named, not linked


def test_the_admin_review_page_marks_the_quotes_and_offers_correction_forms(
    client: TestClient, stored: dict[str, int]
) -> None:
    html = client.get(f"/admin/notices/{stored['smart']}", headers=ADMIN).text
    assert f'<mark class="benefit" data-refs="benefit-0">{SMART_BENEFIT}</mark>' in html
    assert f'<mark class="contact" data-refs="contact-0">{SMART_CONTACT}</mark>' in html
    for target in ("benefit", "how_to_apply", "contact"):
        assert f'action="/admin/notices/{stored["smart"]}/facts/{target}/1"' in html
        assert f'action="/admin/notices/{stored["smart"]}/facts/{target}/1/delete"' in html
        assert f'action="/admin/notices/{stored["smart"]}/facts/{target}"' in html  # add
    assert "补助 设备投资额的 10%（最高 300 万元）" in html and "申报指南" in html


def test_the_read_only_view_shows_the_facts_and_its_sort_links_keep_the_view_token(
    client: TestClient, company: tuple[int, str], stored: dict[str, int]
) -> None:
    html = _company_page(client, company)
    view = re.search(r'<input type="text" readonly value="([^"]+)"', html)
    assert view and "/v/" in view.group(1)
    path = view.group(1).removeprefix("http://testserver")
    page = client.get(path).text
    assert SMART_LABEL in _text(_article(page, stored["smart"]))
    token = path.split("token=")[1]
    assert f'href="?token={token}&amp;sort=benefit"' in page
    by_benefit = client.get(f"{path}&sort=benefit").text
    ids = [int(i) for i in re.findall(r'<article class="match" id="notice-(\d+)">', by_benefit)]
    assert [i for i in ids if i in stored.values()] == [stored["smart"], stored["award"]]


def test_what_the_extractor_reads_reaches_the_card_the_notice_page_and_the_api(
    engine: Engine, settings: Settings, client: TestClient
) -> None:
    doc = extract_text(SMART, source="/srv/uploads/extracted.txt")
    extracted = doc.notices[0]
    if not (extracted.benefits and extracted.how_to_apply):
        pytest.skip("the extractor reads no benefits or ways to apply yet (reminder/extract/pipeline.py)")
    notice_id = store(engine, doc, NOW, settings)
    detail = client.get(f"/api/notices/{notice_id}").json()
    assert detail["benefits"] == [b.to_json() for b in extracted.benefits]
    assert detail["how_to_apply"] == [s.to_json() for s in extracted.how_to_apply]
    page = _text(client.get(f"/notices/{notice_id}").text)
    assert all(b.label() in page for b in extracted.benefits)
    assert detail["top_benefit"] and detail["top_benefit"] in _text(client.get("/").text)
