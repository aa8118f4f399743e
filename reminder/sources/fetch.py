"""A polite, guarded fetcher for government sites.

    fetch(url, validators)
     ├─ every hop: scheme check → robots.txt (protego) → host turn (one request per host, delay)
     │             → GET through the webhooks' pinned transport (address guard at connection)
     ├─ 3xx: the next hop is checked again (redirects are followed here, never by httpx)
     ├─ 304: FetchResult(not_modified=True)     (If-None-Match / If-Modified-Since sent)
     ├─ 429/503 + Retry-After: wait (bounded) and retry, else RetryLater
     ├─ connection errors, timeouts, 5xx: retry with exponential backoff
     └─ body streamed and cut at max_bytes (FetchTooLarge)

The address guard is :class:`reminder.notify.httpclient.PinnedTransport`, the one URL ingest and the
webhooks use: loopback, private, link-local and metadata addresses are refused unless
``webhook_allow_hosts`` lists them, and the socket connects to the address that was checked.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from reminder import __version__
from reminder.config import Settings
from reminder.notify.httpclient import PinnedTransport
from reminder.sources.errors import FetchError, FetchTooLarge, RetryLater, RobotsDisallowed
from reminder.sources.model import FetchResult, Validators
from reminder.sources.politeness import HostGate
from reminder.sources.robots import RobotsAnswer, RobotsCache

__all__ = ["FetchPolicy", "Fetcher", "ROBOTS_AGENT", "user_agent"]

#: our token in robots.txt ``User-agent:`` lines
ROBOTS_AGENT = "reminder"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 503})


def user_agent(settings: Settings) -> str:
    """The User-Agent: the service, its version and where to reach its operator (``base_url``).

    >>> from reminder.config import Settings
    >>> user_agent(Settings(_env_file=None, base_url="https://tixing.example.cn"))
    'reminder/0.1.0 (+https://tixing.example.cn; government notice watcher)'
    """
    return f"{ROBOTS_AGENT}/{__version__} (+{settings.base_url}; government notice watcher)"


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how patiently to fetch."""

    #: seconds between two requests to one host (robots Crawl-delay may ask for more)
    delay: float = 1.0
    #: seconds for connecting and for each read; the whole body gets three times this
    timeout: float = 20.0
    #: further attempts after a connection error, timeout, 5xx or 429
    retries: int = 2
    #: first backoff in seconds, doubled on each retry
    backoff: float = 1.0
    #: the longest Retry-After we wait for; a longer one raises RetryLater
    max_retry_after: float = 120.0
    #: the longest robots Crawl-delay we honour
    max_crawl_delay: float = 30.0
    #: largest body read (bytes); the download stops there
    max_bytes: int = 20 * 2**20
    max_redirects: int = 5


@dataclass(frozen=True)
class _Answer:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    charset: str | None


