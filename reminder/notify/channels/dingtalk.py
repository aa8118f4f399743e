"""钉钉 custom robot: a Markdown message to ``https://oapi.dingtalk.com/robot/send?access_token=…``.

With 加签 (signing) enabled, each request carries ``timestamp`` (milliseconds) and ``sign`` =
URL-encoded base64 of HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}") as query parameters;
the secret starts with ``SEC``. The robot answers ``{"errcode": 0, "errmsg": "ok"}``; 130101 means
too fast (20 a minute, then blocked for 10 minutes), 310000 a bad signature, keyword or IP.
Docs: https://open.dingtalk.com/document/robots/custom-robot-access
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import quote_plus

import httpx

from reminder.errors import DeliveryError
from reminder.notify.base import Message, SendResult
from reminder.notify.channels._http import HttpChannel, Reply
from reminder.notify.fit import cut_utf8, fit_message
from reminder.notify.ratelimit import Limit

__all__ = ["DingTalkChannel", "dingtalk_sign"]

_TOKEN = re.compile(r"[A-Za-z0-9]{16,128}")
#: errcodes that mean "slow down"; seconds to wait (钉钉 blocks the robot for 10 minutes)
_RATE_LIMITED = {130101: 600.0}
_TRANSIENT = {-1}
_HINTS = {
    310000: "签名、关键词或 IP 白名单校验失败，请检查加签密钥和机器人安全设置 / signature, keyword or IP check failed",
    300001: "access_token 无效，请重新复制 Webhook 地址 / invalid access_token",
    400101: "机器人已停用 / the robot is disabled",
    400102: "机器人已停用 / the robot is disabled",
}


def dingtalk_sign(timestamp_ms: str, secret: str) -> str:
    """The ``sign`` query value: base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")), not yet URL-encoded."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


class DingTalkChannel(HttpChannel):
    """钉钉自定义机器人 (DingTalk custom robot), Markdown messages, optionally signed."""

    kind = "dingtalk"
    service_name = "钉钉群机器人"
    url_shape = "https://oapi.dingtalk.com/robot/send?access_token=…"
    help_text = f"机器人 Webhook 地址 {url_shape}；若启用“加签”，密钥填 SEC 开头的字符串"
    service_url = "https://open.dingtalk.com/document/robots/custom-robot-access"
    hosts = ("oapi.dingtalk.com",)
    #: Markdown text limit, UTF-8 bytes
    body_maxlen = 20000
    rate_limits = (Limit(20, 60.0),)
    secret_use = "optional"

    @classmethod
    def check_shape(cls, url: httpx.URL) -> None:
        """Path ``/robot/send`` and an ``access_token`` query parameter."""
        token = url.params.get("access_token", "")
        if url.path != "/robot/send" or not _TOKEN.fullmatch(token):
            raise DeliveryError(
                "钉钉机器人地址应形如 https://oapi.dingtalk.com/robot/send?access_token=…，请在机器人设置中复制 / "
                "a DingTalk robot URL looks like https://oapi.dingtalk.com/robot/send?access_token=…"
            )

    @classmethod
    def check_secret(cls, secret: str) -> None:
        """加签 secrets start with ``SEC``."""
        super().check_secret(secret)
        if not secret.startswith("SEC") or len(secret) < 16:
            raise DeliveryError(
                "钉钉加签密钥应以 SEC 开头，请在机器人安全设置中复制 / a DingTalk signing secret starts with SEC"
            )

    def build(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        assert self.body_maxlen is not None
        text = fit_message(message, "markdown", self.body_maxlen)
        body = {"msgtype": "markdown", "markdown": {"title": cut_utf8(message.subject, 300), "text": text}}
        url = self.target
        if self.secret:
            timestamp = str(int(self._clock() * 1000))
            url += f"&timestamp={timestamp}&sign={quote_plus(dingtalk_sign(timestamp, self.secret))}"
        return url, json.dumps(body, ensure_ascii=False).encode("utf-8"), {}

    def interpret(self, reply: Reply) -> SendResult:
        answer = reply.json()
        if answer is None or not isinstance(answer.get("errcode"), int):
            return SendResult(
                ok=False,
                status_code=reply.status_code,
                error="钉钉返回了无法识别的内容 / unreadable DingTalk reply",
            )
        code = answer["errcode"]
        if code == 0:
            return SendResult(ok=True, status_code=reply.status_code)
        said = f"钉钉返回错误 {code}：{answer.get('errmsg', '')} / DingTalk error {code}"
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
