"""/healthz and /metrics: what a load balancer and Prometheus see."""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

import admin_fixtures as fx
import pytest
import sqlalchemy as sa
from admin_fixtures import ingest_text, make_app, outbox, register
from apscheduler.schedulers.background import BackgroundScheduler
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reminder.db import match_counts
from reminder.db.engine import make_engine
from reminder.db.models import MatchCount
from reminder.scheduler import jobs, start_scheduler
from reminder.web import ops

sqlite_engine, migrated_template = fx.sqlite_engine, fx.migrated_template
admin_app, api, anonymous = fx.admin_app, fx.api, fx.anonymous

# ── a small parser for the Prometheus text format (0.0.4), strict enough to catch mistakes ──

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{(.*)\}})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
_SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count", "")}


def _labels(text: str) -> dict[str, str]:
    labels, pos = {}, 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        assert m, f"bad labels {text!r}"
        labels[m.group(1)] = m.group(2)
        pos = m.end()
    return labels


def parse_prometheus(text: str) -> dict[str, dict[str, Any]]:
    """name → {"type", "help", "samples": [(sample name, labels, value)]}; asserts on any syntax error."""
    assert text.endswith("\n")
    families: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, name, rest = line.split(" ", 3)
            assert re.fullmatch(_NAME, name), line
            family = families.setdefault(name, {"samples": []})
            if kind == "TYPE":
                assert (
                    rest in ("counter", "gauge", "histogram", "summary", "untyped") and "type" not in family
                ), line
                assert not family["samples"], "TYPE after samples"
            family[kind.lower()] = rest
            continue
        assert line and not line.startswith("#"), repr(line)
        m = _SAMPLE.match(line)
        assert m, repr(line)
        name, labels, value = m.group(1), _labels(m.group(2) or ""), float(m.group(3))
        owner = next(
            (
                f
                for f in families
                if name == f or name in (f + s for s in _SUFFIXES.get(families[f].get("type", ""), ()))
            ),
            None,
        )
        assert owner is not None, f"sample {name} has no # TYPE"
        families[owner]["samples"].append((name, labels, value))
    return families


def value(families: dict[str, dict[str, Any]], name: str, **labels: str) -> float:
    family = families[name.removesuffix("_bucket").removesuffix("_sum").removesuffix("_count")]
    hits = [v for n, lab, v in family["samples"] if n == name and lab == labels]
    assert len(hits) == 1, (name, labels, family["samples"])
    return float(hits[0])


# ── /healthz ───────────────────────────────────────────────────────────────────────────────


def test_healthy_database_without_scheduler(anonymous: TestClient) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (
        body["database"]["ok"] and body["database"]["schema_ok"] and body["database"]["backend"] == "sqlite"
    )
    assert body["database"]["revision"] == body["database"]["head"]
    assert body["scheduler"] == {"running": False, "state": "not started"}


