"""The enterprise pages as a browser sees them: home, registration, the company page, the profile form."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from web_factories import (
    HANGZHOU,
    NINGBO,
    SPARSE,
    alerts,
    field_error,
    form_of,
    input_value,
    management_link,
    register_api,
)

from reminder.config import Settings
from reminder.db.models import Company

CASES = yaml.safe_load(
    (Path(__file__).parent / "cases" / "registration_errors.yaml").read_text(encoding="utf-8")
)
BASE = {"name": "杭州表单测试有限公司", "region": "浙江省杭州市"}


def _section(html: str, status: str) -> str:
    found = re.search(rf'<section class="verdict verdict-{status}" id="{status}">(.*?)</section>', html, re.S)
    assert found is not None, f"no {status} section"
    return found.group(1)


def _titles(section_html: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<h3>(.*?)</h3>", section_html, re.S)]


def _open_page(client: TestClient, company_id: int, token: str) -> str:
    first = client.get(f"/c/{company_id}?token={token}")  # follows the redirect with the cookie
    assert first.status_code == 200, first.text
    return first.text


# ── home ──────────────────────────────────────────────────────────────────────────────────


def test_home_explains_the_service_and_lists_open_notices_only(client: TestClient) -> None:
    register_api(client, HANGZHOU)
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'href="/register"' in html
    assert "截止时间" in html and "申报条件" in html
    assert "2025 年人工智能醫療器械創新任務揭榜掛帥工作啟動" in html
    assert "2025年3月3日 周一（当天24:00前）" in html and "还剩 2 天" in html
    assert "2023 年度国家科技型中小企业评价" not in html, "closed notices are not listed"
    assert HANGZHOU["name"] not in html, "the public page shows no company"


# ── registration ──────────────────────────────────────────────────────────────────────────


def test_registration_shows_the_management_link_once_and_stores_only_its_hash(
    client: TestClient, engine: Engine
) -> None:
    form = client.get("/register")
    assert form.status_code == 200 and 'id="credit_code"' in form.text and 'id="legal_person"' in form.text
    reply = client.post("/register", data=form_of(HANGZHOU))
    assert reply.status_code == 200, alerts(reply.text)
    link = management_link(reply.text)
    match = re.fullmatch(r"http://testserver/c/(\d+)\?token=([A-Za-z0-9_-]{40,})", link)
    assert match, link
    company_id, token = int(match.group(1)), match.group(2)
    assert reply.headers["cache-control"] == "no-store"
    cookie = reply.headers["set-cookie"]
    assert f"token={token}" in cookie and "HttpOnly" in cookie and f"Path=/c/{company_id}" in cookie
    assert "samesite=lax" in cookie.lower()
    with Session(engine) as session:
        company = session.get(Company, company_id)
        assert company is not None and company.name == HANGZHOU["name"]
        assert company.token_hash == hashlib.sha256(token.encode()).hexdigest()
        with session.connection() as conn:
            for table in ("companies", "channels", "reminders"):
                rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
                assert token not in repr(rows), f"the token is stored in {table}"
    assert token not in client.get(f"/c/{company_id}/profile").text, "the link is shown once only"


def test_the_management_link_sets_the_cookie_and_drops_the_token_from_the_address(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    fresh = TestClient(client.app, base_url="http://testserver")
    with fresh:
        reply = fresh.get(f"/c/{company_id}?token={token}", follow_redirects=False)
        assert reply.status_code == 303 and reply.headers["location"] == f"/c/{company_id}"
        assert "httponly" in reply.headers["set-cookie"].lower()
        page = fresh.get(f"/c/{company_id}")
        assert page.status_code == 200 and SPARSE["name"] in page.text
        assert fresh.get("/c/999999").status_code == 401, "the cookie is scoped to its own company"


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_registration_errors_are_shown_under_their_input_with_the_entered_values(
    client: TestClient, case: dict[str, Any]
) -> None:
    entered = {**BASE, "headcount": "35", **case["form"]}
    reply = client.post("/register", data=entered)
    assert reply.status_code == 422
    message = field_error(reply.text, case["field"])
    assert message is not None and case["says"] in message, message
    for name, value in entered.items():
        if name not in ("legal_person", "credit_ok", "applicant_type"):
            assert input_value(reply.text, name) == value, f"{name} not shown back"
    assert "set-cookie" not in reply.headers and "management-link" not in reply.text


def test_several_errors_are_reported_at_once(client: TestClient) -> None:
    reply = client.post("/register", data={**BASE, "headcount": "-1", "credit_code": "91330110MA2B0X0X1F"})
    assert reply.status_code == 422
    assert field_error(reply.text, "headcount") and field_error(reply.text, "credit_code")
    assert "请修改下面标出的 2 处信息" in reply.text


def test_a_second_registration_of_the_same_company_is_refused(client: TestClient) -> None:
    register_api(client, HANGZHOU)
    again = client.post("/register", data=form_of({**HANGZHOU, "name": "另一个名字有限公司"}))
    assert again.status_code == 422
    assert "已登记" in (field_error(again.text, "credit_code") or "")


# ── the company page ──────────────────────────────────────────────────────────────────────


def test_company_page_groups_open_notices_by_verdict_with_quotes(client: TestClient) -> None:
    company_id, token = register_api(client, NINGBO)
    html = _open_page(client, company_id, token)
    eligible, possible, not_eligible = (
        _section(html, s) for s in ("eligible", "possibly_eligible", "not_eligible")
    )
    assert any("癌癥、心腦血管" in t for t in _titles(eligible))
    assert any("高新技術企業更名" in t for t in _titles(not_eligible)), (
        "holds no qualification: 高企 call fails"
    )
    assert any("人工智能醫療器械" in t for t in _titles(not_eligible)), "not a legal person"
    assert any("數字化轉型" in t for t in _titles(not_eligible)), "宁波 is not 杭州"
    assert "具有獨立法人資格" in not_eligible, "the quote of the unmet condition"
    assert "不满足的条件" in not_eligible
    assert "2025年3月10日 周一 16:00前" in eligible, "the stated time of a deadline"
    assert "还剩 2 天" in eligible
    assert _titles(possible) == [] and "暂无" in possible
    assert "可能符合申报条件（0）" in html and "不符合申报条件（4）" in html


def test_missing_fields_link_to_the_profile_inputs(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    html = _open_page(client, company_id, token)
    possible = _section(html, "possibly_eligible")
    links = set(re.findall(rf'href="/c/{company_id}/profile#(\w+)"', possible))
    assert {"legal_person"} <= links, links  # 资质 is asked only by the 上城区 call: out of scope
    profile = client.get(f"/c/{company_id}/profile").text
    for anchor in links:
        assert f'id="{anchor}"' in profile, f"the link to #{anchor} lands nowhere"


def test_past_notices_are_in_a_collapsed_history(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    html = _open_page(client, company_id, token)
    history = re.search(r'<details class="history" id="history">(.*?)</details>', html, re.S)
    assert history is not None
    assert "2023 年度国家科技型中小企业评价" in history.group(1)
    assert "2023年9月15日 周五" in history.group(1)
    for section in ("eligible", "possibly_eligible", "not_eligible"):
        assert "2023 年度国家科技型中小企业评价" not in _section(html, section)


def test_every_condition_and_deadline_is_shown_with_its_source_quote(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    html = _open_page(client, company_id, token)
    eligible = _section(html, "eligible")
    assert "面向汽車零部件、生物醫藥及健康、通信設備制造三個試點行業" in eligible
    assert "須為杭州市" in eligible
    assert "kjc@zjwjw.gov.cn" in eligible, "a deadline's quote"


# ── the profile form ──────────────────────────────────────────────────────────────────────


def test_profile_form_shows_the_stored_values(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    _open_page(client, company_id, token)
    html = client.get(f"/c/{company_id}/profile").text
    assert input_value(html, "name") == HANGZHOU["name"]
    assert input_value(html, "region") == "浙江省杭州市余杭区"
    assert input_value(html, "headcount") == "120"
    assert input_value(html, "qualifications") == "高新技术企业:2026-12-31"
    assert re.search(r'<option value="是" selected>', html)


def test_filling_a_missing_field_moves_the_notice_to_eligible(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    before = _open_page(client, company_id, token)
    assert any("人工智能醫療器械" in t for t in _titles(_section(before, "possibly_eligible")))
    html = client.get(f"/c/{company_id}/profile").text
    form = {name: input_value(html, name) for name in ("name", "region", "credit_code", "headcount")}
    saved = client.post(
        f"/c/{company_id}/profile", data={**form, "legal_person": "是"}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/c/{company_id}/profile?msg=saved"
    after = client.get(f"/c/{company_id}").text
    assert any("人工智能醫療器械" in t for t in _titles(_section(after, "eligible")))


def test_profile_errors_are_shown_and_nothing_is_saved(client: TestClient, engine: Engine) -> None:
    company_id, token = register_api(client, HANGZHOU)
    _open_page(client, company_id, token)
    reply = client.post(f"/c/{company_id}/profile", data={**form_of(HANGZHOU), "headcount": "-3"})
    assert reply.status_code == 422
    assert "不能为负数" in (field_error(reply.text, "headcount") or "")
    assert input_value(reply.text, "headcount") == "-3"
    with Session(engine) as session:
        company = session.get(Company, company_id)
        assert company is not None and company.headcount == 120


# ── the token ─────────────────────────────────────────────────────────────────────────────


def test_rotating_the_token_shows_a_new_link_and_the_old_one_stops_working(
    client: TestClient, make_client: Callable[..., TestClient], settings: Settings
) -> None:
    company_id, old = register_api(client, HANGZHOU)
    _open_page(client, company_id, old)
    reply = client.post(f"/c/{company_id}/token")
    assert reply.status_code == 200
    new = management_link(reply.text).split("token=", 1)[1]
    assert new != old
    other = make_client(settings)
    assert other.get(f"/c/{company_id}?token={old}").status_code == 403
    assert (
        other.get(f"/api/companies/{company_id}", headers={"Authorization": f"Bearer {old}"}).status_code
        == 403
    )
    assert other.get(f"/c/{company_id}?token={new}").status_code == 200
    assert client.get(f"/c/{company_id}").status_code == 200, "the browser that rotated got the new cookie"
