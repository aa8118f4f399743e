"""Every chat channel against the real receiver: one case table, one harness, then behaviour tests."""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from notify_payloads import payload
from receiver import Big, PlatformError, RateLimit, Receiver, Redirect, Sleep, Status
from standardwebhooks import Webhook

from reminder.config import Settings
from reminder.notify.base import Message, SendResult
from reminder.notify.channels import build_channel, make_http_client, new_webhook_secret
from reminder.notify.channels.dingtalk import DingTalkChannel
from reminder.notify.channels.feishu import FeishuChannel
from reminder.notify.channels.webhook import WebhookChannel
from reminder.notify.channels.wecom import WeComChannel
from reminder.notify.ratelimit import RateLimiter
from reminder.notify.render import render_message

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "channels.yaml").read_text(encoding="utf-8"))


def _secret(kind: str) -> str | None:
    return {
        "webhook": new_webhook_secret,
        "dingtalk": lambda: "SEC" + secrets.token_hex(32),
        "feishu": lambda: secrets.token_hex(12),
    }.get(kind, lambda: None)()


def _url(rx: Receiver, kind: str, robot: str) -> str:
    return {
        "wecom": rx.wecom_url,
        "dingtalk": rx.dingtalk_url,
        "feishu": rx.feishu_url,
        "webhook": rx.webhook_url,
    }[kind](robot)


def _answer(spec: dict[str, Any]) -> Any:
    ((key, value),) = spec.items()
    return {
        "error": PlatformError,
        "status": Status,
        "rate_limit": RateLimit,
        "sleep": Sleep,
        "redirect": Redirect,
        "big": Big,
    }[key](value)


def robot_for(
    rx: Receiver, kind: str, *, signed: bool = True, receiver: str = "same"
) -> tuple[str, str, str | None]:
    """Set up a robot on the receiver; returns (robot id, URL, the secret the channel should use)."""
    robot = secrets.token_hex(16)
    secret = _secret(kind) if signed else None
    if receiver == "same":
        rx.add_robot(robot, secret)
    elif receiver == "wrong":
        rx.add_robot(robot, _secret(kind))
    return robot, _url(rx, kind, robot), secret


def message(purpose: str = "before", message_id: str = "rem_0001", **overrides: Any) -> Message:
    return render_message(
        purpose, payload(purpose, **overrides), message_id=message_id, settings=Settings(_env_file=None)
    )  # type: ignore[call-arg]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_channel_case(case: dict[str, Any], rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(
        rx, case["kind"], signed=case.get("signed", True), receiver=case.get("receiver", "same")
    )
    rx.script(robot, *[_answer(s) for s in case.get("script", [])])
    channel = build_channel(case["kind"], url, secret, settings)

    result = channel.send(message())

    expect = case["expect"]
    for field in ("ok", "status_code", "permanent", "retry_after"):
        if field in expect:
            assert getattr(result, field) == expect[field], f"{field}: {result}"
    if "error_contains" in expect:
        assert expect["error_contains"] in (result.error or ""), result
    hits = rx.hits_for(robot)
    if "hits" in expect:
        assert len(hits) == expect["hits"]
    if "verified" in expect:
        assert hits and hits[-1].verified is expect["verified"], hits[-1].problem if hits else "no request"
    assert result.ok is (result.error is None)
    assert not result.throttled


# ── what each platform receives ──


def test_wecom_sends_the_reminder_as_markdown(rx: Receiver, settings: Settings) -> None:
    robot, url, _ = robot_for(rx, "wecom")
    assert build_channel("wecom", url, None, settings).send(message()).ok
    content = rx.hits_for(robot)[0].json["markdown"]["content"]
    assert "关于组织申报2025年度高新技术企业认定的通知" in content
    assert "2025年3月10日（周一）16:00" in content and "还剩 3 天" in content
    assert "研发费用占比" in content and "https://reminder.example.cn/c/7" in content


def test_dingtalk_markdown_has_title_and_text(rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, "dingtalk")
    assert build_channel("dingtalk", url, secret, settings).send(message()).ok
    hit = rx.hits_for(robot)[0]
    assert hit.json["markdown"]["title"].startswith("【申报提醒】还剩 3 天")
    assert "企业申报截止" in hit.json["markdown"]["text"]
    assert set(hit.query) == {"access_token", "timestamp", "sign"}


