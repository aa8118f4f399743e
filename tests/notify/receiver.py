"""A real HTTP receiver on 127.0.0.1 that plays 企业微信, 钉钉, 飞书 and a Standard Webhooks endpoint.

It checks each request the way the platform does (path, key/token, body shape, size limit, the
DingTalk/Feishu signature recomputed from the robot's secret, Standard Webhooks verification with the
``standardwebhooks`` package) and answers as the platform would, so a channel that passes here sends
what the platforms accept. On demand a robot answers an error code, HTTP 500, 429 with Retry-After,
sleeps past the client's timeout, redirects, or sends an oversize body: queue answers with
:meth:`Receiver.script`.

    with Receiver() as rx:
        rx.add_robot("k1")                         # 企业微信: no secret
        url = rx.wecom_url("k1")
        rx.script("k1", PlatformError(45009))       # first request: "too fast", then normal
        ...
        rx.hits_for("k1")[0].json["markdown"]["content"]

Routes: ``/cgi-bin/webhook/send?key=K`` (企业微信), ``/robot/send?access_token=T`` (钉钉),
``/open-apis/bot/v2/hook/H`` (飞书), ``/hooks/NAME`` (generic, Standard Webhooks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standardwebhooks import Webhook, WebhookVerificationError

__all__ = [
    "Receiver",
    "Hit",
    "PlatformError",
    "Status",
    "RateLimit",
    "Sleep",
    "Redirect",
    "Big",
]

#: platform limits the receiver enforces, UTF-8 bytes
WECOM_MARKDOWN_MAX = 4096
DINGTALK_TEXT_MAX = 20000
FEISHU_BODY_MAX = 20 * 1024
#: how far a signed timestamp may be from now (钉钉 and 飞书: one hour)
SIGN_WINDOW_S = 3600


@dataclass(frozen=True)
class PlatformError:
    """Answer HTTP 200 with the platform's error code (errcode / code)."""

    code: int
    msg: str = "scripted error"


@dataclass(frozen=True)
class Status:
    """Answer a bare HTTP status."""

    code: int


@dataclass(frozen=True)
class RateLimit:
    """Answer 429, with ``Retry-After`` when given."""

    retry_after: str | None = "7"


@dataclass(frozen=True)
class Sleep:
    """Sleep, then answer normally (longer than the client timeout = a timeout)."""

    seconds: float


@dataclass(frozen=True)
class Redirect:
    """Answer 302 to ``location``."""

    location: str


@dataclass(frozen=True)
class Big:
    """Answer 200 with ``size`` bytes of JSON-looking padding."""

    size: int


Behaviour = PlatformError | Status | RateLimit | Sleep | Redirect | Big


@dataclass
class Hit:
    """One request the receiver got, and what it made of it."""

    kind: str
    #: key / access_token / hook id / webhook name
    robot: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    #: every platform check passed
    verified: bool = False
    #: why a check failed
    problem: str | None = None
    #: the HTTP status answered
    answered: int = 0
    at: float = field(default_factory=time.time)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (timeouts, capped reads); report anything else."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """Start with ``with Receiver() as rx`` (or start/stop); thread-safe records in ``hits``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.receiver = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.hits: list[Hit] = []
        self.secrets: dict[str, str | None] = {}
        self._scripts: dict[str, deque[Behaviour]] = defaultdict(deque)

    # ── lifecycle ──
    def start(self) -> Receiver:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ── configuration ──
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def wecom_url(self, key: str) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str) -> str:
        return f"{self.base_url}/robot/send?access_token={token}"

    def feishu_url(self, hook: str) -> str:
        return f"{self.base_url}/open-apis/bot/v2/hook/{hook}"

    def webhook_url(self, name: str) -> str:
        return f"{self.base_url}/hooks/{name}"

    def add_robot(self, robot: str, secret: str | None = None) -> None:
        """Register a robot (unknown ones are refused as the platform would) and its signing secret."""
        with self._lock:
            self.secrets[robot] = secret

    def script(self, robot: str, *answers: Behaviour) -> None:
        """Queue answers for the next requests to ``robot``; afterwards it answers normally."""
        with self._lock:
            self._scripts[robot].extend(answers)

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self._scripts.clear()

    # ── records ──
    def hits_for(self, robot: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.robot == robot]

    def ids(self, robot: str | None = None) -> list[str]:
        """``webhook-id`` of every verified generic webhook request (to ``robot``), in arrival order, repeats kept."""
        with self._lock:
            return [
                h.headers.get("webhook-id", "")
                for h in self.hits
                if h.kind == "webhook" and h.verified and robot in (None, h.robot)
            ]

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def _next(self, robot: str) -> Behaviour | None:
        with self._lock:
            queue = self._scripts.get(robot)
            return queue.popleft() if queue else None


