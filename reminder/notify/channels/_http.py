"""What the four webhook channels share: config checks, local rate limit, one bounded POST, reply triage.

    HttpChannel.send(message)
      1. local rate limit   → SendResult(throttled=True, retry_after=…) without sending
      2. URL safety re-check (refused → permanent)
      3. build(message)     → url, body bytes, headers          (per platform)
      4. POST, no redirects, response read up to webhook_max_response_bytes
      5. HTTP triage: 3xx permanent, 408/5xx/timeouts transient, 429 retry_after, other 4xx permanent
      6. interpret(reply)   → the platform's errcode/code      (per platform)

A channel never raises for a receiver's failure; it raises :class:`DeliveryError` only when built
with a bad configuration.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import httpx

from reminder.config import Settings
from reminder.errors import DeliveryError, UnsafeTarget
from reminder.notify.base import Message, SendResult
from reminder.notify.httpclient import make_http_client
from reminder.notify.mask import mask_target
from reminder.notify.ratelimit import Limit, RateLimiter, default_limiter
from reminder.notify.safety import check_url, parse_url

__all__ = ["HttpChannel", "Reply", "parse_retry_after"]

log = logging.getLogger(__name__)

#: retry delay when a 429 carries no usable Retry-After, seconds
DEFAULT_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class Reply:
    """A receiver's answer, read up to the size limit."""

    status_code: int
    headers: httpx.Headers
    body: bytes
    #: the body was longer than webhook_max_response_bytes and was cut
    truncated: bool = False

    def json(self) -> dict[str, Any] | None:
        """The body as a JSON object, None when it is not one."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpChannel:
    """Base of the webhook channels; subclasses set the metadata and ``build``/``interpret``."""

    #: registry key: "wecom", "dingtalk", "feishu", "webhook"
    kind: str
    #: shown to users: "企业微信群机器人" (forms, lists, error messages)
    service_name: ClassVar[str]
    #: the vendor's documentation
    service_url: ClassVar[str] = ""
    #: what a target looks like, e.g. "https://oapi.dingtalk.com/robot/send?access_token=…"
    url_shape: ClassVar[str] = "https://…"
    #: what to fill in (target, secret), shown under the form
    help_text: ClassVar[str] = ""
    #: official webhook hosts; empty = any public host (generic webhook)
    hosts: ClassVar[tuple[str, ...]] = ()
    #: largest message body the platform accepts, UTF-8 bytes (None = no limit)
    body_maxlen: ClassVar[int | None] = None
    #: local sliding-window limits per robot
    rate_limits: ClassVar[tuple[Limit, ...]] = ()
    #: whether a signing secret is required, optional or unused
    secret_use: ClassVar[str] = "unused"

    def __init__(
        self,
        target: str,
        secret: str | None,
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.target = target.strip()
        self.secret = secret or None
        self.settings = settings
        self._client = client
        self._limiter = limiter or default_limiter()
        self._clock = clock
        self.check_config(self.target, self.secret, settings)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {mask_target(self.kind, self.target)}>"

    # ── configuration ──

    @classmethod
    def check_config(cls, target: str, secret: str | None, settings: Settings) -> None:
        """Check the URL's scheme and shape and the secret's presence and format; no DNS.

        Raises:
            DeliveryError: with a bilingual message saying what is wrong.
        """
        url = parse_url(target, settings)
        host = url.host.lower()
        allowed = {h.strip().lower() for h in settings.webhook_allow_hosts}
        if cls.hosts and host not in cls.hosts and host not in allowed:
            raise DeliveryError(
                f"{cls.service_name}地址的主机应为 {' 或 '.join(cls.hosts)}，而不是 {host}；请复制机器人设置里的 Webhook 地址 / "
                f"a {cls.kind} webhook URL must be on {' or '.join(cls.hosts)}, not {host}"
            )
        cls.check_shape(url)
        if secret and cls.secret_use == "unused":
            return
        if not secret and cls.secret_use == "required":
            raise DeliveryError(
                f"{cls.service_name}需要填写签名密钥 / a {cls.kind} channel needs a signing secret"
            )
        if secret:
            cls.check_secret(secret)

    @classmethod
    def check_shape(cls, url: httpx.URL) -> None:
        """Platform-specific path and query checks (default: none)."""

    @classmethod
    def check_secret(cls, secret: str) -> None:
        """Platform-specific secret format checks (default: no whitespace)."""
        if secret != secret.strip() or any(c.isspace() for c in secret):
            raise DeliveryError(
                f"{cls.service_name}密钥不应包含空格或换行 / the secret must not contain whitespace"
            )

    # ── sending ──

    @property
    def rate_key(self) -> str:
        """The rate-limit window this channel shares: one per robot URL."""
        return f"{self.kind}:{self.target}"

    def build(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        """URL, body and headers of the request for ``message``."""
        raise NotImplementedError

    def interpret(self, reply: Reply) -> SendResult:
        """Read a 2xx reply: the platform's own error code (default: any 2xx is success)."""
        return SendResult(ok=True, status_code=reply.status_code)

    def send(self, message: Message) -> SendResult:
        """Deliver ``message`` once and report what happened; never raises for the receiver's failure."""
        started = time.perf_counter()
        wait = self._limiter.acquire(self.rate_key, self.rate_limits)
        if wait > 0:
            return SendResult(
                ok=False,
                retry_after=wait,
                throttled=True,
                error=f"本地限流 / rate limited locally: {self.service_name}发送频率已达上限，{wait:.0f} 秒后再发",
            )
        result = self._attempt(message)
        result = replace(result, latency_ms=(time.perf_counter() - started) * 1000)
        log.info(
            "%s %s → %s (%s, %.0f ms)%s",
            self.kind,
            message.id,
            mask_target(self.kind, self.target),
            result.status_code,
            result.latency_ms,
            "" if result.ok else f": {result.error}",
        )
        return result

    def _attempt(self, message: Message) -> SendResult:
        try:
            check_url(self.target, self.settings)
            url, body, headers = self.build(message)
            if self._client is not None:
                reply = self._post(self._client, url, body, headers)
            else:
                with make_http_client(self.settings) as client:
                    reply = self._post(client, url, body, headers)
        except UnsafeTarget as exc:
            return SendResult(ok=False, error=str(exc), permanent=True)
        except DeliveryError as exc:  # DNS failure: may pass
            return SendResult(ok=False, error=str(exc))
        except httpx.TimeoutException:
            return SendResult(ok=False, error=f"{self.service_name}响应超时 / {self.kind} receiver timed out")
        except httpx.HTTPError as exc:
            return SendResult(
                ok=False,
                error=f"无法连接{self.service_name} / cannot reach the {self.kind} receiver: {type(exc).__name__}",
            )
        return self._triage(reply)

    def _post(self, client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        cap = self.settings.webhook_max_response_bytes
        headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        with client.stream("POST", url, content=body, headers=headers, follow_redirects=False) as response:
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > cap:
                    return Reply(response.status_code, response.headers, bytes(data[:cap]), truncated=True)
            return Reply(response.status_code, response.headers, bytes(data))

    def _triage(self, reply: Reply) -> SendResult:
        code = reply.status_code
        said = f"{self.service_name}返回 HTTP {code} / {self.kind} receiver answered HTTP {code}"
        if 200 <= code < 300:
            return self.interpret(reply)
        if 300 <= code < 400:
            where = reply.headers.get("location", "")
            shown = mask_target(self.kind, where) if where else "?"
            return SendResult(
                ok=False,
                status_code=code,
                permanent=True,
                error=f"{said}：接收方要求跳转到 {shown}，出于安全不跟随跳转，请填写最终地址 / redirects are not followed: save the final URL",
            )
        if code == 429:
            wait = parse_retry_after(reply.headers.get("retry-after")) or DEFAULT_RETRY_AFTER
            self._limiter.block(self.rate_key, wait)
            return SendResult(
                ok=False, status_code=code, retry_after=wait, error=f"{said}：请求过于频繁 / rate limited"
            )
        if code == 408 or code >= 500:
            return SendResult(
                ok=False, status_code=code, error=f"{said}：接收方暂时故障，稍后重试 / will retry"
            )
        return SendResult(ok=False, status_code=code, permanent=True, error=f"{said}：{_snippet(reply.body)}")

    def rate_limited(self, reply: Reply, seconds: float, said: str) -> SendResult:
        """The platform's own "too fast" errcode: hold this robot locally and retry after ``seconds``."""
        self._limiter.block(self.rate_key, seconds)
        return SendResult(ok=False, status_code=reply.status_code, retry_after=seconds, error=said)


def _snippet(body: bytes, limit: int = 200) -> str:
    text = body[: limit * 4].decode("utf-8", errors="replace")
    return " ".join(text.split())[:limit]
