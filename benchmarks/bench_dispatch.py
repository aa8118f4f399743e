"""Dispatch throughput: webhook reminders to a local receiver, and emails to a local aiosmtpd.

Fills the outbox with reminders that are all due, runs ``dispatch_due`` (claim in batches, render,
send with bounded concurrency, record every attempt) until none is left, and prints deliveries per
second and the dispatcher's peak memory. The webhook receiver runs in its own process (uvicorn), so
it does not compete with the dispatcher for the GIL; aiosmtpd runs in a thread.

    .venv/bin/python benchmarks/bench_dispatch.py [--webhooks 10000] [--emails 1000] [--database-url URL]

Target: at least 200 webhook deliveries per second with the default concurrency (16).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reminder.config import Settings
from reminder.db.engine import make_engine, session_scope
from reminder.db.migrate import upgrade
from reminder.db.models import Channel, Company, Reminder, utcnow
from reminder.notify.channels import new_webhook_secret
from reminder.notify.dispatcher import DispatchStats, dispatch_due
from reminder.notify.planning import message_id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _receiver(port: int) -> None:
    """A minimal ASGI app under uvicorn: counts distinct webhook-ids, answers 200."""
    import uvicorn

    seen: set[str] = set()
    total = [0]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        if scope["method"] == "POST":
            total[0] += 1
            headers = dict(scope["headers"])
            seen.add(headers.get(b"webhook-id", b"").decode())
            body = b'{"ok":true}'
        else:
            body = f'{{"total":{total[0]},"distinct":{len(seen)}}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"receiver on port {port} did not start")


def _fill(engine: Engine, kind: str, target: str, secret: str | None, n: int) -> None:
    """``n`` due channel-test reminders for one company and channel, inserted in bulk."""
    now = utcnow()
    with session_scope(engine) as session:
        company = Company(name=f"基准测试企业 {kind}")
        session.add(company)
        session.flush()
        channel = Channel(company_id=company.id, kind=kind, target=target, secret=secret)
        session.add(channel)
        session.flush()
        payload = {
            "company": {"id": company.id, "name": company.name},
            "link": f"https://reminder.example.cn/c/{company.id}",
        }
        rows = []
        for i in range(n):
            key = f"bench:{kind}:{channel.id}:{i}"
            rows.append(dict(
                key=key, company_id=company.id, channel_id=channel.id, purpose="test", due_at=now, next_attempt_at=now,
                status="pending", attempts=0, message_id=message_id(key), payload=payload, created_at=now, updated_at=now,
            ))  # fmt: skip
        table: sa.Table = Reminder.__table__  # type: ignore[attr-defined]
        for start in range(0, n, 1000):
            session.execute(sa.insert(table), rows[start : start + 1000])


def _run(engine: Engine, settings: Settings) -> tuple[DispatchStats, float]:
    started = time.perf_counter()
    stats = dispatch_due(engine=engine, settings=settings, worker="bench")
    return stats, time.perf_counter() - started


def _webhooks(engine: Engine, n: int, base: dict[str, Any]) -> str:
    port = _free_port()
    proc = mp.get_context("spawn").Process(target=_receiver, args=(port,), daemon=True)
    proc.start()
    try:
        _wait_for(port)
        _fill(engine, "webhook", f"http://127.0.0.1:{port}/hooks/bench", new_webhook_secret(), n)
        settings = Settings(**base, webhook_allow_hosts=["127.0.0.1"], webhook_allow_http=True)
        stats, took = _run(engine, settings)
        seen = httpx.get(f"http://127.0.0.1:{port}/count").json()
    finally:
        proc.terminate()
        proc.join()
    return (
        f"webhook: {stats.sent:,} of {n:,} delivered in {took:.2f} s → {stats.sent / took:,.0f} deliveries/s "
        f"(concurrency {settings.dispatch_concurrency}, batch {settings.dispatch_batch}; "
        f"receiver saw {seen['total']:,} requests, {seen['distinct']:,} distinct ids)"
    )


def _emails(engine: Engine, n: int, base: dict[str, Any]) -> str:
    from aiosmtpd.controller import Controller

    class Count:
        messages = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            Count.messages += 1
            return "250 OK"

    port = _free_port()
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _fill(engine, "email", "finance@example.cn", None, n)
        settings = Settings(**base, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
        stats, took = _run(engine, settings)
    finally:
        controller.stop()
    return (
        f"email:   {stats.sent:,} of {n:,} delivered in {took:.2f} s → {stats.sent / took:,.0f} deliveries/s "
        f"(one SMTP connection per message; server accepted {Count.messages:,})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--webhooks", type=int, default=10_000, help="webhook reminders (default 10000)")
    ap.add_argument("--emails", type=int, default=1_000, help="email reminders (default 1000)")
    ap.add_argument("--concurrency", type=int, default=16, help="sends in flight (default 16)")
    ap.add_argument("--database-url", help="default: a temporary SQLite file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        base: dict[str, Any] = {
            "_env_file": None,
            "dispatch_concurrency": args.concurrency,
            "webhook_timeout": 10.0,
        }
        lines = [f"database: {engine.dialect.name}"]
        if args.webhooks:
            lines.append(_webhooks(engine, args.webhooks, base))
        if args.emails:
            lines.append(_emails(engine, args.emails, base))
        engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"peak memory of the dispatcher process (max RSS): {peak_mb:.0f} MB")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