def _b64_hmac(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode("ascii")


def _check_wecom(rx: Receiver, hit: Hit) -> tuple[int, dict[str, Any]]:
    if hit.robot not in rx.secrets:
        return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
    body = hit.json
    if not isinstance(body, dict) or body.get("msgtype") != "markdown":
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    content = body.get("markdown", {}).get("content")
    if not isinstance(content, str) or not content:
        return 200, {"errcode": 44004, "errmsg": "empty content"}
    if len(content.encode("utf-8")) > WECOM_MARKDOWN_MAX:
        return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    return 0, {"errcode": 0, "errmsg": "ok"}


def _check_dingtalk(rx: Receiver, hit: Hit) -> tuple[int, dict[str, Any]]:
    if hit.robot not in rx.secrets:
        return 200, {"errcode": 300001, "errmsg": "token is not exist"}
    secret = rx.secrets[hit.robot]
    if secret is not None:
        ts, sign = hit.query.get("timestamp", ""), hit.query.get("sign", "")
        if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > SIGN_WINDOW_S * 1000:
            return 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
        expected = _b64_hmac(secret.encode(), f"{ts}\n{secret}".encode())
        if not hmac.compare_digest(expected, sign):
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
    body = hit.json
    if not isinstance(body, dict) or body.get("msgtype") != "markdown":
        return 200, {"errcode": 40035, "errmsg": "invalid msgtype"}
    md = body.get("markdown", {})
    if not md.get("title") or not md.get("text"):
        return 200, {"errcode": 40035, "errmsg": "missing title or text"}
    if len(md["text"].encode("utf-8")) > DINGTALK_TEXT_MAX:
        return 200, {"errcode": 460101, "errmsg": "message too long"}
    return 0, {"errcode": 0, "errmsg": "ok"}


def _check_feishu(rx: Receiver, hit: Hit) -> tuple[int, dict[str, Any]]:
    if hit.robot not in rx.secrets:
        return 200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid", "data": {}}
    if len(hit.body) > FEISHU_BODY_MAX:
        return 200, {"code": 9499, "msg": "request body too large", "data": {}}
    body = hit.json
    if not isinstance(body, dict):
        return 200, {"code": 9499, "msg": "Bad Request", "data": {}}
    secret = rx.secrets[hit.robot]
    if secret is not None:
        ts, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
        fresh = ts.isdigit() and abs(time.time() - int(ts)) <= SIGN_WINDOW_S
        if not fresh or not hmac.compare_digest(_b64_hmac(f"{ts}\n{secret}".encode(), b""), sign):
            return 200, {
                "code": 19021,
                "msg": "sign match fail or timestamp is not within one hour from current time",
            }
    post = body.get("content", {}).get("post", {}).get("zh_cn", {})
    lines = post.get("content")
    ok_shape = (
        body.get("msg_type") == "post"
        and isinstance(post.get("title"), str)
        and isinstance(lines, list)
        and all(
            isinstance(line, list) and all(el.get("tag") in ("text", "a", "at") for el in line)
            for line in lines
        )
    )
    if not ok_shape:
        return 200, {"code": 9499, "msg": "Bad Request: invalid post content", "data": {}}
    return 0, {"code": 0, "msg": "success", "data": {}}


def _check_webhook(rx: Receiver, hit: Hit) -> tuple[int, dict[str, Any]]:
    secret = rx.secrets.get(hit.robot)
    if secret is None:
        return 404, {"error": "unknown endpoint"}
    try:
        document = Webhook(secret).verify(hit.body, hit.headers)
    except WebhookVerificationError as exc:
        return 401, {"error": f"signature: {exc}"}
    if not isinstance(document, dict) or document.get("id") != hit.headers.get("webhook-id"):
        return 400, {"error": "body id differs from webhook-id"}
    if not {"id", "type", "subject", "text", "data"} <= set(document):
        return 400, {"error": "missing keys"}
    return 0, {"received": document["id"]}


_ROUTES = {
    "wecom": _check_wecom,
    "dingtalk": _check_dingtalk,
    "feishu": _check_feishu,
    "webhook": _check_webhook,
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        rx: Receiver = self.server.receiver  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        kind, robot = _route(parts.path, query)
        hit = Hit(kind, robot, parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body)
        try:
            hit.json = json.loads(body)
        except ValueError:
            hit.json = None
        answer = rx._next(robot)
        if kind not in _ROUTES:
            status, reply = 404, {"error": "no such route"}
        else:
            status, reply = _ROUTES[kind](rx, hit)
            hit.verified = status == 0
            hit.problem = None if hit.verified else json.dumps(reply, ensure_ascii=False)
            status = 200 if status == 0 else status
        extra: dict[str, str] = {}
        payload = json.dumps(reply, ensure_ascii=False).encode()
        if isinstance(answer, PlatformError):
            key = "code" if kind == "feishu" else "errcode"
            msg = "msg" if kind == "feishu" else "errmsg"
            status, payload = 200, json.dumps({key: answer.code, msg: answer.msg}).encode()
        elif isinstance(answer, Status):
            status, payload = answer.code, b'{"error": "scripted status"}'
        elif isinstance(answer, RateLimit):
            status, payload = 429, b'{"error": "too many requests"}'
            if answer.retry_after is not None:
                extra["Retry-After"] = answer.retry_after
        elif isinstance(answer, Redirect):
            status, payload = 302, b""
            extra["Location"] = answer.location
        elif isinstance(answer, Big):
            status, payload = 200, b'{"pad": "' + b"x" * answer.size + b'"}'
        hit.answered = status
        rx._record(hit)  # recorded on arrival, so a slow answer never lands in a later test's records
        if isinstance(answer, Sleep):
            time.sleep(answer.seconds)
        self._answer(status, payload, extra)

    def _answer(self, status: int, payload: bytes, extra: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.close_connection = True


def _route(path: str, query: dict[str, str]) -> tuple[str, str]:
    if path == "/cgi-bin/webhook/send":
        return "wecom", query.get("key", "")
    if path == "/robot/send":
        return "dingtalk", query.get("access_token", "")
    if path.startswith("/open-apis/bot/v2/hook/"):
        return "feishu", path.rsplit("/", 1)[1]
    if path.startswith("/hooks/"):
        return "webhook", path[len("/hooks/") :]
    return "other", path
