"""飞书 custom bot: a rich-text ("post") message to ``https://open.feishu.cn/open-apis/bot/v2/hook/ID``.

With 签名校验 enabled, the body carries ``timestamp`` (seconds) and ``sign`` = base64 of
HMAC-SHA256 keyed with f"{timestamp}\\n{secret}" over an empty message. The bot answers
``{"code": 0, "msg": "success"}`` (older bots: ``StatusCode``); 9499/11232 mean too many requests
(5 a second, 100 a minute), 19021 a bad signature. Requests are limited to 20 KB.
Docs: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

import httpx

from reminder.errors import DeliveryError
from reminder.notify.base import Message, SendResult
from reminder.notify.channels._http import HttpChannel, Reply
from reminder.notify.fit import cut_utf8, fit_message
from reminder.notify.ratelimit import Limit

__all__ = ["FeishuChannel", "feishu_sign"]

_HOOK = re.compile(r"/open-apis/bot/v2/hook/[A-Za-z0-9\-]{8,64}")
_RATE_LIMITED = {9499: 60.0, 11232: 60.0}
_TRANSIENT = {-1}
_HINTS = {
    19021: "签名校验失败，请检查签名密钥 / signature mismatch: check the secret",
    19022: "IP 不在白名单 / IP not allowed",
    19024: "消息不含机器人设置的关键词 / keyword missing",
    19001: "机器人地址无效，请重新复制 / invalid hook URL",
}


def feishu_sign(timestamp_s: str, secret: str) -> str:
    """The ``sign`` field: base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    mac = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


class FeishuChannel(HttpChannel):
    """飞书自定义机器人 (Feishu / Lark custom bot), rich-text "post" messages, optionally signed."""

    kind = "feishu"
    service_name = "飞书群机器人"
    url_shape = "https://open.feishu.cn/open-apis/bot/v2/hook/…"
    help_text = f"机器人 Webhook 地址 {url_shape}；若启用“签名校验”，填写密钥"
    service_url = "https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot"
    hosts = ("open.feishu.cn", "open.larksuite.com")
    #: text budget in UTF-8 bytes, leaving room for the JSON around it under the 20 KB request limit
    body_maxlen = 16 * 1024
    rate_limits = (Limit(5, 1.0), Limit(100, 60.0))
    secret_use = "optional"

    @classmethod
    def check_shape(cls, url: httpx.URL) -> None:
        """Path ``/open-apis/bot/v2/hook/<id>``."""
        if not _HOOK.fullmatch(url.path):
            raise DeliveryError(
                "飞书机器人地址应形如 https://open.feishu.cn/open-apis/bot/v2/hook/…，请在机器人设置中复制 / "
                "a Feishu bot URL looks like https://open.feishu.cn/open-apis/bot/v2/hook/…"
            )

    def build(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        assert self.body_maxlen is not None
        text = fit_message(message, "text", self.body_maxlen, drop_link_line=True)
        lines: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in text.splitlines()]
        if message.link:
            lines.append([{"tag": "a", "text": "查看详情", "href": message.link}])
        body: dict[str, Any] = {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": cut_utf8(message.subject, 300), "content": lines}}},
        }
        if self.secret:
            timestamp = str(int(self._clock()))
            body = {"timestamp": timestamp, "sign": feishu_sign(timestamp, self.secret), **body}
        return self.target, json.dumps(body, ensure_ascii=False).encode("utf-8"), {}

    def interpret(self, reply: Reply) -> SendResult:
        answer = reply.json()
        code = None if answer is None else answer.get("code", answer.get("StatusCode"))
        if answer is None or not isinstance(code, int):
            return SendResult(
                ok=False,
                status_code=reply.status_code,
                error="飞书返回了无法识别的内容 / unreadable Feishu reply",
            )
        if code == 0:
            return SendResult(ok=True, status_code=reply.status_code)
        said = (
            f"飞书返回错误 {code}：{answer.get('msg', answer.get('StatusMessage', ''))} / Feishu error {code}"
        )
        if code in _RATE_LIMITED:
            return self.rate_limited(
                reply, _RATE_LIMITED[code], said + "（发送过于频繁 / too many requests）"
            )
        if code in _TRANSIENT:
            return SendResult(ok=False, status_code=reply.status_code, error=said)
        hint = _HINTS.get(code)
        return SendResult(
            ok=False,
            status_code=reply.status_code,
            permanent=True,
            error=f"{said}{'；' + hint if hint else ''}",
        )
