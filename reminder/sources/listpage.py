"""Reading a notice list page (通知公告, 项目申报…): its items and its next page.

Without hints, an item is a link with a date near it: in the same ``<li>``, ``<tr>``, ``<dd>``,
``<p>`` or ``<div>`` block (a block holding one title link only), or at the end of the link's own
text. Links inside navigation (menus, headers, footers, breadcrumbs, share bars) and links named
首页/尾页/更多 are never items. The next page is, in order: the hint's selector, a 下一页 link, TRS's
``createPageHTML(count, current, "index", "html")`` script, or the link to page n+1 of the same
pager (``index_1.html`` after ``index.html``, ``iList.jsp?…&page=3`` after ``page=2``).

    >>> page = read_list('<ul><li><a href="a.html">关于申报某某项目的通知</a> 2025-03-01</li></ul>'.encode(),
    ...                  "https://kj.example.gov.cn/tzgg/index.html")
    >>> page.items
    (ListItem(title='关于申报某某项目的通知', url='https://kj.example.gov.cn/tzgg/a.html', published=datetime.date(2025, 3, 1)),)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from reminder.sources.html import parse_html, squash, text_of
from reminder.sources.itemdates import full_date, item_date, page_year
from reminder.sources.model import Hints, ListItem, ListPage
from reminder.sources.vocab import PageWords, page_words, selector

__all__ = ["read_list", "read_list_tree"]

_BLOCKS = frozenset({"li", "tr", "dd", "dt", "p", "div", "section", "article", "td"})
#: how far up from a link its item block may be
_BLOCK_DEPTH = 3
_TRAILING_DATE = re.compile(
    r"[\s\[(（【]*((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)[\s\])）】]*$"
)
_ELLIPSIS = re.compile(r"(\.{2,}|…+)$")
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_PAGED_FILE = re.compile(r"^(?P<dir>.*/)(?P<name>[A-Za-z]\w*?)(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")
_PAGE_PARAMS = ("page", "pageno", "pagenum", "pageindex", "curpage", "currentpage", "p", "pn")


def read_list(
    content: bytes,
    url: str,
    *,
    charset: str | None = None,
    hints: Hints | None = None,
    today: dt.date | None = None,
) -> ListPage:
    """Read a list page from its bytes (GBK, GB18030 or UTF-8, see :func:`decode_html`).

    Args:
        content: the page bytes.
        url: the page's address (links are made absolute against it).
        charset: the charset of the HTTP Content-Type, if any.
        hints: per-site CSS selectors; each one given replaces the generic reading of its part.
        today: the poll's day, to give a year to a bare month-day when nothing else does.

    Returns:
        The items in page order (deduplicated by URL) and the next page's URL.
    """
    return read_list_tree(parse_html(content, url, charset), url, hints=hints, today=today)


def read_list_tree(
    root: Any, url: str, *, hints: Hints | None = None, today: dt.date | None = None
) -> ListPage:
    """:func:`read_list` over a parsed tree whose links are already absolute."""
    hints = hints or Hints()
    words = page_words()
    year = page_year(text_of(root))
    if hints.items:
        items = _hinted_items(root, hints, year, today)
    else:
        items = _generic_items(root, url, words, year, today)
    return ListPage(url=url, items=_dedup(items), next_url=_next_url(root, url, hints, words))


def _dedup(items: list[ListItem]) -> tuple[ListItem, ...]:
    seen: dict[str, ListItem] = {}
    for item in items:
        seen.setdefault(urldefrag(item.url)[0], item)
    return tuple(seen.values())


def _http(href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    return href if urlsplit(href).scheme in ("http", "https") else None


def _link_title(a: Any) -> str:
    """The link's text, or its title attribute when that is the full form of a cut text."""
    text = text_of(a)
    attr = squash(a.get("title") or "")
    short = _ELLIPSIS.sub("", text)
    if attr and len(attr) > len(short) and (not short or attr.startswith(short[:4])):
        return attr
    return text


def _in_nav(a: Any, words: PageWords) -> bool:
    for node in a.iterancestors():
        if node.tag in ("nav", "header", "footer"):
            return True
        marks = f"{node.get('id') or ''} {node.get('class') or ''}".lower()
        if marks.strip() and any(w in marks for w in words.nav_containers):
            return True
    return False


def _is_title_link(a: Any, words: PageWords) -> bool:
    text = _link_title(a)
    return (
        _http(a.get("href")) is not None
        and len(text) >= words.min_title_chars
        and text not in words.nav_words
    )


