"""Stored sources (SQLite and PostgreSQL): a definition round-trips, a real poll's state round-trips and the
next poll from the stored state costs 304s, health is kept and flagged, and a claim lets one worker poll."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest
from fixture_templates import CARDS, TRS
from fixture_web import FixtureWeb, Site, make_notices
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reminder.db.source_store import (
    FAILURES_FLAGGED,
    TEMPLATE_CHANGED,
    SourceExists,
    add_source,
    claim_source,
    due_source_ids,
    get_source,
    list_sources,
    record_failure,
    record_success,
    release_source,
    spec_of,
    state_of,
    upsert_source,
)
from reminder.sources import Fetcher, Hints, SourceSpec, SourceState, poll_source
from reminder.zone import TZ

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=TZ)
LATER = NOW + dt.timedelta(hours=6)


def _spec(url: str, **changes: object) -> SourceSpec:
    spec = SourceSpec("青松市科技局通知公告", "青松市科学技术局", "青松市", "municipal", url)
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


@pytest.fixture
def site(web: FixtureWeb) -> Site:
    return web.site(template=TRS, notices=make_notices(12, NOW.date()))


def test_a_definition_round_trips_and_its_url_is_its_identity(session: Session) -> None:
    spec = _spec(
        "https://kjj.qingsong.gov.cn/tzgg/",
        trust="auto",
        poll_interval=dt.timedelta(hours=3),
        hints=Hints(items="ul.list li", date="span"),
        max_pages=2,
    )
    row = add_source(session=session, spec=spec, now=NOW)
    session.commit()
    assert spec_of(get_source(session=session, source_id=row.id or 0) or row) == spec
    assert state_of(row) == SourceState()
    with pytest.raises(SourceExists, match="已在监测中"):
        add_source(session=session, spec=spec, now=NOW)
    again, created = upsert_source(
        session=session, spec=dataclasses.replace(spec, name="改名后的栏目"), now=NOW
    )
    assert not created and again.id == row.id and again.name == "改名后的栏目"
    assert [s.id for s in list_sources(session=session)] == [row.id]


def test_a_stored_poll_state_makes_the_next_poll_cost_304s(
    session: Session, site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    row = add_source(session=session, spec=_spec(site.list_url(), lookback_days=365), now=NOW)
    fetcher = make_fetcher()
    first = poll_source(spec_of(row), state_of(row), fetcher, NOW)
    record_success(session=session, row=row, result=first, now=NOW, next_at=LATER)
    session.commit()
    session.expire_all()
    stored = get_source(session=session, source_id=row.id or 0)
    assert stored is not None and state_of(stored) == first.state
    assert stored.last_items == 10 and stored.last_new_item_at == NOW and stored.flagged is None
    site.hits.clear()
    second = poll_source(spec_of(stored), state_of(stored), fetcher, LATER)
    assert second.list_not_modified and second.new_items == () and second.changed == ()
    record_success(session=session, row=stored, result=second, now=LATER, next_at=LATER)
    assert stored.last_new_item_at == NOW, "a poll finding nothing new keeps the last new item's time"


def test_zero_items_where_there_were_some_flags_the_template(
    session: Session, site: Site, make_fetcher: Callable[..., Fetcher]
) -> None:
    row = add_source(session=session, spec=_spec(site.list_url()), now=NOW)
    fetcher = make_fetcher()
    first = poll_source(spec_of(row), state_of(row), fetcher, NOW)
    record_success(session=session, row=row, result=first, now=NOW, next_at=LATER)
    site.switch_template(CARDS)
    later = poll_source(spec_of(row), state_of(row), fetcher, LATER)
    record_success(session=session, row=row, result=later, now=LATER, next_at=LATER)
    assert row.flagged == TEMPLATE_CHANGED and row.last_items == 0
    assert "模板可能已变化" in (row.flagged or "")


def test_failures_are_counted_and_flagged_after_some_in_a_row(session: Session) -> None:
    row = add_source(session=session, spec=_spec("https://kjj.qingsong.gov.cn/tzgg/"), now=NOW)
    for i in range(FAILURES_FLAGGED):
        assert row.flagged is None
        record_failure(
            session=session, row=row, reason="HTTP 500", now=NOW + dt.timedelta(hours=i), next_at=LATER
        )
    assert row.consecutive_failures == FAILURES_FLAGGED and row.last_error == "HTTP 500"
    assert row.flagged is not None and "连续 3 次抓取失败" in row.flagged


def test_one_worker_claims_a_due_source_until_its_claim_expires(db: Engine) -> None:
    with Session(db) as s:
        row = add_source(session=s, spec=_spec("https://kjj.qingsong.gov.cn/tzgg/"), now=NOW)
        paused = add_source(
            session=s, spec=_spec("https://gxj.qingsong.gov.cn/tzgg/", enabled=False), now=NOW
        )
        s.commit()
        source_id = row.id or 0
        assert due_source_ids(session=s, now=NOW) == [source_id], "a paused source is never due"
        assert paused.id not in due_source_ids(session=s, now=NOW)
    lease = dt.timedelta(minutes=5)
    with Session(db) as a, Session(db) as b:
        assert claim_source(session=a, source_id=source_id, worker="w1", now=NOW, lease=lease)
        a.commit()
        assert not claim_source(session=b, source_id=source_id, worker="w2", now=NOW, lease=lease)
        b.commit()
        assert due_source_ids(session=b, now=NOW) == []
        # w1 crashed: its claim expires and w2 takes the source
        after = NOW + lease + dt.timedelta(seconds=1)
        assert claim_source(session=b, source_id=source_id, worker="w2", now=after, lease=lease)
        b.commit()
        release_source(session=b, source_id=source_id, worker="w2")
        b.commit()
        assert due_source_ids(session=b, now=NOW) == [source_id]
