"""企业微信 group robot: a Markdown message to ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY``.

The key in the URL is the only credential (no signing). The robot answers HTTP 200 with
``{"errcode": 0, "errmsg": "ok"}``; 45009 means too many messages (about 20 a minute per robot),
93000 an invalid or deleted key. Markdown content is limited to 4096 bytes of UTF-8.
Docs: https://developer.work.weixin.qq.com/document/path/91770
"""

from __future__ import annotations

import json
import re

import httpx

from reminder.errors import DeliveryError
from reminder.notify.base import Message, SendResult
from reminder.notify.channels._http import HttpChannel, Reply
from reminder.notify.fit import fit_message
from reminder.notify.ratelimit import Limit

__all__ = ["WeComChannel"]

_KEY = re.compile(r"[A-Za-z0-9\-]{8,64}")
#: errcodes that mean "slow down"; seconds to wait
_RATE_LIMITED = {45009: 60.0}
#: errcodes a retry may cure (system busy)
_TRANSIENT = {-1}
_HINTS = {93000: "机器人地址无效或已被删除，请重新复制 Webhook 地址 / invalid or deleted robot key"}


class WeComChannel(HttpChannel):
    """企业微信群机器人 (WeCom group robot), Markdown messages."""

    kind = "wecom"
    service_name = "企业微信群机器人"
    url_shape = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
    help_text = f"群机器人 Webhook 地址 {url_shape}；不需要密钥"
    service_url = "https://developer.work.weixin.qq.com/document/path/91770"
    hosts = ("qyapi.weixin.qq.com",)
    body_maxlen = 4096
    rate_limits = (Limit(20, 60.0),)
    secret_use = "unused"

    @classmethod
    def check_shape(cls, url: httpx.URL) -> None:
        """Path ``/cgi-bin/webhook/send`` and a ``key`` query parameter."""
        key = url.params.get("key", "")
        if url.path != "/cgi-bin/webhook/send" or not _KEY.fullmatch(key):
            raise DeliveryError(
                "企业微信机器人地址应形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…，请在群机器人设置中复制 / "
                "a WeCom robot URL looks like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
            )

    def build(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        assert self.body_maxlen is not None
        content = fit_message(message, "markdown", self.body_maxlen)
        body = {"msgtype": "markdown", "markdown": {"content": content}}
        return self.target, json.dumps(body, ensure_ascii=False).encode("utf-8"), {}

    def interpret(self, reply: Reply) -> SendResult:
        answer = reply.json()
        if answer is None or not isinstance(answer.get("errcode"), int):
            return SendResult(
                ok=False,
                status_code=reply.status_code,
                error="企业微信返回了无法识别的内容 / unreadable WeCom reply",
            )
        code = answer["errcode"]
        if code == 0:
            return SendResult(ok=True, status_code=reply.status_code)
        said = f"企业微信返回错误 {code}：{answer.get('errmsg', '')} / WeCom error {code}"
        if code in _RATE_LIMITED:
            return self.rate_limited(
                reply, _RATE_LIMITED[code], said + "（发送过于频繁 / too many messages）"
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
