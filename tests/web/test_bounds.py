"""Issue 16, item 13: bad numbers and control characters are 422s with Chinese messages, on both databases.

Cases (the review's repros and neighbours) are in ``cases/bounds.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pg_utils import BACKENDS
from web_factories import bearer, field_error, register_api

CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "bounds.yaml").read_text("utf-8")
)
CJK = r"[\u4e00-\u9fff]"


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES["api"], ids=[c["id"] for c in CASES["api"]])
def test_api_refuses_out_of_bounds_input(client: TestClient, case: dict[str, Any]) -> None:
    reply = client.post(
        "/api/companies", content=case["json"].encode(), headers={"content-type": "application/json"}
    )
    assert reply.status_code == 422, reply.text
    errors = {
        e["loc"][-1] if e["loc"][:2] == ["body", case["field"]] else e["loc"][1]: e["msg"]
        for e in reply.json()["detail"]
    }
    assert case["field"] in errors and _chinese(errors[case["field"]]), reply.text


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES["form"], ids=[c["id"] for c in CASES["form"]])
def test_registration_form_refuses_out_of_bounds_input(client: TestClient, case: dict[str, Any]) -> None:
    reply = client.post(
        "/register", data={"name": "杭州表单测试有限公司", "region": "浙江省杭州市", **case["form"]}
    )
    assert reply.status_code == 422, reply.text[:500]
    message = field_error(reply.text, case["field"])
    assert message is not None and _chinese(message)


@pytest.mark.parametrize("backend", BACKENDS)
def test_channels_and_patches_refuse_nul_and_huge_numbers(client: TestClient) -> None:
    company_id, token = register_api(client, {"name": "杭州渠道边界有限公司", "region": "浙江省杭州市"})
    auth = bearer(token)
    channel = {"kind": "webhook", "target": "http://127.0.0.1:9/\u0000hook", "name": "a"}
    reply = client.post(f"/api/companies/{company_id}/channels", json=channel, headers=auth)
    assert reply.status_code == 422 and _chinese(reply.text), reply.text
    named = {"kind": "email", "target": "a@example.com", "name": "财务\u0000部"}
    assert client.post(f"/api/companies/{company_id}/channels", json=named, headers=auth).status_code == 422
    patch = client.patch(f"/api/companies/{company_id}", json={"headcount": 2**31}, headers=auth)
    assert patch.status_code == 422 and _chinese(patch.text)
    offsets = client.patch(f"/api/companies/{company_id}", json={"reminder_offsets": [2**63]}, headers=auth)
    assert offsets.status_code == 422
    assert client.get(f"/api/companies/{company_id}", headers=auth).status_code == 200
