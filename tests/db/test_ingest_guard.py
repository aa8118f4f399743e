"""Issue 16, item 12: operator URL ingest goes through the webhook address guard, on every hop.

The review's repros: loopback, a decimal IP and a redirect to an internal host were all fetched, and
what came back could be published on the public API.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from internal_site import InternalSite, internal_site
from sqlmodel import Session, select

from reminder.config import get_settings
from reminder.db import NoticeRow
from reminder.ingest import ingest_paths

PAGE = "<html><body><h1>关于组织申报2025年度某某项目的通知</h1><p>请于2025年3月31日前提交申报材料。</p></body></html>"


@pytest.fixture
def internal() -> Iterator[InternalSite]:
    with internal_site(PAGE) as site:
        yield site


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "localhost", "0x7f.1", "[::ffff:127.0.0.1]"])
def test_internal_addresses_are_refused(session: Session, internal: InternalSite, host: str) -> None:
    summary = ingest_paths([f"http://{host}:{internal.port}/secret"], session=session)
    assert summary.documents == 0 and len(summary.failures) == 1
    assert "不允许" in summary.failures[0][1] or "无法" in summary.failures[0][1], summary.failures
    assert internal.hits == [], "nothing was fetched from the internal service"
    assert session.exec(select(NoticeRow)).all() == []


def test_a_redirect_to_an_internal_host_is_refused(session: Session, internal: InternalSite) -> None:
    allowed = get_settings().model_copy(update={"webhook_allow_hosts": ["localhost"]})  # the first hop only
    summary = ingest_paths([f"http://localhost:{internal.port}/go"], session=session, settings=allowed)
    assert summary.documents == 0 and "不允许" in summary.failures[0][1], summary.failures
    assert internal.hits == ["/go"], "the redirect's target was never requested"
