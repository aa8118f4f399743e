"""Profiles and helpers for the web tests.

Against the sample notices open on 2025-03-01 (医疗器械 / 数字化转型 / 高企更名 / 重大专项):

- ``HANGZHOU``: 杭州 biotech with legal person and 高新技术企业 → eligible for all four.
- ``SPARSE``: only name and region → eligible where nothing is asked, possibly eligible elsewhere
  (独立法人资格, 资质 and 所属行业 missing).
- ``NINGBO``: 宁波, not a legal person, no qualifications → not eligible for the 杭州 and legal-person calls.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

TZ = ZoneInfo("Asia/Shanghai")
#: the tests' "now": the 2025 sample calls are open
NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)

HANGZHOU: dict[str, Any] = {
    "name": "杭州示例生物科技有限公司",
    "region": "浙江省杭州市余杭区",
    "credit_code": "91330110MA2B0X0X17",
    "industry": "生物医药及健康",
    "headcount": 120,
    "legal_person": "是",
    "qualifications": ["高新技术企业:2026-12-31"],
    "contact_email": "finance@hz-example.com",
}
SPARSE: dict[str, Any] = {"name": "杭州未填写科技有限公司", "region": "浙江省杭州市西湖区"}
NINGBO: dict[str, Any] = {
    "name": "宁波示例制造有限公司",
    "region": "浙江省宁波市鄞州区",
    "legal_person": "否",
    "qualifications": "无",
    "contact_email": "boss@nb-example.com",
}


def valid_credit_code(seed: int) -> str:
    """A 统一社会信用代码 with a correct check character."""
    from stdnum.cn import uscc

    body = f"9133{seed:013d}"[:17]
    return body + uscc.calc_check_digit(body)


def register_api(client: TestClient, profile: dict[str, Any]) -> tuple[int, str]:
    """Register through the API; returns (company id, token)."""
    reply = client.post("/api/companies", json=profile)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    return body["company"]["id"], body["token"]


def form_of(profile: dict[str, Any]) -> dict[str, str]:
    """A profile as the registration form posts it."""
    out = {}
    for key, value in profile.items():
        if isinstance(value, list):
            value = "\n".join(value)
        out[key] = str(value)
    return out


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def alerts(html: str) -> list[str]:
    """The error messages a page shows (role="alert")."""
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'role="alert">(.*?)</p>', html, re.S)]


def field_error(html: str, field: str) -> str | None:
    """The error shown under one input of the profile form, or None."""
    block = re.search(rf'<div class="field[^"]*" id="field-{field}">(.*?)</div>', html, re.S)
    assert block is not None, f"no input {field} on the page"
    found = re.search(r'class="error" role="alert">(.*?)</p>', block.group(1), re.S)
    return found.group(1).strip() if found else None


def input_value(html: str, field: str) -> str:
    """The value an input of the page shows (text inputs and textareas)."""
    found = re.search(rf'<input id="{field}"[^>]*value="([^"]*)"', html, re.S)
    if found:
        return found.group(1)
    area = re.search(rf'<textarea id="{field}"[^>]*>(.*?)</textarea>', html, re.S)
    assert area is not None, f"no input {field}"
    return area.group(1)


def management_link(html: str) -> str:
    found = re.search(r'id="management-link"[^>]*value="([^"]+)"', html)
    assert found is not None, "no management link on the page"
    return found.group(1)