def test_healthz_checks_the_database_once_per_ttl(
    anonymous: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: a burst of probes costs one database check; an answer is at most HEALTH_TTL old."""
    checks: list[int] = []
    check = ops.check_database

    def counted(engine: Engine) -> Any:
        checks.append(1)
        return check(engine)

    monkeypatch.setattr(ops, "check_database", counted)
    monkeypatch.setattr(ops, "HEALTH_TTL", 60.0)
    assert all(anonymous.get("/healthz").json()["status"] == "ok" for _ in range(5))
    assert len(checks) == 1
    monkeypatch.setattr(ops, "HEALTH_TTL", 0.0)
    assert all(anonymous.get("/healthz").json()["status"] == "ok" for _ in range(3))
    assert len(checks) == 4


def test_a_running_scheduler_is_reported(sqlite_engine: Engine, tmp_path: Path) -> None:
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    scheduler.start()
    try:
        app = make_app(sqlite_engine, tmp_path)
        app.state.scheduler = scheduler
        with TestClient(app) as client:
            assert client.get("/healthz").json()["scheduler"] == {"running": True, "state": "running"}
            assert "reminder_scheduler_running 1\n" in client.get("/metrics").text
            scheduler.pause()
            assert client.get("/healthz").json()["scheduler"] == {"running": False, "state": "paused"}
    finally:
        scheduler.shutdown(wait=False)
    with TestClient(app) as client:
        assert client.get("/healthz").json()["scheduler"] == {"running": False, "state": "stopped"}


def test_the_services_own_worker_is_reported(sqlite_engine: Engine, tmp_path: Path) -> None:
    app = make_app(sqlite_engine, tmp_path)
    worker = start_scheduler(engine=sqlite_engine, settings=app.state.settings, name="test-worker")
    try:
        app.state.scheduler = worker
        with TestClient(app) as client:
            assert client.get("/healthz").json()["scheduler"] == {"running": True, "state": "running"}
    finally:
        worker.shutdown(wait=True)
    with TestClient(app) as client:
        assert client.get("/healthz").json()["scheduler"] == {"running": False, "state": "stopped"}
        assert "reminder_scheduler_running 0\n" in client.get("/metrics").text


def test_unreachable_database_is_503_without_secrets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine("postgresql://reminder:hunter2-secret@127.0.0.1:1/reminder?connect_timeout=2")
    try:
        app = make_app(engine, tmp_path)
        with caplog.at_level(logging.DEBUG), TestClient(app) as client:
            health = client.get("/healthz")
            metrics = client.get("/metrics")
    finally:
        engine.dispose()
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable" and health.json()["database"]["ok"] is False
    assert "OperationalError" in health.json()["database"]["error"]
    assert metrics.status_code == 503 and "reminder_up 0" in metrics.text
    for text in (health.text, metrics.text, caplog.text):
        assert "hunter2" not in text and "127.0.0.1:1" not in text


def test_a_database_without_the_schema_is_503(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with TestClient(make_app(engine, tmp_path)) as client:
            response = client.get("/healthz")
    finally:
        engine.dispose()
    assert response.status_code == 503
    database = response.json()["database"]
    assert (
        database["ok"] is True
        and database["schema_ok"] is False
        and "reminder db upgrade" in database["error"]
    )


# ── /metrics ───────────────────────────────────────────────────────────────────────────────


def test_metrics_of_an_empty_service(anonymous: TestClient) -> None:
    response = anonymous.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    families = parse_prometheus(response.text)
    assert {name: f["type"] for name, f in families.items()} == {
        "reminder_up": "gauge",
        "reminder_notices": "gauge",
        "reminder_companies": "gauge",
        "reminder_matches": "gauge",
        "reminder_reminders": "gauge",
        "reminder_deliveries_total": "counter",
        "reminder_delivery_latency_seconds": "histogram",
        "reminder_scheduler_running": "gauge",
        "reminder_holiday_data_missing": "gauge",
        "reminder_sources_flagged": "gauge",
        "reminder_source_failures": "gauge",
    }
    assert all(f.get("help") for f in families.values())
    for status in ("pending", "sent", "dead", "cancelled"):
        assert value(families, "reminder_reminders", status=status) == 0
    assert value(families, "reminder_delivery_latency_seconds_count") == 0


def test_metrics_count_what_is_stored(api: TestClient, sqlite_engine: Engine) -> None:
    company = register(sqlite_engine)
    register(sqlite_engine, name="另一家公司", region="浙江省杭州市西湖区")
    ingest_text(api, publish=True)
    ingest_text(
        api, "关于开展2025年度工业设计中心认定工作的通知\n请于2025年5月8日前提交申报材料。\n", name="sheji"
    )
    outbox(sqlite_engine, company)
    families = parse_prometheus(api.get("/metrics").text)
    assert value(families, "reminder_notices", status="published") == 1
    assert value(families, "reminder_notices", status="draft") == 1
    assert value(families, "reminder_companies") == 2
    assert value(families, "reminder_matches", status="eligible") == 1
    assert value(families, "reminder_reminders", status="dead") == 1
    assert value(families, "reminder_reminders", status="pending") == 1
    assert value(families, "reminder_deliveries_total", ok="false") == 2
    assert value(families, "reminder_deliveries_total", ok="true") == 1
    # attempts took 0.04 s, 0.12 s and 3 s
    buckets = [
        (lab["le"], v)
        for n, lab, v in families["reminder_delivery_latency_seconds"]["samples"]
        if n.endswith("_bucket")
    ]
    assert buckets[-1] == ("+Inf", 3)
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)  # cumulative
    assert (
        dict(buckets)["0.05"] == 1
        and dict(buckets)["0.25"] == 2
        and dict(buckets)["2.5"] == 2
        and dict(buckets)["5"] == 3
    )
    assert math.isclose(value(families, "reminder_delivery_latency_seconds_sum"), 3.16)
    assert value(families, "reminder_delivery_latency_seconds_count") == 3
    assert value(families, "reminder_up") == 1


def test_metrics_sum_the_match_counts_kept_at_matching_time(
    api: TestClient, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: the match families come from ``match_counts``, not from counting every match row."""
    monkeypatch.setattr(match_counts, "QUEUED_FROM", 1)  # as a 全国 notice: its counts wait for the worker
    register(sqlite_engine)
    register(sqlite_engine, name="另一家公司", region="浙江省杭州市西湖区")
    ingest_text(api, publish=True)
    families = parse_prometheus(api.get("/metrics").text)
    assert value(families, "reminder_matches", status="eligible") == 1
    assert value(families, "reminder_matches", status="possibly_eligible") == 0
    # the new notice's verdict waits for the worker's counts job: /metrics counts it from its matches
    # meanwhile (a scrape writes nothing), and says the same once it is in the counts
    with sqlite_engine.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(MatchCount)).scalar_one() == 0
    assert jobs.fold_counts(engine=sqlite_engine) == 1
    families = parse_prometheus(api.get("/metrics").text)
    assert value(families, "reminder_matches", status="eligible") == 1
    assert value(families, "reminder_matches", status="possibly_eligible") == 0
    with sqlite_engine.begin() as conn:  # what the counts say is what /metrics says
        conn.execute(sa.update(MatchCount).values(eligible=7, possible=5, total=12))
        counted = conn.execute(sa.select(sa.func.count()).select_from(MatchCount)).scalar_one()
    assert counted >= 1
    families = parse_prometheus(api.get("/metrics").text)
    assert value(families, "reminder_matches", status="eligible") == 7 * counted
    assert value(families, "reminder_matches", status="possibly_eligible") == 5 * counted


def test_the_parser_rejects_broken_exposition() -> None:
    with pytest.raises(AssertionError):
        parse_prometheus("reminder_x 1\n")  # no TYPE
    with pytest.raises(AssertionError):
        parse_prometheus('# TYPE a gauge\na{b="c} 1\n')
    with pytest.raises(ValueError):
        parse_prometheus("# TYPE a gauge\na one\n")


# ── /metrics access (issue 16, item 18: counts were readable by anyone) ──────────────────────


def test_metrics_are_refused_to_other_addresses_without_the_token(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    app = make_app(sqlite_engine, tmp_path, metrics_allow_ips=["127.0.0.1"], metrics_token="m" * 40)
    with TestClient(app, client=("203.0.113.9", 40000)) as outsider:
        denied = outsider.get("/metrics")
        assert denied.status_code == 403 and "reminder_" not in denied.text and "无权" in denied.text
        assert outsider.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert outsider.get("/metrics", headers={"Authorization": "Bearer " + "m" * 40}).status_code == 200
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        assert local.get("/metrics").status_code == 200
