"""Issue 16, item 14, the review's repro: "one company can stall the site".

80 concurrent "send test" calls to a webhook that takes 3 seconds used to exhaust the database pool:
/healthz stopped answering for 30 s and 31 requests failed. Here the same flood reaches the app that
``reminder serve`` runs (``serve_app``: the web app with its scheduler and test-send lane, on uvicorn
in a thread, over real HTTP) while /healthz is probed every quarter second: no probe waits on the
slow receiver, no request fails with a 5xx, each company past its limit gets a Chinese 429, and
every admitted test message reaches the receiver exactly once, sent in the background.
"""

from __future__ import annotations

import concurrent.futures as cf
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from loopback import Loopback
from pg_utils import BACKENDS
from sqlalchemy.engine import Engine

from reminder.cli.serve import serve_app
from reminder.config import Settings

#: the review's figures
REQUESTS, RECEIVER_SECONDS = 80, 3.0
#: the flood comes from this many companies, each allowed LIMIT test sends a minute
COMPANIES, LIMIT = 8, 3


@pytest.fixture
def served(engine: Engine, settings: Settings) -> Iterator[tuple[str, Settings]]:
    """``serve_app`` (scheduler and lane included) on uvicorn in a thread, on a free loopback port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    tuned = settings.model_copy(
        update={"base_url": base, "test_send_limits": f"{LIMIT}/minute", "test_send_concurrency": 8}
    )
    app = serve_app(engine=engine, settings=tuned)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    assert app.state.scheduler is not None, "serve_app runs the worker beside the app"
    yield base, tuned
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


def _company(http: httpx.Client, n: int, target: str) -> tuple[str, dict[str, str]]:
    """Register a company with one webhook; returns its test URL and auth header."""
    registered = http.post(
        "/api/companies", json={"name": f"杭州压测{n}号有限公司", "region": "浙江省杭州市"}
    )
    assert registered.status_code == 201, registered.text
    body = registered.json()
    company_id, auth = body["company"]["id"], {"Authorization": f"Bearer {body['token']}"}
    added = http.post(
        f"/api/companies/{company_id}/channels", json={"kind": "webhook", "target": target}, headers=auth
    )
    assert added.status_code == 201, added.text
    return f"/api/companies/{company_id}/channels/{added.json()['id']}/test", auth


@pytest.mark.parametrize("backend", BACKENDS)
def test_eighty_test_sends_to_a_slow_webhook_do_not_stall_the_site(
    served: tuple[str, Settings], backend: str, tmp_path: Path
) -> None:
    base, _ = served
    limits = httpx.Limits(max_connections=REQUESTS + 4, max_keepalive_connections=REQUESTS + 4)
    with (
        Loopback(delay=RECEIVER_SECONDS) as slow,
        httpx.Client(base_url=base, timeout=60, limits=limits) as http,
    ):
        companies = [_company(http, n, slow.url(f"/hook/{n}")) for n in range(COMPANIES)]
        probes: list[tuple[int, float]] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    code = http.get("/healthz", timeout=5).status_code
                except httpx.TimeoutException:
                    code = 0
                probes.append((code, time.monotonic() - started))
                stop.wait(0.25)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        started = time.monotonic()
        with cf.ThreadPoolExecutor(max_workers=REQUESTS) as pool:  # bounded: one thread per request
            futures = [
                pool.submit(http.post, url, headers=auth)
                for i in range(REQUESTS)
                for url, auth in [companies[i % COMPANIES]]
            ]
            replies = [f.result() for f in futures]
        flood_seconds = time.monotonic() - started
        admitted = [r for r in replies if r.status_code == 202]
        deadline = time.monotonic() + 60
        while len(slow.received) < len(admitted) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # nothing more arrives (once each)
        stop.set()
        prober.join()
        finished = [
            http.get(r.headers["location"], headers=auth).json()
            for r, (_, auth) in zip(replies, [companies[i % COMPANIES] for i in range(REQUESTS)], strict=True)
            if r.status_code == 202
        ]
    codes = sorted(r.status_code for r in replies)
    assert not [c for c in codes if c >= 500], codes
    assert codes.count(202) == COMPANIES * LIMIT and codes.count(429) == REQUESTS - COMPANIES * LIMIT, codes
    assert {r.json()["detail"] for r in replies if r.status_code == 429} == {
        "测试消息发送过于频繁，请稍后再试"
    }
    assert flood_seconds < RECEIVER_SECONDS, f"the requests waited on the receiver ({flood_seconds:.1f} s)"
    slowest = max(seconds for _, seconds in probes)
    assert len(probes) >= 8 and all(code == 200 for code, _ in probes), probes
    # a stalled site waits on the receiver (3 s) or times out (code 0); a busy 2-core machine running
    # the rest of the suite beside this test has taken 1.1 s without any stall
    assert slowest < RECEIVER_SECONDS, f"/healthz waited on the receiver ({slowest:.2f} s)"
    ids = [r.webhook_id for r in slow.received]
    assert len(ids) == len(admitted) == len(set(ids)), "each admitted test message arrived once"
    assert all(f["status"] == "sent" and f["status_code"] == 200 for f in finished), finished
    (tmp_path / "figures.txt").write_text(
        f"flood {flood_seconds:.2f} s, /healthz slowest {slowest:.3f} s over {len(probes)} probes\n"
    )


def test_a_burst_of_plain_api_calls_never_waits_for_the_pool(served: tuple[str, Settings]) -> None:
    """The stall's root: worker threads waiting for connections held by requests waiting for a thread.

    Before session slots, 80 concurrent reads of one company took 31 s and 40 of them failed with 500
    (the pool's 30-s timeout); now they queue for a slot on the event loop and all answer at once.
    """
    base, _ = served
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=REQUESTS)
    with httpx.Client(base_url=base, timeout=60, limits=limits) as http, Loopback() as rx:
        url, auth = _company(http, 99, rx.url())
        company = url.rsplit("/channels/", 1)[0]
        started = time.monotonic()
        with cf.ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            codes = list(pool.map(lambda _: http.get(company, headers=auth).status_code, range(REQUESTS)))
        seconds = time.monotonic() - started
    assert codes == [200] * REQUESTS, sorted(set(codes))
    assert seconds < 10, f"{REQUESTS} reads took {seconds:.1f} s"