def test_feishu_post_lines_and_link(rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, "feishu")
    assert build_channel("feishu", url, secret, settings).send(message()).ok
    post = rx.hits_for(robot)[0].json["content"]["post"]["zh_cn"]
    assert post["title"].startswith("【申报提醒】")
    texts = [el.get("text") for line in post["content"] for el in line]
    assert any("企业申报截止" in (t or "") for t in texts)
    assert post["content"][-1] == [
        {"tag": "a", "text": "查看详情", "href": "https://reminder.example.cn/c/7"}
    ]


def test_webhook_document_and_standard_signature(rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, "webhook")
    assert build_channel("webhook", url, secret, settings).send(message(message_id="rem_abc")).ok
    hit = rx.hits_for(robot)[0]
    assert secret is not None
    document = Webhook(secret).verify(hit.body, hit.headers)
    assert document["id"] == hit.headers["webhook-id"] == "rem_abc"
    assert document["type"] == "before"
    assert document["data"] == payload("before")
    assert document["subject"].startswith("【申报提醒】")
    assert hit.headers["webhook-signature"].startswith("v1,")


def test_a_retry_reuses_the_webhook_id(rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, "webhook")
    rx.script(robot, Status(502))
    channel = build_channel("webhook", url, secret, settings)
    first, second = (
        channel.send(message(message_id="rem_retry")),
        channel.send(message(message_id="rem_retry")),
    )
    assert (first.ok, second.ok) == (False, True)
    hits = rx.hits_for(robot)
    assert [h.headers["webhook-id"] for h in hits] == ["rem_retry", "rem_retry"]
    assert all(h.verified for h in hits)
    assert json.loads(hits[0].body)["id"] == json.loads(hits[1].body)["id"]


def test_shared_client_reuses_connections(rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, "webhook")
    with make_http_client(settings) as client:
        channel = build_channel("webhook", url, secret, settings, client=client)
        results = [channel.send(message(message_id=f"rem_{i}")) for i in range(5)]
    assert all(r.ok for r in results)
    assert rx.ids(robot) == [f"rem_{i}" for i in range(5)]


# ── size limits: one message, summarised, never cut mid-character ──

LONG = {
    "verdict": {
        "status": "possibly_eligible",
        "missing": [f"缺失字段{i}号" for i in range(3000)],
        "unmet": [],
        "manual": [],
    }
}


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_oversize_message_is_summarised_and_accepted(kind: str, rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, kind)
    msg = message(**LONG)
    assert len(msg.markdown.encode()) > 20000
    result = build_channel(kind, url, secret, settings).send(msg)
    assert result.ok, result
    hit = rx.hits_for(robot)[0]
    assert hit.verified
    assert "（内容过长，完整内容见：https://reminder.example.cn/c/7）" in hit.body.decode("utf-8")


def test_wecom_summary_fits_4096_bytes_exactly_as_measured(rx: Receiver, settings: Settings) -> None:
    robot, url, _ = robot_for(rx, "wecom")
    build_channel("wecom", url, None, settings).send(message(**LONG))
    content = rx.hits_for(robot)[0].json["markdown"]["content"]
    assert 3500 < len(content.encode("utf-8")) <= 4096
    assert content.splitlines()[0].startswith("### 申报提醒")


# ── rate limits: queue, don't drop ──


def test_local_limit_holds_the_21st_wecom_message(rx: Receiver, settings: Settings, clock: Any) -> None:
    robot, url, _ = robot_for(rx, "wecom")
    limiter = RateLimiter(clock=clock)
    channel = WeComChannel(url, None, settings, limiter=limiter)
    results = [channel.send(message(message_id=f"rem_{i}")) for i in range(21)]
    assert all(r.ok for r in results[:20])
    held = results[20]
    assert (held.ok, held.throttled, held.retry_after) == (False, True, 60.0)
    assert "本地限流" in (held.error or "")
    assert len(rx.hits_for(robot)) == 20  # the 21st was not sent
    clock.advance(60)
    assert channel.send(message(message_id="rem_20")).ok
    assert len(rx.hits_for(robot)) == 21


def test_each_robot_has_its_own_window(rx: Receiver, settings: Settings, clock: Any) -> None:
    limiter = RateLimiter(clock=clock)
    (_, url_a, _), (_, url_b, _) = robot_for(rx, "wecom"), robot_for(rx, "wecom")
    a, b = (
        WeComChannel(url_a, None, settings, limiter=limiter),
        WeComChannel(url_b, None, settings, limiter=limiter),
    )
    for i in range(20):
        assert a.send(message(message_id=f"a{i}")).ok
    assert a.send(message(message_id="a20")).throttled
    assert b.send(message(message_id="b0")).ok


def test_feishu_limits_five_a_second(rx: Receiver, settings: Settings, clock: Any) -> None:
    robot, url, secret = robot_for(rx, "feishu")
    channel = FeishuChannel(url, secret, settings, limiter=RateLimiter(clock=clock))
    results = [channel.send(message(message_id=f"f{i}")) for i in range(6)]
    assert [r.ok for r in results] == [True] * 5 + [False]
    assert results[5].throttled and results[5].retry_after == pytest.approx(1.0)
    clock.advance(1.0)
    assert channel.send(message(message_id="f6")).ok


def test_platform_too_fast_holds_the_robot_locally(rx: Receiver, settings: Settings, clock: Any) -> None:
    robot, url, secret = robot_for(rx, "dingtalk")
    rx.script(robot, PlatformError(130101, "send too fast"))
    channel = DingTalkChannel(url, secret, settings, limiter=RateLimiter(clock=clock))
    assert channel.send(message()).retry_after == 600
    held = channel.send(message())
    assert held.throttled and held.retry_after == pytest.approx(600)
    assert len(rx.hits_for(robot)) == 1
    clock.advance(600)
    assert channel.send(message()).ok


def test_email_and_webhook_have_no_local_limit(rx: Receiver, settings: Settings, clock: Any) -> None:
    robot, url, secret = robot_for(rx, "webhook")
    channel = WebhookChannel(url, secret, settings, limiter=RateLimiter(clock=clock))
    assert all(channel.send(message(message_id=f"w{i}")).ok for i in range(30))


# ── secrets stay out of logs and errors ──


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "webhook"])
def test_secrets_are_never_logged(
    kind: str, rx: Receiver, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    robot, url, secret = robot_for(rx, kind)
    rx.script(robot, Status(500))
    channel = build_channel(kind, url, secret, settings)
    results = [channel.send(message()), channel.send(message())]
    assert [r.ok for r in results] == [False, True]
    assert caplog.records, "sends are logged"
    logged = caplog.text + repr(channel) + " ".join(r.error or "" for r in results)
    assert robot not in logged
    if secret:
        assert secret not in logged and secret[-20:] not in logged


# ── the client never follows a redirect, and never reads an answer without bound ──


def test_redirect_target_is_never_contacted(rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, "webhook")
    other, other_url, _ = robot_for(rx, "webhook")
    rx.script(robot, Redirect(other_url))
    result = build_channel("webhook", url, secret, settings).send(message())
    assert result.permanent and result.status_code == 302
    assert rx.hits_for(other) == []


def test_answer_is_read_only_up_to_the_limit(rx: Receiver, settings: Settings) -> None:
    small = settings.model_copy(update={"webhook_max_response_bytes": 1024})
    robot, url, _ = robot_for(rx, "wecom")
    rx.script(robot, Big(10_000_000))
    with httpx.Client(timeout=httpx.Timeout(0.5)) as client:
        result = WeComChannel(url, None, small, client=client).send(message())
    assert not result.ok and "无法识别" in (result.error or "")


def test_connection_refused_is_transient(settings: Settings) -> None:
    result = build_channel("webhook", "http://127.0.0.1:9/hooks/x", new_webhook_secret(), settings).send(
        message()
    )
    assert result == SendResult(ok=False, error=result.error, latency_ms=result.latency_ms)
    assert "无法连接" in (result.error or "")


def test_retry_after_header_forms() -> None:
    from reminder.notify.channels._http import parse_retry_after

    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == pytest.approx(30.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412500.0) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
