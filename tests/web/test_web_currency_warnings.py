"""The profile's currency through the web (form select, API) and the profile warnings on the pages.

A 新臺幣 company keeps its currency and is judged a manual check against a 人民币 threshold, eligible
against a 新臺幣 one. A region that the 统一社会信用代码 contradicts is shown as a warning (not an error)
on the registration result and on the profile page, and returned by the API.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from stdnum.cn import uscc
from web_factories import NOW, alerts, bearer, form_of, register_api

from reminder.db import Company, save_document
from reminder.model import Condition, Deadline, Document, Notice, Scope


def _beijing_code(serial: str) -> str:
    """A valid 统一社会信用代码 registered by 北京市朝阳区 (110105); the profiles below say 杭州市萧山区."""
    body = f"91110105MA01ABCD{serial}"
    return body + uscc.calc_check_digit(body)


BEIJING_CODE = _beijing_code("E")
TAOYUAN = {"name": "桃园甲科技股份有限公司", "region": "台湾省桃园市", "annual_revenue": 5000}


def _store_notices(engine: Engine) -> None:
    """A 人民币 and a 新臺幣 revenue threshold, both open to 台湾省 companies."""
    with Session(engine) as session:
        for title, unit, quote in (
            ("人民币门槛通知", "万元", "年销售收入2000万元以上"),
            ("新臺幣门槛通知", "万元(新臺幣)", "年營業額新臺幣2000萬元以上"),
        ):
            notice = Notice(
                title=title,
                deadlines=(Deadline(dt.date(2025, 4, 30), None, "application", "2025年4月30日前提交"),),
                conditions=(Condition("annual_revenue", ">=", 2000, unit, quote),),
                scope=Scope("台湾省", "台湾省", "710000"),
            )
            doc = Document(
                source=f"https://example.gov.tw/{secrets.token_hex(4)}.html",
                text="正文" * 20,
                notices=(notice,),
                content_hash=secrets.token_hex(32),
            )
            save_document(session=session, doc=doc, now=NOW)
        session.commit()


def _verdicts(client: TestClient, company_id: int, token: str) -> dict[str, tuple[str, list[str]]]:
    reply = client.get(f"/api/companies/{company_id}/matches", headers=bearer(token))
    assert reply.status_code == 200, reply.text
    return {
        m["notice"]["title"]: (m["status"], [r["reason_zh"] for r in m["manual"]])
        for m in reply.json()
        if "门槛通知" in m["notice"]["title"]
    }


def test_api_keeps_the_currency_and_judges_in_it(client: TestClient, engine: Engine) -> None:
    _store_notices(engine)
    company_id, token = register_api(client, {**TAOYUAN, "currency": "新臺幣"})
    body = client.get(f"/api/companies/{company_id}", headers=bearer(token)).json()
    assert body["currency"] == "新台币" and body["annual_revenue"] == 5000
    verdicts = _verdicts(client, company_id, token)
    assert verdicts["新臺幣门槛通知"] == ("eligible", [])
    status, manual = verdicts["人民币门槛通知"]
    assert status == "possibly_eligible"
    assert manual == ["年销售收入 需 ≥ 2000万元（人民币） — 企业金额币种不同，请人工确认"]


def test_form_has_a_currency_select_and_keeps_the_choice(client: TestClient, engine: Engine) -> None:
    form = client.get("/register").text
    chooser = re.search(r'<select id="currency" name="currency">(.*?)</select>', form, re.S)
    assert chooser is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', chooser.group(1))
    assert options == [("人民币", "人民币"), ("新台币", "新臺幣"), ("港币", "港币"), ("澳门元", "澳门元")]

    reply = client.post("/register", data=form_of({**TAOYUAN, "currency": "新台币"}))
    assert reply.status_code == 200, alerts(reply.text)
    with Session(engine) as session:
        company = session.exec(select(Company).where(Company.name == TAOYUAN["name"])).one()
        assert company.currency == "新台币"
        company_id = company.id
    page = client.get(f"/c/{company_id}/profile").text
    assert '<option value="新台币" selected>新臺幣</option>' in page


def test_the_form_reports_two_currencies_for_one_profile(client: TestClient) -> None:
    reply = client.post(
        "/register", data=form_of({**TAOYUAN, "annual_revenue": "新臺幣5000萬元", "currency": "港币"})
    )
    assert reply.status_code == 422
    assert any("币种" in a and "不一致" in a for a in alerts(reply.text))


def test_region_the_credit_code_contradicts_is_a_warning(client: TestClient) -> None:
    profile = {"name": "萧山迁入科技有限公司", "region": "浙江省杭州市萧山区", "credit_code": BEIJING_CODE}
    reply = client.post("/api/companies", json=profile)
    assert reply.status_code == 201, reply.text
    [warning] = reply.json()["warnings"]
    assert "110105" in warning and "北京市朝阳区" in warning and "浙江省杭州市萧山区" in warning

    page = client.post(
        "/register", data=form_of({**profile, "name": "萧山迁入二号有限公司", "credit_code": ""})
    )
    assert page.status_code == 200 and 'id="profile-warnings"' not in page.text
    company_id = int(re.search(r"/c/(\d+)\?token=", page.text).group(1))  # type: ignore[union-attr]
    second = {**profile, "name": "萧山迁入二号有限公司", "credit_code": _beijing_code("F")}
    saved = client.post(f"/c/{company_id}/profile", data=form_of(second))
    assert saved.status_code == 200, alerts(saved.text)
    shown = re.search(r'id="profile-warnings".*?</div>', saved.text, re.S)
    assert shown is not None and "请核对" in shown.group(0) and "北京市朝阳区" in shown.group(0)


def test_registration_result_shows_the_warning(client: TestClient) -> None:
    profile = {"name": "萧山迁入三号有限公司", "region": "浙江省杭州市萧山区", "credit_code": BEIJING_CODE}
    reply = client.post("/register", data=form_of(profile))
    assert reply.status_code == 200, alerts(reply.text)
    shown = re.search(r'id="profile-warnings".*?</div>', reply.text, re.S)
    assert shown is not None and "统一社会信用代码" in shown.group(0) and "北京市朝阳区" in shown.group(0)
    assert 'id="management-link"' in reply.text
