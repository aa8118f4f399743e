"""The channel registry: explicit kinds, save-time validation, construction errors."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml

import reminder.notify.channels as channels
from reminder.config import Settings
from reminder.db.models import CHANNEL_KINDS
from reminder.errors import DeliveryError
from reminder.notify import safety
from reminder.notify.channels import (
    CHANNELS,
    DingTalkChannel,
    EmailChannel,
    FeishuChannel,
    WebhookChannel,
    WeComChannel,
    build_channel,
    channel_help,
    channel_info,
    channel_kinds,
    channel_labels,
    new_webhook_secret,
    validate_channel,
)

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "config.yaml").read_text(encoding="utf-8"))
VALID = CASES["valid"]
INVALID = CASES["invalid"]


@pytest.fixture(autouse=True)
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "resolve", lambda host, port: [ipaddress.ip_address("93.184.215.14")])


def test_exported_names() -> None:
    assert set(channels.__all__) == {
        "CHANNELS",
        "channel_kinds",
        "channel_labels",
        "channel_help",
        "channel_info",
        "build_channel",
        "validate_channel",
        "mask_secret",
        "mask_target",
        "make_http_client",
        "new_webhook_secret",
        "EmailChannel",
        "WeComChannel",
        "DingTalkChannel",
        "FeishuChannel",
        "WebhookChannel",
    }


def test_registry_is_explicit_and_matches_the_schema() -> None:
    assert CHANNELS == {
        "email": EmailChannel,
        "wecom": WeComChannel,
        "dingtalk": DingTalkChannel,
        "feishu": FeishuChannel,
        "webhook": WebhookChannel,
    }
    assert tuple(CHANNELS) == CHANNEL_KINDS
    for kind, cls in CHANNELS.items():
        assert cls.kind == kind and cls.service_name


@pytest.mark.parametrize("kind", list(CHANNELS))
def test_every_channel_describes_itself(kind: str) -> None:
    info = channel_info(kind)
    assert info.kind == kind
    assert info.service_name and info.help_text and info.url_shape
    assert info.secret_use in ("required", "optional", "unused")
    assert info.body_maxlen is None or info.body_maxlen > 0
    assert channel_labels()[kind] == info.service_name and channel_help()[kind] == info.help_text


def test_one_label_per_channel_everywhere() -> None:
    # 钉钉 used to be 钉钉机器人 in one place and 钉钉群机器人 in another
    assert channel_labels() == {
        "email": "电子邮件",
        "wecom": "企业微信群机器人",
        "dingtalk": "钉钉群机器人",
        "feishu": "飞书群机器人",
        "webhook": "通用 Webhook",
    }
    assert channel_kinds() == CHANNEL_KINDS


def test_unknown_kind_has_no_description() -> None:
    with pytest.raises(DeliveryError, match="未知的提醒渠道类型"):
        channel_info("sms")


@pytest.mark.parametrize("case", VALID, ids=lambda c: f"{c['kind']}:{c['target'][:60]}")
def test_valid_configuration(case: dict[str, Any], strict_settings: Settings) -> None:
    validate_channel(case["kind"], case["target"], case.get("secret"), strict_settings)


@pytest.mark.parametrize("case", INVALID, ids=lambda c: f"{c['kind']}:{c['target'][:50]}")
def test_invalid_configuration(case: dict[str, Any], strict_settings: Settings) -> None:
    with pytest.raises(DeliveryError) as info:
        validate_channel(case["kind"], case["target"], case.get("secret"), strict_settings)
    assert case["error"] in str(info.value)
    assert " / " in str(info.value), "bilingual: Chinese / English"


def test_build_refuses_what_validate_refuses(strict_settings: Settings) -> None:
    with pytest.raises(DeliveryError, match="企业微信机器人地址应形如"):
        build_channel("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", None, strict_settings)
    with pytest.raises(DeliveryError, match="未知的提醒渠道类型"):
        build_channel("sms", "13800000000", None, strict_settings)


def test_build_does_not_resolve(strict_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(host: str, port: int) -> list[Any]:
        raise AssertionError("build_channel must not do DNS")

    monkeypatch.setattr(safety, "resolve", no_dns)
    channel = build_channel("webhook", "https://hooks.example.com/x", new_webhook_secret(), strict_settings)
    assert channel.kind == "webhook"


def test_platform_host_may_be_replaced_only_by_an_allowed_host(
    settings: Settings, strict_settings: Settings
) -> None:
    url = "http://127.0.0.1:8080/cgi-bin/webhook/send?key=693a91f6-7a0c"
    build_channel("wecom", url, None, settings)  # the allow-list names 127.0.0.1 (test receivers, relays)
    with pytest.raises(DeliveryError):
        build_channel("wecom", url.replace("http:", "https:"), None, strict_settings)


def test_secret_is_ignored_where_unused(strict_settings: Settings) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a0c"
    validate_channel("wecom", url, "anything", strict_settings)
    validate_channel("email", "a@example.com", "anything", strict_settings)


def test_email_needs_smtp_configured_to_build(strict_settings: Settings) -> None:
    validate_channel("email", "finance@example.com", None, strict_settings)  # saving is fine
    with pytest.raises(DeliveryError, match="REMINDER_SMTP_HOST"):
        build_channel("email", "finance@example.com", None, strict_settings)
    with_smtp = strict_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_security": "tls1.3"})
    with pytest.raises(DeliveryError, match="REMINDER_SMTP_SECURITY"):
        build_channel("email", "finance@example.com", None, with_smtp)


def test_new_webhook_secret_is_accepted_and_unique(strict_settings: Settings) -> None:
    a, b = new_webhook_secret(), new_webhook_secret()
    assert a != b and a.startswith("whsec_")
    validate_channel("webhook", "https://hooks.example.com/x", a, strict_settings)
