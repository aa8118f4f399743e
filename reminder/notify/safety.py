"""Safety of outgoing requests: webhook URLs come from enterprises, so they are untrusted.

A URL is refused unless it is https (or the operator allows http), and every address its host
resolves to is a public one: loopback, private, link-local, CGNAT, multicast, reserved, unspecified
and cloud-metadata addresses are refused, also when hidden inside IPv6 (IPv4-mapped, NAT64, 6to4,
Teredo). The operator's allow-list (``settings.webhook_allow_hosts``) admits a host name or an IP
network, e.g. ``127.0.0.1`` or ``10.0.0.0/8``; metadata addresses need an exact entry.

The check runs when a channel is saved (:func:`check_url`) and again on every connection
(``reminder.notify.httpclient`` pins the socket to the addresses checked here), so a name that
later re-resolves to 127.0.0.1 (DNS rebinding) is refused too.

    >>> from reminder.config import Settings
    >>> check_address(ipaddress.ip_address("127.0.0.1"), "x", Settings(_env_file=None))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    reminder.errors.UnsafeTarget: 不允许向本机回环地址发送（x → 127.0.0.1）...
    >>> check_address(ipaddress.ip_address("127.0.0.1"), "x", Settings(_env_file=None, webhook_allow_hosts=["127.0.0.0/8"]))
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx

from reminder.config import Settings
from reminder.errors import DeliveryError, UnsafeTarget

__all__ = [
    "IPAddress",
    "CheckedURL",
    "METADATA_HOSTS",
    "METADATA_ADDRESSES",
    "parse_url",
    "check_url",
    "check_address",
    "safe_addresses",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: host names of cloud instance-metadata services (refused unless named exactly in the allow-list)
METADATA_HOSTS: frozenset[str] = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
#: AWS/GCP/Azure (169.254.169.254), AWS ECS (169.254.170.2), AWS IPv6, Alibaba/Aliyun (100.100.100.200)
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class CheckedURL:
    """A URL that passed the checks, with the addresses its host resolved to."""

    url: httpx.URL
    #: lower-case ASCII host (IDNA), without brackets
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (tests monkeypatch this to play DNS).

    Raises:
        OSError: the name does not resolve (socket.gaierror).
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[IPAddress, None] = {}
    for info in infos:
        seen[ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])] = None
    return list(seen)


def parse_url(url: str, settings: Settings) -> httpx.URL:
    """Parse a webhook URL and check its scheme; no DNS.

    Raises:
        UnsafeTarget: not https (and http is not allowed), or no host.
        DeliveryError: not a URL at all.
    """
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise DeliveryError(f"不是有效的网址 / not a valid URL: {exc}") from None
    allowed = ("https", "http") if settings.webhook_allow_http else ("https",)
    if parsed.scheme not in allowed:
        raise UnsafeTarget(
            _shown(parsed),
            "Webhook 地址必须以 https:// 开头 / webhook URLs must use https"
            + ("" if parsed.scheme != "http" else "（http 需运维开启 REMINDER_WEBHOOK_ALLOW_HTTP）"),
        )
    if not parsed.host:
        raise DeliveryError("网址缺少主机名 / the URL has no host name")
    return parsed


def check_url(url: str, settings: Settings) -> CheckedURL:
    """Check a webhook URL fully: scheme, DNS, every resolved address.

    Args:
        url: the webhook URL as the enterprise gave it.
        settings: ``webhook_allow_http`` and ``webhook_allow_hosts`` are read.

    Returns:
        The parsed URL with its checked addresses.

    Raises:
        UnsafeTarget: refused scheme or address.
        DeliveryError: the host name does not resolve.
    """
    parsed = parse_url(url, settings)
    host = _host(parsed)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return CheckedURL(parsed, host, port, safe_addresses(host, port, settings, shown=_shown(parsed)))


def safe_addresses(
    host: str, port: int, settings: Settings, *, shown: str | None = None
) -> tuple[IPAddress, ...]:
    """Resolve ``host`` and check every address; used at save time and on every connection.

    Raises:
        UnsafeTarget: one of the addresses is refused (one bad record refuses the name).
        DeliveryError: the name does not resolve.
    """
    host = host.lower().rstrip(".").strip("[]")
    shown = shown or host
    if host in METADATA_HOSTS and host not in _allowed_names(settings):
        raise UnsafeTarget(
            shown, f"不允许访问云服务器元数据地址 {host} / cloud metadata host {host} is refused"
        )
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise DeliveryError(
            f"无法解析域名 {host}，请检查网址 / cannot resolve host {host}: {exc}; check the URL"
        ) from None
    if not addresses:
        raise DeliveryError(f"域名 {host} 没有地址 / host {host} has no address")
    for address in addresses:
        check_address(address, host, settings, shown=shown)
    return tuple(addresses)


def check_address(address: IPAddress, host: str, settings: Settings, *, shown: str | None = None) -> None:
    """Refuse ``address`` unless it is public, or the allow-list names ``host`` or a network holding it.

    Raises:
        UnsafeTarget: with what kind of address it is and how to allow it.
    """
    problem = _problem(address)
    if problem is None:
        return
    names = _allowed_names(settings)
    exact = host in names or str(address) in names
    if exact or (
        problem[1] != "cloud metadata" and any(address in net for net in _allowed_networks(settings))
    ):
        return
    zh, en = problem
    where = host if host == str(address) else f"{host} → {address}"
    raise UnsafeTarget(
        shown or host,
        f"不允许向{zh}发送（{where}）：Webhook 地址须指向公网，如确需使用请运维在 REMINDER_WEBHOOK_ALLOW_HOSTS 中加入该地址 / "
        f"refused: {where} is a {en} address; webhooks must reach the public internet "
        "(an operator may allow it in REMINDER_WEBHOOK_ALLOW_HOSTS)",
    )


def _problem(address: IPAddress) -> tuple[str, str] | None:
    """(Chinese, English) name of what is wrong with an address, None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _problem(address.ipv4_mapped)
    for inner in _embedded(address):
        if (found := _problem(inner)) is not None:
            return found
    if address in METADATA_ADDRESSES:
        return "云服务器元数据地址", "cloud metadata"
    if address.is_loopback:
        return "本机回环地址", "loopback"
    if address.is_link_local:
        return "链路本地地址", "link-local"
    if address.is_unspecified:
        return "未指定地址", "unspecified"
    if address.is_multicast:
        return "组播地址", "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "运营商内网地址（CGNAT）", "carrier-grade NAT"
    if address.is_reserved:
        return "保留地址", "reserved"
    if address.is_private:
        return "内网地址", "private network"
    if not address.is_global:
        return "非公网地址", "non-public"
    return None


def _embedded(address: IPAddress) -> list[IPAddress]:
    """IPv4 addresses carried inside an IPv6 address (NAT64, 6to4, Teredo server and client)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found: list[IPAddress] = []
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def _allowed_names(settings: Settings) -> set[str]:
    return {
        entry.strip().lower().rstrip(".").strip("[]")
        for entry in settings.webhook_allow_hosts
        if entry.strip()
    }


def _allowed_networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in _allowed_names(settings):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # a host name, matched by _allowed_names
    return networks


def _host(url: httpx.URL) -> str:
    return url.raw_host.decode("ascii").lower().rstrip(".").strip("[]")


def _shown(url: httpx.URL) -> str:
    """The URL without path, query or credentials: safe for messages and logs."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}/…" if url.host else url.scheme + "://"
