"""Secrets and webhook keys are shown masked in pages, API responses and logs."""

from __future__ import annotations

import pytest

from reminder.notify.channels import mask_secret, mask_target


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        ("", ""),
        ("short", "****"),
        ("SEC0123456789abcdef0123", "SEC01…23"),
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_Mf…Sw"),
        ("a1b2c3d4e5f6", "a1…f6"),
    ],
)
def test_mask_secret(value: str | None, shown: str) -> None:
    assert mask_secret(value) == shown


@pytest.mark.parametrize(
    ("kind", "target", "shown", "hidden"),
    [
        (
            "wecom",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=69…aa",
            "693a91f6-7aoc",
        ),
        (
            "dingtalk",
            "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef",
            "https://oapi.dingtalk.com/robot/send?access_token=01…ef",
            "0123456789abcdef",
        ),
        (
            "feishu",
            "https://open.feishu.cn/open-apis/bot/v2/hook/2c3b5f8e-1234-4cde-9abc-0123456789ab",
            "https://open.feishu.cn/open-apis/bot/v2/hook/2c…ab",
            "2c3b5f8e-1234",
        ),
        (
            "webhook",
            "https://user:p4ssw0rd@hooks.example.com/in?token=abcdefgh12345678&team=ops",
            "https://user:****@hooks.example.com/in?token=ab…78&team=ops",
            "p4ssw0rd",
        ),
        (
            "webhook",
            "https://hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.example.com/services/T000/B000/XX…XX",
            "XXXXXXXXXXXXXXXXXXXXXXXX",
        ),
        ("email", "finance@example.com", "finance@example.com", None),
    ],
)
def test_mask_target(kind: str, target: str, shown: str, hidden: str | None) -> None:
    masked = mask_target(kind, target)
    assert masked == shown
    if hidden:
        assert hidden not in masked


def test_unparsable_target_is_masked_whole() -> None:
    assert mask_target("wecom", "not a url but maybe a key 1234567890") == "no…90"
