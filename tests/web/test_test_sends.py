"""Issue 16, item 14: one company's "send test" calls cannot stall the site.

The review's repro: 80 concurrent test sends to a 3-second webhook exhausted the database pool;
/healthz stopped answering for 30 s and 31 requests failed. Here the same: 80 concurrent sends to a
3-second webhook, with /healthz probed while they are in flight.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from loopback import Loopback
from pg_utils import BACKENDS
from web_factories import bearer, register_api

from reminder.config import Settings


@pytest.mark.parametrize("backend", BACKENDS)  # the review exhausted the pool on both databases
def test_concurrent_test_sends_are_capped_and_healthz_keeps_answering(
    make_client: Callable[..., TestClient], settings: Settings, backend: str
) -> None:
    client = make_client(
        settings.model_copy(update={"test_send_limits": "100/minute", "test_send_concurrency": 4})
    )
    company_id, token = register_api(client, {"name": "杭州测试发送有限公司", "region": "浙江省杭州市"})
    with Loopback(delay=3.0) as slow:
        channel = {"kind": "webhook", "target": slow.url(), "name": "慢"}
        added = client.post(f"/api/companies/{company_id}/channels", json=channel, headers=bearer(token))
        assert added.status_code == 201, added.text
        url = f"/api/companies/{company_id}/channels/{added.json()['id']}/test"
        with cf.ThreadPoolExecutor(max_workers=80) as pool:
            sends = [pool.submit(client.post, url, headers=bearer(token)) for _ in range(80)]
            probes = []
            for _ in range(3):  # while the admitted sends wait on the webhook
                time.sleep(0.4)
                started = time.monotonic()
                probes.append((client.get("/healthz").status_code, time.monotonic() - started))
            codes = sorted(f.result().status_code for f in sends)
    assert all(code == 200 and seconds < 2 for code, seconds in probes), probes
    assert set(codes) <= {200, 503}, codes  # nothing failed: each send was admitted or refused at once
    assert codes.count(200) <= 4 and codes.count(503) >= 70, codes
    refused = client.post(url, headers=bearer(token))
    assert refused.status_code in (200, 503)


def test_test_sends_are_rate_limited_per_company(
    make_client: Callable[..., TestClient], settings: Settings
) -> None:
    client = make_client(settings.model_copy(update={"test_send_limits": "3/minute"}))
    company_id, token = register_api(client, {"name": "杭州频率测试有限公司", "region": "浙江省杭州市"})
    with Loopback() as rx:
        added = client.post(
            f"/api/companies/{company_id}/channels",
            json={"kind": "webhook", "target": rx.url()},
            headers=bearer(token),
        )
        url = f"/api/companies/{company_id}/channels/{added.json()['id']}/test"
        codes = [client.post(url, headers=bearer(token)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    other_id, other_token = register_api(client, {"name": "杭州另一家有限公司", "region": "浙江省杭州市"})
    assert other_id != company_id  # another company is not limited by the first one's sends
    last = client.post(url, headers=bearer(token))
    assert "频繁" in last.json()["detail"]


def test_the_notifications_page_says_why_in_chinese(
    make_client: Callable[..., TestClient], settings: Settings
) -> None:
    client = make_client(settings.model_copy(update={"test_send_limits": "1/minute"}))
    company_id, token = register_api(client, {"name": "杭州页面测试有限公司", "region": "浙江省杭州市"})
    with Loopback() as rx:
        added = client.post(
            f"/api/companies/{company_id}/channels",
            json={"kind": "webhook", "target": rx.url()},
            headers=bearer(token),
        )
        client.get(f"/c/{company_id}", params={"token": token})  # the page link sets the cookie
        path = f"/c/{company_id}/channels/{added.json()['id']}/test"
        origin = {"origin": "http://testserver"}
        assert client.post(path, headers=origin).status_code == 200
        page = client.post(path, headers=origin)
    assert page.status_code == 200 and "测试消息发送过于频繁" in page.text
