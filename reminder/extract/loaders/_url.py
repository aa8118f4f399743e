"""Loading a notice from a web address with httpx: redirects, timeouts and a streamed size cap."""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from reminder import __version__
from reminder.errors import LoadError, UnsupportedFormat
from reminder.extract.loaders._detect import FORMAT_MIME_HINT, content_type_claim, parse_content_type
from reminder.extract.loaders._load import load_named, too_large
from reminder.extract.loaders._loaded import DEFAULT_MAX_BYTES, FORMATS, Loaded

if TYPE_CHECKING:
    import httpx

# httpx is imported when a URL is loaded, not with the loaders: reading a file never needs it and it
# costs start-up time (``reminder extract``, issue 15)

__all__ = ["load_url"]

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
_USER_AGENT = f"reminder/{__version__} (python-httpx)"
#: HTTP status → what it means, in Chinese and English
_STATUS = {
    400: "请求有误 / bad request",
    401: "需要登录 / login required",
    403: "禁止访问 / access forbidden",
    404: "页面不存在 / page not found",
    410: "页面已删除 / page removed",
    429: "请求过于频繁，请稍后再试 / too many requests: try again later",
}
_FILENAME = re.compile(r"""filename\*?\s*=\s*(?:UTF-8'')?["']?([^"';]+)""", re.IGNORECASE)


def _status_reason(code: int) -> str:
    if code in _STATUS:
        return _STATUS[code]
    if code >= 500:
        return "服务器出错，请稍后再试 / server error: try again later"
    return "请求失败 / request failed"


def _client(timeout: float) -> httpx.Client:
    import httpx

    return httpx.Client(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": _USER_AGENT},
    )


def _check_response(url: str, response: httpx.Response, max_bytes: int) -> None:
    """Refuse before the body is read: error status, unsupported type, announced oversize."""
    if response.status_code >= 400:
        raise LoadError(url, f"HTTP {response.status_code}: {_status_reason(response.status_code)}")
    mime = parse_content_type(response.headers.get("content-type"))[0]
    claim = content_type_claim(mime)
    if claim is not None and claim not in FORMATS:
        raise UnsupportedFormat(
            url,
            f"网址返回的是 {mime}，不是通知文档 / the URL returned {mime}, not a document; {FORMAT_MIME_HINT}",
        )
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_large(url, int(length), max_bytes)


def _body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    """The (decompressed) body, stopping as soon as it passes ``max_bytes``."""
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise too_large(url, f"> {max_bytes}", max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _file_name(response: httpx.Response) -> str:
    """The name that hints the format: Content-Disposition's filename, else the final URL."""
    match = _FILENAME.search(response.headers.get("content-disposition", ""))
    return unquote(match.group(1).strip()) if match else str(response.url)


def _network_reason(exc: Exception, timeout: float) -> str:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"请求超时（{timeout:g} 秒）/ timed out after {timeout:g} s: 请稍后再试 / try again later"
    if isinstance(exc, httpx.TooManyRedirects):
        return "重定向次数过多 / too many redirects"
    if isinstance(exc, httpx.ConnectError):
        return f"无法连接服务器 / cannot connect: {exc}"
    return f"网络错误 / network error: {type(exc).__name__}: {exc}"


def load_url(
    url: str, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = 20.0, client: httpx.Client | None = None
) -> Loaded:
    """Download and read a notice page or attachment.

    Args:
        url: an http(s) address; ``Loaded.source`` is this URL as given.
        max_bytes: stop downloading and refuse past this many bytes.
        timeout: seconds allowed for connecting and for each read.
        client: an httpx client to reuse; its own redirect limit then applies.

    Returns:
        The raw text; meta also has "url" (after redirects) and "content_type".

    Raises:
        LoadError: HTTP status >= 400, a network error or timeout, or a loader error.
        UnsupportedFormat: the server returned something other than html, text, pdf or docx.
        InputTooLarge: the body exceeds ``max_bytes``.
    """
    import httpx

    if urlsplit(url).scheme not in ("http", "https"):
        raise LoadError(url, "只支持 http/https 网址 / only http and https URLs are supported")
    http = client or _client(timeout)
    try:
        with http.stream("GET", url, follow_redirects=True, timeout=httpx.Timeout(timeout)) as response:
            _check_response(url, response, max_bytes)
            data = _body(url, response, max_bytes)
            content_type = response.headers.get("content-type")
            name, final_url = _file_name(response), str(response.url)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise LoadError(url, _network_reason(exc, timeout)) from exc
    finally:
        if client is None:
            http.close()
    logger.info(
        "fetched %s: final url %s, content type %s, %d bytes", url, final_url, content_type, len(data)
    )
    loaded = load_named(data, source=url, name=name, content_type=content_type, max_bytes=max_bytes)
    meta = {**loaded.meta, "url": final_url, "content_type": content_type or ""}
    return dataclasses.replace(loaded, meta=meta)
