"""The HTML loader on real government detail pages (../shared/corpus/pages, read at test time only).

Each page is a CMS template with navigation, breadcrumbs, share bars and footers around the article;
the loader must return the article (from its title to its end) and none of the page furniture, and
the pipeline must title the notice from the page, not from a menu.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reminder.extract import extract_loaded
from reminder.extract.loaders import load_path

PAGES = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "pages"
_FILES = sorted(PAGES.glob("*.html")) if PAGES.is_dir() else []
_ARTICLE_TITLE = re.compile(rb'<meta\s+name="ArticleTitle"\s+content="([^"]+)"', re.IGNORECASE)
# what only page furniture says
_FURNITURE = ("网站地图", "版权所有", "扫一扫在手机打开当前页", "网站标识码", "ICP备")

pytestmark = pytest.mark.skipif(not _FILES, reason="../shared/corpus/pages is not beside the project")


def _title(path: Path) -> str:
    m = _ARTICLE_TITLE.search(path.read_bytes())
    assert m, f"{path.name}: no ArticleTitle meta"
    return m.group(1).decode("utf-8").strip()


@pytest.mark.parametrize("path", _FILES, ids=[p.name for p in _FILES])
def test_main_text_is_the_article(path: Path) -> None:
    loaded = load_path(path)
    first = loaded.text.split("\n", 1)[0]
    assert first.replace(" ", "") == _title(path).replace(" ", "")
    for word in _FURNITURE:
        assert word not in loaded.text, word
    assert "当前位置" not in loaded.text and "所在的位置" not in loaded.text


@pytest.mark.parametrize("path", _FILES, ids=[p.name for p in _FILES])
def test_notice_metadata_from_the_page(path: Path) -> None:
    doc = extract_loaded(load_path(path))
    assert doc.notices
    first = doc.notices[0]
    assert first.published is not None and 2020 <= first.published.year <= 2026
    # the notice is titled by the page's own title line or a title inside the article, never a menu
    assert not re.search(r"[A-Za-z]{4}|首页|登录|搜索", first.title), first.title
