"""The main text of an HTML detail page: from the article's title to the footer.

Government CMS pages wrap the notice in navigation menus, search boxes, breadcrumbs, share buttons and
footers. The page's own ``<meta name="ArticleTitle">`` (or ``<title>``) says where the notice starts;
the first footer line after it (扫一扫在手机打开当前页, 网站地图, 版权所有…, ``data/page.yaml``) says
where it ends. When neither is found the text is returned whole.
"""

from __future__ import annotations

import re

from reminder.extract.page_data import page_vocab

__all__ = ["main_text"]

# A main text shorter than this is a failed cut: keep the page whole.
_MIN_MAIN = 30
# Lines of article before a footer line may end it (a share bar may sit under the title).
_MIN_ARTICLE_LINES = 2
_SITE_SUFFIX = re.compile(r"\s*[-_|—]+\s*[^-_|—]{2,30}$")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _title_line(lines: list[str], title: str) -> tuple[int, int] | None:
    """(line index, position in the line) where the article title starts, or None."""
    key = _squash(title)
    if len(key) < 4:
        return None
    for i, line in enumerate(lines):
        at = line.find(title)
        if at >= 0:
            return i, at
        if key in _squash(line):
            return i, 0
    return None


def main_text(text: str, title: str | None) -> str:
    """The notice part of a page's text.

    Args:
        text: the page's visible text, one line per block.
        title: the article title from the page's metadata (or its ``<title>``), if any.

    >>> page = "首页\\n当前位置：首页 > 通知公告\\n关于组织申报2025年度创新券的通知\\n各有关企业：\\n请于5月8日前提交申报材料。\\n网站地图 | 联系我们"
    >>> main_text(page, "关于组织申报2025年度创新券的通知_某某网")
    '关于组织申报2025年度创新券的通知\\n各有关企业：\\n请于5月8日前提交申报材料。'
    """
    v = page_vocab()
    lines = text.split("\n")
    start = 0
    found = None
    if title:
        found = _title_line(lines, title) or _title_line(lines, _SITE_SUFFIX.sub("", title))
    if found is not None:
        start = found[0]
        lines[start] = lines[start][found[1] :]
    else:
        crumbs = [i for i, line in enumerate(lines[: len(lines) // 2 + 1]) if v.breadcrumb.search(line)]
        start = crumbs[-1] + 1 if crumbs else 0
    end = len(lines)
    for i in range(start + _MIN_ARTICLE_LINES, len(lines)):
        if v.footer.match(lines[i]):
            end = i
            break
    main = "\n".join(lines[start:end]).strip()
    return main if len(main) >= _MIN_MAIN else text