class Fetcher:
    """Fetches pages one at a time per host; share one across threads and sources, close it at the end.

    Args:
        settings: the address allow-list (``webhook_allow_hosts``) and ``base_url`` (User-Agent).
        policy: delays, timeouts, retries and limits.
        sleep: how to wait (between requests to a host, before retries).
        clock: a monotonic clock.
    """

    def __init__(
        self,
        settings: Settings,
        policy: FetchPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._sleep = sleep
        self._clock = clock
        self.gate = HostGate(self.policy.delay, clock=clock, sleep=sleep)
        self.robots = RobotsCache(ROBOTS_AGENT, self._read_robots, clock=clock)
        self._client = httpx.Client(
            transport=PinnedTransport(settings, limits=httpx.Limits(max_connections=64)),
            timeout=httpx.Timeout(self.policy.timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": user_agent(settings)},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        """GET ``url`` politely; 304 when ``validators`` still match.

        Raises:
            UnsafeTarget: a hop resolves to a refused address (nothing was sent to it).
            RobotsDisallowed: robots.txt forbids a hop.
            RetryLater: the server asked for a longer pause than ``max_retry_after``.
            FetchTooLarge: the body passed ``max_bytes``.
            FetchError: HTTP status ≥ 400, network error, timeout, too many redirects.
        """
        current = url
        for _ in range(self.policy.max_redirects + 1):
            _check_scheme(current)
            if not self.robots.allowed(current):
                raise RobotsDisallowed(current, "robots.txt 不允许抓取此路径 / disallowed by robots.txt")
            crawl = min(self.robots.crawl_delay(current), self.policy.max_crawl_delay)
            answer = self._request(current, _conditional(validators), crawl)
            location = answer.headers.get("location")
            if answer.status in _REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            return _result(url, answer)
        raise FetchError(url, f"重定向超过 {self.policy.max_redirects} 次 / too many redirects")

    def _read_robots(self, url: str) -> RobotsAnswer:
        """robots.txt of a host; a 5xx means "disallow all for now" (RFC 9309): the fetch fails.

        Raises:
            FetchError: unreachable, timed out, or 5xx after retries (not cached: asked again next time).
        """
        answer = self._request(url, {}, 0.0)
        for _ in range(self.policy.max_redirects):  # RFC 9309: follow at least five redirects
            location = answer.headers.get("location")
            if answer.status not in _REDIRECTS or not location:
                break
            url = urljoin(url, location.strip())
            _check_scheme(url)
            answer = self._request(url, {}, 0.0)
        if answer.status in _REDIRECTS:
            return RobotsAnswer(404, "")  # too many redirects: "unavailable", which allows everything
        if answer.status >= 500:
            raise FetchError(
                url,
                f"robots.txt 暂时无法读取（HTTP {answer.status}），暂停抓取 / robots.txt unavailable: not crawling",
                status=answer.status,
            )
        return RobotsAnswer(answer.status, answer.content.decode("utf-8", "replace"))

    def _request(self, url: str, headers: dict[str, str], crawl_delay: float) -> _Answer:
        """One request in the host's turn, with retries; the answer may be any status."""
        host = urlsplit(url).hostname or ""
        with self.gate.turn(host):
            answer = self._attempts(url, host, headers)
            if crawl_delay > self.policy.delay:
                self.gate.pause(host, crawl_delay)
            return answer

    def _attempts(self, url: str, host: str, headers: dict[str, str]) -> _Answer:
        policy = self.policy
        for attempt in range(policy.retries + 1):
            last = attempt == policy.retries
            try:
                answer = self._once(url, headers)
            except httpx.InvalidURL as exc:
                raise FetchError(url, f"网址无效 / invalid URL: {exc}") from None
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(url, _network_reason(exc, policy.timeout)) from exc
                self._sleep(policy.backoff * 2**attempt)
                continue
            wait = _retry_after(answer) if answer.status in _RETRY_STATUSES else None
            if wait is not None:
                self.gate.pause(host, wait)
                if wait > policy.max_retry_after or last:
                    raise RetryLater(url, _busy(wait), status=answer.status, retry_after=wait)
                self.gate.wait_here(host)
                continue
            if answer.status >= 500 or answer.status == 429:
                if not last:
                    self._sleep(policy.backoff * 2**attempt)
                    continue
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, headers: dict[str, str]) -> _Answer:
        with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                return _Answer(url, response.status_code, response.headers, b"", None)
            return _Answer(url, 200, response.headers, self._body(url, response), response.charset_encoding)

    def _body(self, url: str, response: httpx.Response) -> bytes:
        """The decompressed body, stopped at ``max_bytes`` and at three timeouts overall."""
        limit = self.policy.max_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise FetchTooLarge(url, _too_large(limit))
        deadline = self._clock() + 3 * self.policy.timeout
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                raise FetchTooLarge(url, _too_large(limit))
            if self._clock() > deadline:
                raise FetchError(url, "下载过慢，已放弃 / download too slow: gave up")
            chunks.append(chunk)
        return b"".join(chunks)


def _check_scheme(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(url, "只支持 http/https 网址 / only http and https URLs are fetched")


def _conditional(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _result(url: str, answer: _Answer) -> FetchResult:
    if answer.status >= 400:
        raise FetchError(url, f"HTTP {answer.status}", status=answer.status)
    headers = answer.headers
    return FetchResult(
        url=url,
        final_url=answer.url,
        status=answer.status,
        content=answer.content,
        content_type=headers.get("content-type"),
        charset=answer.charset,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        not_modified=answer.status == 304,
    )


def _retry_after(answer: _Answer) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), None without one.

    >>> _retry_after(_Answer("u", 429, httpx.Headers({"Retry-After": "3"}), b"", None))
    3.0
    """
    value = answer.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _busy(wait: float) -> str:
    return f"服务器要求 {wait:g} 秒后再试 / the server asked us to retry after {wait:g} s"


def _too_large(limit: int) -> str:
    return f"内容超过 {limit} 字节，已停止下载 / body exceeds {limit} bytes: download stopped"


def _network_reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"请求超时（{timeout:g} 秒）/ timed out after {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"无法连接服务器 / cannot connect: {exc}"
    return f"网络错误 / network error: {type(exc).__name__}: {exc}"
