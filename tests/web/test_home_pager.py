"""Issue 15: the home page shows the open notices 50 at a time, soonest deadline first, with a pager.

With a province's worth of open calls (1,000) the page had rendered every one of them; now only one page
of notices and their deadlines is loaded and rendered.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_factories import NOW

from reminder.config import Settings
from reminder.db.engine import make_engine, session_scope
from reminder.db.store import save_document
from reminder.model import Benefit, Deadline, Document, Notice
from reminder.web.app import create_app
from reminder.web.company.pages import HOME_PAGE_SIZE
from reminder.workflow import notice_stored

EXTRA = 60


def _notice(i: int) -> Notice:
    """The i-th call closes i days after 2025-04-01 and offers i 万元, so the two orders are opposite."""
    return Notice(
        title=f"关于申报2025年度滨江区第{i:03d}号技术攻关项目的通知",
        level="district",
        issuer="杭州市滨江区科学技术局",
        published=dt.date(2025, 2, 1),
        deadlines=(
            Deadline(
                date=dt.date(2025, 4, 1) + dt.timedelta(days=i),
                time=dt.time(17),
                kind="application",
                quote=f"{i}",
            ),
        ),
        benefits=(Benefit(kind="subsidy", quote=f"最高补助{i + 1}万元", amount=float(i + 1), capped=True),),
    )


@pytest.fixture
def client(sample_sqlite: Path, tmp_path: Path, settings: Settings) -> Iterator[TestClient]:
    path = tmp_path / "reminder.db"
    shutil.copyfile(sample_sqlite, path)
    engine = make_engine(f"sqlite:///{path}")
    notices = tuple(_notice(i) for i in range(EXTRA))
    doc = Document(source="pager.txt", text="\n".join(n.title for n in notices), notices=notices)
    with session_scope(engine) as session:
        stored = save_document(session=session, doc=doc, now=NOW)
        for notice_id in stored.notice_ids:
            notice_stored(session=session, notice_id=notice_id, now=NOW, settings=settings)
    with TestClient(create_app(settings, engine=engine, clock=lambda: NOW)) as c:
        yield c
    engine.dispose()


def _rows(page: str) -> int:
    return page.count('class="notice-link"')


def test_the_first_page_holds_fifty_soonest_first_and_links_the_next(client: TestClient) -> None:
    first = client.get("/").text
    assert _rows(first) == HOME_PAGE_SIZE
    total = int(re.search(r"共 (\d+) 条", first).group(1))  # type: ignore[union-attr]
    assert total >= EXTRA
    pages = -(-total // HOME_PAGE_SIZE)
    assert f"第 1/{pages} 页" in first and "下一页" in first and "上一页" not in first
    ours = [int(m) for m in re.findall(r"滨江区第(\d{3})号", first)]
    assert ours == sorted(ours)  # soonest deadline first

    last = client.get("/", params={"page": pages}).text
    assert _rows(last) == total - HOME_PAGE_SIZE * (pages - 1)
    assert "上一页" in last and "下一页" not in last
    later = [int(m) for m in re.findall(r"滨江区第(\d{3})号", last)]
    assert later and min(later) > max(ours)  # the order goes on across pages, nothing repeated


def test_by_benefit_the_largest_comes_first_and_pages_keep_the_order(client: TestClient) -> None:
    first = client.get("/", params={"sort": "benefit"}).text
    ours = [int(m) for m in re.findall(r"滨江区第(\d{3})号", first)]
    assert ours[0] == EXTRA - 1 and ours == sorted(ours, reverse=True)
    assert 'href="?sort=benefit&amp;page=2#sort"' in first  # the pager keeps the order
    second = client.get("/", params={"sort": "benefit", "page": 2}).text
    more = [int(m) for m in re.findall(r"滨江区第(\d{3})号", second)]
    assert not set(more) & set(ours)
    # switching the order starts again at page 1
    assert 'href="?sort=days"' in second


@pytest.mark.parametrize("bad", ["0", "-3", "x", "1e9", "99999999999999999999"])
def test_a_bad_page_number_shows_the_first_page(client: TestClient, bad: str) -> None:
    page = client.get("/", params={"page": bad})
    assert page.status_code == 200 and _rows(page.text) == HOME_PAGE_SIZE and "第 1/" in page.text


def test_a_page_past_the_end_says_so(client: TestClient) -> None:
    page = client.get("/", params={"page": 999})
    assert page.status_code == 200 and "没有这一页" in page.text and _rows(page.text) == 0
