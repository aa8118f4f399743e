"""The HTTP client every webhook channel uses: bounded, no redirects, no proxies, pinned to checked addresses.

:func:`make_http_client` builds an ``httpx.Client`` whose transport resolves each host itself, checks
every address with :func:`reminder.notify.safety.safe_addresses`, and connects to the checked address,
so the address used is the address checked (no window for DNS rebinding). TLS still verifies the
certificate against the host name in the URL.

Share one client across sends for connection reuse (the dispatcher does); close it when done.
"""

from __future__ import annotations

import functools
import logging
import ssl
import typing

import httpcore
import httpx

from reminder.config import Settings
from reminder.errors import DeliveryError, UnsafeTarget
from reminder.notify.mask import mask_target
from reminder.notify.safety import safe_addresses

__all__ = ["make_http_client", "make_fetch_client", "PinnedTransport", "USER_AGENT"]

USER_AGENT = "reminder/0.1 (deadline reminders)"


class _MaskURLs(logging.Filter):
    """httpx logs every request URL at INFO; robot keys and tokens live in those URLs: mask them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                mask_target("webhook", str(a)) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


def _install_log_mask() -> None:
    target = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskURLs) for f in target.filters):
        target.addFilter(_MaskURLs())


_install_log_mask()


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects only to addresses that pass the safety check, resolved here and nowhere else."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = safe_addresses(host, port, self._settings)
        except UnsafeTarget:
            raise
        except DeliveryError as exc:  # DNS failure: a connection error, retried later
            raise httpcore.ConnectError(str(exc)) from None
        error: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise UnsafeTarget(path, "不允许连接本机套接字 / unix sockets are refused")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client (building one reads the CA bundle: slow)."""
    return httpx.create_ssl_context(trust_env=False)


class PinnedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections go through :class:`_PinnedBackend`."""

    def __init__(self, settings: Settings, *, limits: httpx.Limits | None = None) -> None:
        # HTTPTransport.__init__ only builds its pool; build ours instead (with the pinned backend)
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(settings),
        )


def make_http_client(settings: Settings, *, max_connections: int = 100) -> httpx.Client:
    """A client for webhook sends: explicit timeout, redirects not followed, no env proxies, pinned transport.

    Args:
        settings: ``webhook_timeout`` and the allow-list are read.
        max_connections: connection pool size (bounded concurrency).

    Returns:
        An ``httpx.Client``; the caller closes it (``with make_http_client(s) as client: …``).
    """
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=min(max_connections, 20))
    return httpx.Client(
        transport=PinnedTransport(settings, limits=limits),
        timeout=httpx.Timeout(settings.webhook_timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


#: redirects an operator's URL ingest follows (each hop's address is checked again on connection)
FETCH_MAX_REDIRECTS = 5


def make_fetch_client(settings: Settings) -> httpx.Client:
    """A client for operator URL ingest with the webhook address guard (issue 16, item 12).

    Redirects are followed (notices move), but every hop connects through the pinned transport, so
    loopback, private, metadata and decimal-IP hosts are refused at each connection, not just the first.
    http:// is allowed (many government sites); ``webhook_allow_hosts`` admits internal hosts.
    """
    return httpx.Client(
        transport=PinnedTransport(
            settings, limits=httpx.Limits(max_connections=4, max_keepalive_connections=2)
        ),
        timeout=httpx.Timeout(settings.fetch_timeout),
        follow_redirects=True,
        max_redirects=FETCH_MAX_REDIRECTS,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )
