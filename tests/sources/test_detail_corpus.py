"""The detail-page reader on the ten real Guangzhou government pages (../shared/corpus/pages, read at
test time only; seven CMS templates).

Expected values are short facts written here: the publication date, the number of attachment links,
and keywords (at most six characters) of the title, the issuer and the body. No page text is copied.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest

from reminder.sources import read_detail

PAGES = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "pages"
_FURNITURE = ("网站地图", "版权所有", "扫一扫在手机打开当前页", "网站标识码", "ICP备", "当前位置")
_ATTACHMENT_ENDS = (".pdf", ".doc", ".docx", ".xls", ".xlsx")


class Facts(NamedTuple):
    published: dt.date
    attachments: int
    title: str
    issuer: str
    body: str


EXPECTED = {
    "p01_gz_12.html": Facts(dt.date(2025, 8, 11), 7, "人才公寓", "住建园林局", "受理"),
    "p02_gz_17.html": Facts(dt.date(2023, 8, 9), 0, "港澳青年", "科技工业", "创新创业"),
    "p03_gz_24.html": Facts(dt.date(2025, 3, 31), 5, "资格认证", "社保中心", "资格认证"),
    "p04_gz_06.html": Facts(dt.date(2025, 10, 17), 0, "集中参保", "医疗保障局", "参保"),
    "p05_gz_11b.html": Facts(dt.date(2025, 3, 20), 4, "公共租赁", "住房保障", "常态分配"),
    "p06_gz_37.html": Facts(dt.date(2021, 7, 30), 0, "市场主体", "法律法规", "第一条"),
    "p07_gz_27c.html": Facts(dt.date(2022, 11, 16), 0, "残疾人", "民政局", "护理补贴"),
    "p08_gz_16.html": Facts(dt.date(2025, 4, 8), 0, "创业补贴", "社会保障局", "补贴条件"),
    "p09_gz_35b.html": Facts(dt.date(2026, 5, 18), 0, "人才引进", "流动管理处", "入户"),
    "p10_gz_05.html": Facts(dt.date(2026, 4, 20), 6, "幼儿园", "教育局", "招生"),
}

pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/corpus/pages is not beside the project")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_title_date_issuer_body_and_attachments(name: str) -> None:
    path = PAGES / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/corpus/pages")
    want = EXPECTED[name]
    page = read_detail(path.read_bytes(), f"https://www.gz.gov.cn/saved/{name}")
    assert want.title in page.title and len(page.title) >= 8
    assert page.published == want.published
    assert page.issuer is not None and want.issuer in page.issuer
    assert want.body in page.body_text and len(page.body_text) > 500
    for word in _FURNITURE:
        assert word not in page.body_text, word
    assert page.body_text.split("\n", 1)[0].strip() != page.title, "the body starts after the title"
    assert len(page.attachments) == want.attachments
    for link in page.attachments:
        assert link.url.startswith("http") and link.url.lower().endswith(_ATTACHMENT_ENDS), link.url
        assert link.name and not link.name.startswith("http")


def test_the_site_and_column_come_from_the_page_meta() -> None:
    path = PAGES / "p04_gz_06.html"
    if not path.is_file():
        pytest.skip("p04 is not in ../shared/corpus/pages")
    page = read_detail(path.read_bytes(), "https://www.gz.gov.cn/saved/p04.html")
    assert page.column == "通知公告"
    assert page.site is not None and "广州" in page.site
