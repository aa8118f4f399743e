"""The web layer reads the registries: condition fields and operators from fields.yaml, channels from CHANNELS.

A throwaway field added to a copy of the registry shows up in the operator's correction dropdowns,
in the admin API's schema and is accepted as a correction; a channel class registered in CHANNELS
shows up in the API schema, is accepted by it, and is offered on the notification settings page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import admin_fixtures as fx
import httpx
import pytest
from admin_fixtures import ADMIN_TOKEN, ingest_text
from fastapi import FastAPI
from fastapi.testclient import TestClient
from registry_utils import packaged_table, tables_override, write_table
from web_factories import SPARSE, register_api

from reminder.errors import DeliveryError
from reminder.notify import channels
from reminder.notify.channels import WebhookChannel
from reminder.web.api.admin_schemas import ConditionValues
from reminder.web.api.company_schemas import ChannelIn, ProfileIn

sqlite_engine, migrated_template, admin_app, api = (
    fx.sqlite_engine,
    fx.migrated_template,
    fx.admin_app,
    fx.api,
)

THROWAWAY = {
    "label": "社保缴纳人数",
    "type": "number",
    "profile": "headcount",
    "unit": "人",
    "ops": ["<=", ">="],
}


@pytest.fixture
def throwaway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with tables_override(tmp_path, monkeypatch) as root:
        registry = packaged_table("reminder", "fields.yaml")
        registry["conditions"]["insured_staff"] = THROWAWAY
        write_table(root, "fields.yaml", registry)
        yield


@pytest.fixture
def operator(admin_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(admin_app, follow_redirects=False) as client:
        assert client.post("/admin/login", data={"token": ADMIN_TOKEN, "operator": "赵六"}).status_code == 303
        yield client


def _options(page: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, f"no <select name={name}>"
    return {
        html.unescape(v): html.unescape(t)
        for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select.group(1))
    }


def test_correction_dropdowns_show_chinese_labels(api: TestClient, operator: TestClient) -> None:
    page = operator.get(f"/admin/notices/{ingest_text(api)}").text
    fields, ops = _options(page, "field"), _options(page, "op")
    assert fields["headcount"] == "职工总数" and fields["annual_revenue"] == "年销售收入"
    assert (ops["<="], ops[">="], ops["has"]) == ("不超过", "不低于", "具有")
    assert "职工总数 不超过 500" in html.unescape(page)  # the current value, in words


def test_a_throwaway_field_reaches_the_admin_choices_and_api(
    throwaway: None, api: TestClient, operator: TestClient
) -> None:
    notice_id = ingest_text(api)
    assert (
        _options(operator.get(f"/admin/notices/{notice_id}").text, "field")["insured_staff"] == "社保缴纳人数"
    )
    schema = api.get("/openapi.json").json()["components"]["schemas"]["ConditionValues"]["properties"][
        "field"
    ]
    assert any("insured_staff" in s.get("enum", []) for s in schema["anyOf"])
    assert ConditionValues.model_validate({"field": "insured_staff"}).field == "insured_staff"
    body = {
        "target": "condition",
        "action": "add",
        "values": {"field": "insured_staff", "op": ">=", "value": 50, "unit": "人"},
    }
    reply = api.post(f"/api/admin/notices/{notice_id}/corrections", json=body)
    assert reply.status_code in (200, 201), reply.text
    assert any(
        c["field"] == "insured_staff" for c in api.get(f"/api/admin/notices/{notice_id}").json()["conditions"]
    )


def test_a_field_outside_the_registry_is_refused(api: TestClient) -> None:
    body = {
        "target": "condition",
        "action": "add",
        "values": {"field": "insured_staff", "op": ">=", "value": 50},
    }
    reply = api.post(f"/api/admin/notices/{ingest_text(api)}/corrections", json=body)
    assert reply.status_code == 422
    assert any(e["loc"][-1] == "field" and e["type"] == "literal_error" for e in reply.json()["detail"])


class SmsChannel(WebhookChannel):
    """A made-up channel: only its self-description matters here."""

    kind = "sms"
    service_name = "短信网关"
    url_shape = "https://sms.example.com/send"
    help_text: ClassVar[str] = "短信网关的 HTTPS 地址；密钥（whsec_ 开头）可留空由系统生成"


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(channels.CHANNELS, "sms", SmsChannel)


def test_a_new_channel_appears_in_the_api_schema(sms: None, client: TestClient) -> None:
    assert ChannelIn.model_validate({"kind": "sms", "target": "https://sms.example.com/send"}).kind == "sms"
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ChannelIn"]["properties"]["kind"]
    assert schema["enum"] == ["email", "wecom", "dingtalk", "feishu", "webhook", "sms"]


def test_a_new_channel_appears_in_the_form_with_its_label_and_help(sms: None, client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    assert client.get(f"/c/{company_id}?token={token}").status_code == 200
    page = client.get(f"/c/{company_id}/notifications").text
    kinds = _options(page, "kind")
    assert kinds["sms"] == "短信网关" and kinds["dingtalk"] == "钉钉群机器人" and kinds["email"] == "电子邮件"
    assert "短信网关的 HTTPS 地址" in page


def test_an_unknown_channel_is_refused_by_the_api(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    reply = client.post(
        f"/api/companies/{company_id}/channels",
        json={"kind": "sms", "target": "https://sms.example.com/send"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["body", "kind"]
    with pytest.raises(DeliveryError):
        channels.channel_info("sms")
    assert isinstance(httpx.URL(SmsChannel.url_shape), httpx.URL)


def test_profile_fields_are_described_from_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    described = client.get("/openapi.json").json()["components"]["schemas"]["ProfileIn"]["properties"]
    assert described["headcount"]["description"] == "职工人数（人）"
    with tables_override(tmp_path, monkeypatch) as root:
        registry = packaged_table("reminder", "fields.yaml")
        registry["profile"]["headcount"]["label"] = "从业人员数"
        write_table(root, "fields.yaml", registry)
        assert ProfileIn.model_json_schema()["properties"]["headcount"]["description"] == "从业人员数（人）"
