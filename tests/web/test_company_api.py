"""The enterprise JSON API: registration, profile, matches, channels, public notices."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from loopback import Loopback
from queued_sends import api_test
from web_factories import HANGZHOU, NINGBO, SPARSE, bearer, register_api

from reminder.config import Settings

KEY = "apikey-0123456789"


def test_register_returns_the_company_and_its_token_once(client: TestClient) -> None:
    reply = client.post("/api/companies", json=HANGZHOU)
    assert reply.status_code == 201
    body = reply.json()
    company, token = body["company"], body["token"]
    assert company["name"] == HANGZHOU["name"] and company["region_name"] == "浙江省杭州市余杭区"
    assert company["credit_code"] == HANGZHOU["credit_code"] and company["headcount"] == 120
    assert "token_hash" not in company and "token" not in company
    assert body["management_url"] == f"http://testserver/c/{company['id']}?token={token}"
    assert body["calendar_url"] == f"http://testserver/c/{company['id']}/calendar.ics?token={token}"
    again = client.get(f"/api/companies/{company['id']}", headers=bearer(token)).json()
    assert token not in str(again) and "token_hash" not in again


def test_validation_errors_are_422_per_field_in_chinese(client: TestClient) -> None:
    reply = client.post(
        "/api/companies",
        json={
            "name": "杭州接口测试有限公司",
            "region": "火星",
            "headcount": -3,
            "credit_code": "91330110MA2B0X0X1F",
        },
    )
    assert reply.status_code == 422
    detail = {tuple(d["loc"]): d for d in reply.json()["detail"]}
    assert set(detail) == {("body", "region"), ("body", "headcount"), ("body", "credit_code")}
    assert "不能为负数" in detail[("body", "headcount")]["msg"]
    assert "第18位应为“7”" in detail[("body", "credit_code")]["msg"]
    assert all(d["type"] == "value_error" for d in detail.values())


def test_unknown_fields_and_wrong_types_are_422(client: TestClient) -> None:
    unknown = client.post("/api/companies", json={**SPARSE, "favourite_colour": "blue"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "favourite_colour"]
    wrong = client.post("/api/companies", json={**SPARSE, "headcount": [1, 2]})
    assert wrong.status_code == 422


def test_patch_changes_only_the_fields_given(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    reply = client.patch(
        f"/api/companies/{company_id}",
        headers=bearer(token),
        json={"headcount": 150, "reminder_offsets": [3, 10, 3], "digest": "off"},
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["headcount"] == 150 and body["reminder_offsets"] == [10, 3] and body["digest"] == "off"
    assert body["industry"] == HANGZHOU["industry"] and body["legal_person"] == "是"
    cleared = client.patch(
        f"/api/companies/{company_id}", headers=bearer(token), json={"industry": None}
    ).json()
    assert cleared["industry"] is None and cleared["headcount"] == 150


def test_patch_errors_are_per_field_and_change_nothing(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    reply = client.patch(
        f"/api/companies/{company_id}",
        headers=bearer(token),
        json={"headcount": 1, "reminder_offsets": [500]},
    )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "reminder_offsets"]
    bad_digest = client.patch(
        f"/api/companies/{company_id}", headers=bearer(token), json={"digest": "hourly"}
    )
    assert bad_digest.status_code == 422
    now = client.get(f"/api/companies/{company_id}", headers=bearer(token)).json()
    assert now["headcount"] == 120 and now["reminder_offsets"] == [14, 7, 3, 1, 0]


def test_matches_give_verdicts_deadlines_missing_fields_and_quotes(client: TestClient) -> None:
    company_id, token = register_api(client, SPARSE)
    items = client.get(f"/api/companies/{company_id}/matches", headers=bearer(token)).json()
    by_title = {m["notice"]["title"]: m for m in items}
    ai = next(m for t, m in by_title.items() if "人工智能醫療器械" in t)
    assert ai["status"] == "possibly_eligible" and "独立法人资格" in ai["missing"]
    assert {r["quote"] for r in ai["results"]} >= {"具有獨立法人資格"}
    assert ai["notice"]["next_deadline"]["date"] == "2025-03-28" and ai["notice"]["days_left"] == 27
    assert all(m["notice"]["days_left"] is None or m["notice"]["days_left"] >= 0 for m in items)
    assert not any("2023 年度国家科技型中小企业评价" in t for t in by_title), "closed notices only on request"
    past = client.get(f"/api/companies/{company_id}/matches?include_past=true", headers=bearer(token)).json()
    assert any("2023 年度国家科技型中小企业评价" in m["notice"]["title"] for m in past)


def test_not_eligible_lists_the_unmet_conditions(client: TestClient) -> None:
    company_id, token = register_api(client, NINGBO)
    items = client.get(f"/api/companies/{company_id}/matches", headers=bearer(token)).json()
    pilot = next(m for m in items if "數字化轉型" in m["notice"]["title"])
    assert pilot["status"] == "not_eligible"
    assert {u["quote"] for u in pilot["unmet"]} >= {"須為杭州市", "具有獨立法人資格"}
    assert all(u["status"] == "fail" for u in pilot["unmet"])


def test_token_rotation(client: TestClient) -> None:
    company_id, old = register_api(client, SPARSE)
    new = client.post(f"/api/companies/{company_id}/token", headers=bearer(old)).json()["token"]
    assert new != old
    assert client.get(f"/api/companies/{company_id}", headers=bearer(old)).status_code == 403
    assert client.get(f"/api/companies/{company_id}", headers=bearer(new)).status_code == 200


def test_channels_are_added_listed_masked_tested_and_removed(client: TestClient, receiver: Loopback) -> None:
    company_id, token = register_api(client, HANGZHOU)
    base = f"/api/companies/{company_id}/channels"
    added = client.post(
        base,
        headers=bearer(token),
        json={"kind": "wecom", "name": "群", "target": receiver.url(f"/cgi-bin/webhook/send?key={KEY}")},
    )
    assert added.status_code == 201, added.text
    channel = added.json()
    assert KEY not in channel["target"] and channel["kind"] == "wecom" and channel["new_secret"] is None
    listed = client.get(base, headers=bearer(token)).json()
    assert [c["kind"] for c in listed] == ["email", "wecom"] and KEY not in str(listed)
    tested = api_test(client, company_id, channel["id"], bearer(token))  # queued, then sent (issue 16)
    assert tested["status"] == "sent" and tested["ok"] is True and tested["status_code"] == 200
    assert tested["latency_ms"] >= 0
    assert len(receiver.received) == 1
    assert client.delete(f"{base}/{channel['id']}", headers=bearer(token)).status_code == 204
    assert [c["kind"] for c in client.get(base, headers=bearer(token)).json()] == ["email"]
    assert client.post(f"{base}/{channel['id']}/test", headers=bearer(token)).status_code == 404


def test_a_generic_webhook_gets_a_signing_secret_returned_once(
    client: TestClient, receiver: Loopback
) -> None:
    company_id, token = register_api(client, SPARSE)
    base = f"/api/companies/{company_id}/channels"
    added = client.post(
        base, headers=bearer(token), json={"kind": "webhook", "target": receiver.url("/hooks/a")}
    ).json()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]+=*", added["new_secret"])
    assert added["new_secret"] not in str(client.get(base, headers=bearer(token)).json())


def test_unsafe_channel_is_422_on_target(make_client: Callable[..., TestClient], settings: Settings) -> None:
    client = make_client(settings.model_copy(update={"webhook_allow_hosts": []}))
    company_id, token = register_api(client, SPARSE)
    reply = client.post(
        f"/api/companies/{company_id}/channels",
        headers=bearer(token),
        json={"kind": "webhook", "target": "https://192.168.1.10/hook"},
    )
    assert reply.status_code == 422
    assert (
        reply.json()["detail"][0]["loc"] == ["body", "target"]
        and "192.168.1.10" in reply.json()["detail"][0]["msg"]
    )


def test_public_notices_list_titles_and_deadlines_only(client: TestClient) -> None:
    register_api(client, HANGZHOU)
    notices = client.get("/api/notices").json()
    titles = [n["title"] for n in notices]
    assert any("人工智能醫療器械" in t for t in titles)
    assert not any("2023 年度国家科技型中小企业评价" in t for t in titles)
    first = notices[0]
    assert first["next_deadline"]["date"] == "2025-03-03" and first["days_left"] == 2, "soonest first"
    assert HANGZHOU["name"] not in str(notices) and "status" not in first
    one = client.get(f"/api/notices/{first['id']}").json()
    assert one["title"] == first["title"] and one["conditions"][0]["quote"]
    assert client.get("/api/notices/999999").status_code == 404


def test_the_api_is_documented(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/companies",
        "/api/companies/{company_id}",
        "/api/companies/{company_id}/matches",
        "/api/companies/{company_id}/channels/{channel_id}/test",
        "/api/companies/{company_id}/tests/{test_id}",
        "/api/notices",
        "/c/{company_id}/calendar.ics",
    ):
        assert path in schema["paths"], path
    assert "/register" not in schema["paths"], "HTML pages stay out of the API schema"
    company = schema["components"]["schemas"]["CompanyPublic"]["properties"]
    assert "token_hash" not in company
    assert client.get("/docs").status_code == 200