def _blocks(a: Any, words: PageWords) -> list[Any]:
    """The item blocks around a link, nearest first: near ancestors holding no other title link."""
    found = []
    node = a
    for _ in range(_BLOCK_DEPTH):
        node = node.getparent()
        if node is None:
            break
        if node.tag not in _BLOCKS:
            continue
        links = {urldefrag(x.get("href") or "")[0] for x in node.iter("a") if _is_title_link(x, words)}
        if len(links) > 1:
            break
        found.append(node)
    return found


def _generic_items(
    root: Any, url: str, words: PageWords, year: int | None, today: dt.date | None
) -> list[ListItem]:
    here = urldefrag(url)[0]
    items = []
    for a in root.iter("a"):
        href = _http(a.get("href"))
        if href is None or urldefrag(href)[0] == here or not _is_title_link(a, words) or _in_nav(a, words):
            continue
        item = _item(a, href, _blocks(a, words), year, today)
        if item is not None:
            items.append(item)
    return items


def _item(a: Any, href: str, blocks: list[Any], year: int | None, today: dt.date | None) -> ListItem | None:
    title = _link_title(a)
    trailing = _TRAILING_DATE.search(title)
    if trailing is not None and trailing.start() > 0:  # <a>title <span>2025-03-01</span></a>
        return ListItem(title[: trailing.start()].strip(), href, full_date(trailing.group(1)))
    own = text_of(a)
    for block in blocks:
        published = item_date(text_of(block).replace(own, " "), href, year, today)
        if published is not None:
            return ListItem(title, href, published)
    return None


def _hinted_items(root: Any, hints: Hints, year: int | None, today: dt.date | None) -> list[ListItem]:
    assert hints.items is not None
    items = []
    for element in selector(hints.items)(root):
        links = selector(hints.title)(element) if hints.title else element.xpath(".//a[@href]")
        link = links[0] if links else None
        href = _http(link.get("href")) if link is not None else None
        if link is None or href is None:
            continue
        title = _link_title(link)
        dated = selector(hints.date)(element) if hints.date else [element]
        near = text_of(dated[0]).replace(title, " ") if dated else ""
        items.append(ListItem(title, href, item_date(near, href, year, today)))
    return items


def _next_url(root: Any, url: str, hints: Hints, words: PageWords) -> str | None:
    here = urldefrag(url)[0]
    found = _hinted_next(root, hints) or _worded_next(root, words) or _scripted_next(root, url)
    found = found or _numbered_next(root, url)
    return found if found is not None and urldefrag(found)[0] != here else None


def _hinted_next(root: Any, hints: Hints) -> str | None:
    if not hints.next_page:
        return None
    for element in selector(hints.next_page)(root):
        target = element if element.tag == "a" else next(iter(element.iter("a")), None)
        if target is not None and (href := _http(target.get("href"))):
            return href
    return None


def _worded_next(root: Any, words: PageWords) -> str | None:
    for a in root.iter("a"):
        label = re.sub(r"[\s\[\]【】()（）]", "", text_of(a)).lower()
        if label in words.next_words and (href := _http(a.get("href"))):
            return href
    return None


def _scripted_next(root: Any, url: str) -> str | None:
    """TRS pagers drawn by ``createPageHTML(pages, current, "index", "html")``: page n+1 is index_{n+1}."""
    for script in root.iter("script"):
        m = _CREATE_PAGE.search(script.text or "")
        if m is None:
            continue
        count, current, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        return urljoin(url, f"{name}_{current + 1}.{ext}") if current + 1 < count else None
    return None


def _pager_key(url: str) -> tuple[tuple[str, ...], int] | None:
    """A URL's pager (what stays the same from page to page) and its page number, None when not paged."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    numbered = [(k, v) for k, v in params if k.lower() in _PAGE_PARAMS and v.isdigit()]
    others = tuple(sorted(f"{k}={v}" for k, v in params if k.lower() not in _PAGE_PARAMS))
    if numbered:
        return (parts.netloc, parts.path, *others), int(numbered[0][1])
    m = _PAGED_FILE.match(parts.path)
    if m and not params:
        return (parts.netloc, m["dir"], m["name"], m["ext"]), int(m["n"] or 0)
    if params:  # iList.jsp?cat_id=1229 is page 1 of iList.jsp?cat_id=1229&page=2
        return (parts.netloc, parts.path, *others), 1
    return None


def _numbered_next(root: Any, url: str) -> str | None:
    here = _pager_key(url)
    if here is None:
        return None
    key, number = here
    for a in root.iter("a"):
        href = _http(a.get("href"))
        there = _pager_key(href) if href else None
        if there is not None and there[0] == key and there[1] == number + 1:
            return href
    return None
