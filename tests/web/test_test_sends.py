"""Issue 16, item 14: one company's "send test" calls cannot stall the site.

The review's repro: 80 concurrent test sends to a 3-second webhook exhausted the database pool;
/healthz stopped answering for 30 s and 31 requests failed. Here: 40 concurrent sends to a
1-second webhook, with /healthz probed meanwhile.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from loopback import Loopback
from web_factories import bearer, register_api

from reminder.config import Settings


def test_concurrent_test_sends_are_capped_and_healthz_keeps_answering(
    make_client: Callable[..., TestClient], settings: Settings
) -> None:
    client = make_client(
        settings.model_copy(update={"test_send_limits": "100/minute", "test_send_concurrency": 2})
    )
    company_id, token = register_api(client, {"name": "杭州测试发送有限公司", "region": "浙江省杭州市"})
    with Loopback(delay=1.0) as slow:
        channel = {"kind": "webhook", "target": slow.url(), "name": "慢"}
        added = client.post(f"/api/companies/{company_id}/channels", json=channel, headers=bearer(token))
        assert added.status_code == 201, added.text
        url = f"/api/companies/{company_id}/channels/{added.json()['id']}/test"
        with cf.ThreadPoolExecutor(max_workers=40) as pool:
            sends = [pool.submit(client.post, url, headers=bearer(token)) for _ in range(40)]
            time.sleep(0.3)
            started = time.monotonic()
            health = client.get("/healthz")
            health_seconds = time.monotonic() - started
            codes = sorted(f.result().status_code for f in sends)
    assert health.status_code == 200 and health_seconds < 2, health_seconds
    assert codes.count(200) <= 4 and codes.count(503) >= 30, codes
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
