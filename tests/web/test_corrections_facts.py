"""Operators correct benefits, ways to apply and contacts (issue 13) like deadlines and conditions: on the
review page, kept with who/when, shown to enterprises at once, and kept when the document comes again."""

from __future__ import annotations

import re
from typing import Any

import admin_fixtures as fx
import pytest
from facts_fixtures import SMART, SMART_SOURCE, smart_facts, store, with_facts
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from web_factories import HANGZHOU, NOW, register_api

from reminder.config import Settings
from reminder.corrections import add_correction, fact_selector
from reminder.db.models import NoticeRow
from reminder.db.store import to_notice
from reminder.errors import CorrectionError

ADMIN = {"Authorization": "Bearer " + "admin-" + "x" * 40}
any_engine = fx.any_engine
migrated_template, migrated_postgres = fx.migrated_template, fx.migrated_postgres

#: the benefit form as the review page fills it for SMART's benefit (what an operator leaves alone)
BENEFIT_FORM = {
    "kind": "subsidy", "amount": "300", "amount_min": "", "currency": "CNY", "capped": "on", "rate": "10",
    "rate_base": "设备投资额", "tier": "", "note": "",
}  # fmt: skip
CONTACT_FORM = {
    "name": "王五",
    "department": "",
    "phones": "0571-87654321",
    "emails": "wangwu@example.gov.cn",
    "topic": "",
}
#: SMART edited elsewhere: another sentence changed, the benefit and contact sentences kept
CHANGED = SMART.replace(
    "现将2025年度智能制造示范项目申报工作", "现将2025年度智能制造示范项目（第二版）申报工作"
)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _post(client: TestClient, url: str, data: dict[str, str]) -> Any:
    return client.post(url, data=data, headers=ADMIN, follow_redirects=False)


@pytest.fixture
def notice_id(engine: Engine, settings: Settings) -> int:
    return store(engine, with_facts(SMART, SMART_SOURCE, smart_facts), NOW, settings)


def _card(client: TestClient, company: tuple[int, str], notice_id: int) -> str:
    company_id, token = company
    client.get(f"/c/{company_id}?token={token}")
    html = client.get(f"/c/{company_id}").text
    m = re.search(rf'<article class="match" id="notice-{notice_id}">(.*?)</article>', html, re.S)
    assert m
    return _text(m.group(1))


def test_operator_corrects_a_benefit_amount_and_a_contact_phone_and_enterprises_see_it(
    client: TestClient, engine: Engine, settings: Settings, notice_id: int
) -> None:
    company = register_api(client, HANGZHOU)
    assert "最高 300 万元" in _card(client, company, notice_id)

    reply = _post(
        client,
        f"/admin/notices/{notice_id}/facts/benefit/1",
        BENEFIT_FORM | {"amount": "500", "note": "以细则为准"},
    )
    assert reply.status_code == 303 and reply.headers["location"].endswith("#benefit-1")
    reply = _post(
        client, f"/admin/notices/{notice_id}/facts/contact/1", CONTACT_FORM | {"phones": "(0571)8888 6666"}
    )
    assert reply.status_code == 303

    assert "补助 设备投资额的 10%（最高 500 万元）" in _card(client, company, notice_id)
    page = _text(client.get(f"/notices/{notice_id}").text)
    assert "0571-88886666" in page and "0571-87654321" not in page and "最高 500 万元" in page
    detail = client.get(f"/api/notices/{notice_id}").json()
    assert detail["benefits"][0]["amount"] == 500 and detail["contacts"][0]["phones"] == ["0571-88886666"]
    review = client.get(f"/admin/notices/{notice_id}", headers=ADMIN).text
    history = _text(review.split('class="history"')[1])
    assert "修改支持内容" in history and "amount=500" in history and "以细则为准" in history
    assert "修改联系人" in history and "0571-88886666" in history

    # the document comes again, changed elsewhere: the extractor's values would be 300 万 and the old phone
    store(engine, with_facts(CHANGED, SMART_SOURCE, smart_facts), NOW, settings)
    assert "（最高 500 万元）" in _card(client, company, notice_id)
    detail = client.get(f"/api/notices/{notice_id}").json()
    assert detail["benefits"][0]["amount"] == 500 and detail["contacts"][0]["phones"] == ["0571-88886666"]
    assert detail["benefits"][0]["quote"].startswith("按项目设备投资额的10%")  # still the notice's own words


def test_added_and_deleted_facts_stay_after_a_new_version(
    client: TestClient, engine: Engine, settings: Settings, notice_id: int
) -> None:
    add = {
        "name": "钱七",
        "department": "技术改造处",
        "phones": "13900001111",
        "emails": "",
        "topic": "系统操作",
    }
    assert _post(client, f"/admin/notices/{notice_id}/facts/contact", add).status_code == 303
    assert _post(client, f"/admin/notices/{notice_id}/facts/how_to_apply/3/delete", {}).status_code == 303
    store(engine, with_facts(CHANGED, SMART_SOURCE, smart_facts), NOW, settings)
    detail = client.get(f"/api/notices/{notice_id}").json()
    assert [c["name"] for c in detail["contacts"]] == ["王五", "钱七"]
    assert detail["contacts"][1]["phones"] == ["13900001111"] and detail["contacts"][1]["quote"] == ""
    assert [s["kind"] for s in detail["how_to_apply"]] == ["online", "materials"]  # 推荐 deleted


def test_a_bad_phone_or_amount_is_shown_under_its_form_and_nothing_changes(
    client: TestClient, notice_id: int
) -> None:
    reply = _post(
        client, f"/admin/notices/{notice_id}/facts/contact/1", CONTACT_FORM | {"phones": "电话待定"}
    )
    assert reply.status_code == 422
    assert re.search(r'id="contact-1">.*?role="alert">无法识别的电话号码', reply.text, re.S)
    reply = _post(client, f"/admin/notices/{notice_id}/facts/benefit/1", BENEFIT_FORM | {"amount": "-3"})
    assert reply.status_code == 422 and "不能为负数" in reply.text
    detail = client.get(f"/api/notices/{notice_id}").json()
    assert detail["benefits"][0]["amount"] == 300 and detail["contacts"][0]["phones"] == ["0571-87654321"]
    assert _post(client, f"/admin/notices/{notice_id}/facts/contact/9", CONTACT_FORM).status_code == 404
    assert _post(client, f"/admin/notices/{notice_id}/facts/title/1", CONTACT_FORM).status_code == 404


def test_a_cross_site_post_is_refused_like_every_admin_form(client: TestClient, notice_id: int) -> None:
    signed_in = client.post("/admin/login", data={"token": ADMIN["Authorization"][7:], "operator": "王运营"})
    assert signed_in.status_code == 200 and "/admin/login" not in str(signed_in.url)  # the cookie is set
    url = f"/admin/notices/{notice_id}/facts/benefit/1"
    form = BENEFIT_FORM | {"amount": "900"}
    cross = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    assert client.post(url, data=form, headers=cross, follow_redirects=False).status_code == 403
    assert client.get(f"/api/notices/{notice_id}").json()["benefits"][0]["amount"] == 300
    same_site = {"Sec-Fetch-Site": "same-origin"}  # the review page's own form, with the login cookie
    assert client.post(url, data=form, headers=same_site, follow_redirects=False).status_code == 303
    assert client.get(f"/api/notices/{notice_id}").json()["benefits"][0]["amount"] == 900


def test_corrections_of_facts_survive_re_ingest_on_every_backend(any_engine: Engine) -> None:
    notice_id = store(any_engine, with_facts(SMART, SMART_SOURCE, smart_facts), NOW)
    with Session(any_engine) as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None
        stored = to_notice(session=session, row=row)
        [benefit], contact = stored.benefits, stored.contacts[0]
        add_correction(session=session, notice=row, target="benefit", action="set",
                       selector=fact_selector("benefit", benefit), values={"amount": 450}, author="李四", now=NOW)  # fmt: skip
        add_correction(session=session, notice=row, target="contact", action="set",
                       selector=fact_selector("contact", contact), values={"phones": ["010 12345678"]}, author="李四", now=NOW)  # fmt: skip
        with pytest.raises(CorrectionError, match="网址无效"):
            add_correction(session=session, notice=row, target="how_to_apply", action="add",
                           selector={}, values={"kind": "online", "url": "javascript:alert(1)"}, author="李四")  # fmt: skip
        session.commit()
    store(any_engine, with_facts(CHANGED, SMART_SOURCE, smart_facts), NOW)
    with Session(any_engine) as session:
        row = session.get(NoticeRow, notice_id)
        assert row is not None
        again = to_notice(session=session, row=row)
    assert again.benefits[0].amount == 450 and again.benefits[0].rate == 10  # other values kept
    assert again.contacts[0].phones == ("010-12345678",) and again.contacts[0].name == "王五"


def test_the_admin_api_lists_and_corrects_the_facts_too(client: TestClient, notice_id: int) -> None:
    base = f"/api/admin/notices/{notice_id}"
    listed = client.get(base, headers=ADMIN).json()
    assert [b["amount"] for b in listed["benefits"]] == [300] and listed["contacts"][0]["name"] == "王五"
    assert listed["attachments"][0]["name"] == "申报指南"

    body = {"target": "contact", "action": "set", "number": 1, "values": {"phones": ["(0571)8888 6666"]}}
    made = client.post(f"{base}/corrections", json=body | {"author": "接口运营"}, headers=ADMIN)
    assert made.status_code == 201, made.text
    assert made.json()["summary"].startswith("修改联系人「联系人：王五")
    step = {
        "target": "how_to_apply",
        "action": "add",
        "values": {"kind": "office", "address": "杭州市某路1号"},
    }
    assert client.post(f"{base}/corrections", json=step, headers=ADMIN).status_code == 201
    after = client.get(base, headers=ADMIN).json()
    assert after["contacts"][0]["phones"] == ["0571-88886666"]
    assert after["how_to_apply"][-1]["label"] == "现场报送：杭州市某路1号"

    missing = client.post(f"{base}/corrections", json=body | {"number": 7}, headers=ADMIN)
    assert missing.status_code == 422 and "number" in str(missing.json()["detail"][0]["loc"])
    bad_url = {
        "target": "how_to_apply",
        "action": "set",
        "number": 1,
        "values": {"url": "javascript:alert(1)"},
    }
    refused = client.post(f"{base}/corrections", json=bad_url, headers=ADMIN)
    assert refused.status_code == 422 and "网址无效" in refused.text
    unknown = {"target": "benefit", "action": "set", "number": 1, "values": {"colour": "red"}}
    assert client.post(f"{base}/corrections", json=unknown, headers=ADMIN).status_code == 422
