"""A new notice's verdicts reach the dashboard's counts after matching, not within it (issue 15).

Matching a notice that reaches 1,000,000 companies spent a third of its time adding to as many counts.
Now matching a new notice queues it (``match_counts_pending``) and its verdicts are added to the counts
later, by the worker's counts job (the dashboard says meanwhile how many notices wait). Once added, the
dashboard lists the same counts as a fresh count of every match, whatever happened meanwhile (a company
changed, imported, the notice matched again), a notice is never added twice, and two processes adding
at once add each notice once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.companies import create_company
from reminder.db import match_counts, save_document
from reminder.db.match_counts import fold_pending_counts, rebuild_counts
from reminder.db.models import Company, CompanyCreate, MatchCount, MatchCountPending
from reminder.matching import match_company, match_new_companies, match_notice
from reminder.model import TZ, Condition, Deadline, Document, Notice, Scope
from reminder.web.admin.queries import companies_by_matches, queued_notices

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def queue_every_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new notice here is queued, as one with ``QUEUED_FROM`` (10,000) verdicts or more is."""
    monkeypatch.setattr(match_counts, "QUEUED_FROM", 1)


#: a small company is eligible, a large one not, one that gave no headcount possibly eligible
SMALL = Condition("headcount", "<=", 500, "人", "职工总数不超过500人")


def _notice(session: Session, title: str = "关于组织申报中小企业专项资金的通知") -> int:
    notice = Notice(
        title=title, level="provincial", published=NOW.date(), issuer="浙江省经济和信息化厅",
        deadlines=(Deadline(dt.date(2025, 6, 30), None, "application", "6月30日前提交"),),
        conditions=(SMALL,), span=(0, 10), scope=Scope("浙江省", "浙江省"),
    )  # fmt: skip
    doc = Document(
        source=f"https://example.gov.cn/{secrets.token_hex(4)}.html", text="正文" * 20, notices=(notice,),
        content_hash=secrets.token_hex(32),
    )  # fmt: skip
    (notice_id,) = save_document(session=session, doc=doc, now=NOW).notice_ids
    return notice_id


def _company(session: Session, name: str, headcount: int | None) -> int:
    company = create_company(
        session=session,
        company_in=CompanyCreate(
            name=name, region_name="浙江省杭州市西湖区", headcount=headcount, founded_on=dt.date(2015, 5, 1)
        ),
        now=NOW,
    )
    assert company.id is not None
    return company.id


def _resize(session: Session, company_id: int, headcount: int | None) -> None:
    """The company's headcount changes (matching it again is the caller's)."""
    company = session.get(Company, company_id)
    assert company is not None
    company.headcount = headcount
    session.add(company)
    session.flush()


def _shown(session: Session) -> dict[str, tuple[int, int]]:
    """What the dashboard lists: company name → (eligible, possibly eligible)."""
    return {c.name: (e, p) for c, e, p in companies_by_matches(session=session) if e or p}


def _stored(session: Session) -> dict[int, tuple[int, int, int]]:
    """The kept counts of companies with any (a count brought down to zero stays as a row of zeros)."""
    rows = session.exec(select(MatchCount).where(MatchCount.total != 0)).all()
    return {c.company_id: (c.eligible, c.possible, c.total) for c in rows}


def _queued(session: Session) -> list[int]:
    return [p.notice_id for p in session.exec(select(MatchCountPending)).all()]


def _fresh(session: Session) -> dict[int, tuple[int, int, int]]:
    """The counts a fresh count of every match gives (rolled back: the kept ones stay as they were)."""
    with session.begin_nested() as nested:
        rebuild_counts(session)
        fresh = _stored(session)
        nested.rollback()
    return fresh


def _small_large_unknown(session: Session) -> tuple[int, int, int]:
    """Three companies: one the notices' headcount condition admits, one it refuses, one that gave none."""
    small = _company(session, "杭州小微科技有限公司", 80)
    large = _company(session, "杭州大型制造有限公司", 900)
    return small, large, _company(session, "杭州人数未报科技有限公司", None)


def test_a_new_notice_is_queued_then_added_once(db: Engine) -> None:
    with Session(db) as session:
        small, large, unknown = _small_large_unknown(session)
        first = _notice(session)
        stats = match_notice(session=session, notice_id=first, now=NOW)
        assert (stats.eligible, stats.possibly_eligible) == (1, 1)
        assert _queued(session) == [first] and _stored(session) == {}, "matching adds nothing to the counts"
        assert _shown(session) == {} and queued_notices(session=session) == 1, "the dashboard: not yet"
        assert fold_pending_counts(session) == 1  # the worker's counts job
        assert _queued(session) == [] and queued_notices(session=session) == 0
        assert _shown(session) == {"杭州小微科技有限公司": (1, 0), "杭州人数未报科技有限公司": (0, 1)}
        assert fold_pending_counts(session) == 0
        assert _shown(session) == {"杭州小微科技有限公司": (1, 0), "杭州人数未报科技有限公司": (0, 1)}, (
            "not added twice"
        )

        second = _notice(session, "关于组织申报第二批中小企业专项资金的通知")
        match_notice(session=session, notice_id=second, now=NOW)
        assert fold_pending_counts(session) == 1
        assert _stored(session) == _fresh(session) == {small: (2, 0, 2), unknown: (0, 2, 2)}
        assert large not in _stored(session)


def test_several_queued_notices_are_added_together_once(db: Engine) -> None:
    with Session(db) as session:
        small, large, unknown = _small_large_unknown(session)
        match_notice(session=session, notice_id=_notice(session), now=NOW)
        session.commit()
        assert fold_pending_counts(session) == 1
        session.commit()
        titles = ("关于组织申报第二批中小企业专项资金的通知", "关于组织申报第三批中小企业专项资金的通知")
        for title in titles:
            match_notice(session=session, notice_id=_notice(session, title), now=NOW)
        assert len(_queued(session)) == 2
        assert fold_pending_counts(session) == 2, "both in one job"
        assert _queued(session) == [] and fold_pending_counts(session) == 0
        assert _stored(session) == _fresh(session) == {small: (3, 0, 3), unknown: (0, 3, 3)}
        assert large not in _stored(session)


def test_a_notice_nobody_qualifies_for_is_not_queued(db: Engine) -> None:
    with Session(db) as session:
        _company(session, "杭州大型制造有限公司", 900)
        match_notice(session=session, notice_id=_notice(session), now=NOW)
        assert _queued(session) == []


def test_a_notice_with_fewer_verdicts_is_counted_at_once(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(match_counts, "QUEUED_FROM", 3)
    with Session(db) as session:
        small = _company(session, "杭州小微科技有限公司", 80)
        unknown = _company(session, "杭州人数未报科技有限公司", None)
        match_notice(session=session, notice_id=_notice(session), now=NOW)  # 2 counted verdicts
        assert _queued(session) == [] and queued_notices(session=session) == 0
        assert _shown(session) == {"杭州小微科技有限公司": (1, 0), "杭州人数未报科技有限公司": (0, 1)}
        _company(session, "杭州第三家科技有限公司", 10)
        queued = _notice(session, "关于组织申报第二批中小企业专项资金的通知")
        match_notice(session=session, notice_id=queued, now=NOW)  # 3 counted verdicts
        assert _queued(session) == [queued]
        assert _stored(session) == {small: (1, 0, 1), unknown: (0, 1, 1)}


def test_changes_while_a_notice_is_queued_are_counted_once(db: Engine) -> None:
    with Session(db) as session:
        small = _company(session, "杭州小微科技有限公司", 80)
        unknown = _company(session, "杭州人数未报科技有限公司", None)
        counted = _notice(session)
        match_notice(session=session, notice_id=counted, now=NOW)
        fold_pending_counts(session)
        queued = _notice(session, "关于组织申报第二批中小企业专项资金的通知")
        match_notice(session=session, notice_id=queued, now=NOW)
        assert _queued(session) == [queued]

        # a company changes: its recount leaves the queued notice to the fold
        _resize(session, unknown, 60)
        match_company(session=session, company_id=unknown, now=NOW)
        assert _stored(session)[unknown] == (1, 0, 1)
        # companies imported: the same
        imported = _company(session, "杭州新登记科技有限公司", 10)
        match_new_companies(session=session, company_ids=[imported], now=NOW)
        assert _stored(session)[imported] == (1, 0, 1)
        # the queued notice matched again (a company grew): it stays queued, nothing counted twice
        _resize(session, small, 800)
        match_notice(session=session, notice_id=queued, now=NOW)
        assert _queued(session) == [queued]

        assert fold_pending_counts(session) == 1
        assert _stored(session) == _fresh(session)
        assert _stored(session)[unknown] == (2, 0, 2) and _stored(session)[imported] == (2, 0, 2)
        # the counted notice matched again moves the counts at once (a change, not a new notice)
        match_notice(session=session, notice_id=counted, now=NOW)
        assert _queued(session) == []
        assert _stored(session) == _fresh(session)
        assert small not in _stored(session)


def test_rebuilding_the_counts_empties_the_queue(db: Engine) -> None:
    with Session(db) as session:
        small = _company(session, "杭州小微科技有限公司", 80)
        match_notice(session=session, notice_id=_notice(session), now=NOW)
        rebuild_counts(session)
        assert _queued(session) == [] and _stored(session) == {small: (1, 0, 1)}
        assert fold_pending_counts(session) == 0 and _stored(session) == {small: (1, 0, 1)}


def test_two_processes_add_a_queued_notice_once(db: Engine) -> None:
    with Session(db) as setup:
        small = _company(setup, "杭州小微科技有限公司", 80)
        match_notice(session=setup, notice_id=_notice(setup), now=NOW)
        setup.commit()
    with Session(db) as first, Session(db) as second:
        assert fold_pending_counts(first) == 1  # not committed yet
        if db.dialect.name == "postgresql":
            assert fold_pending_counts(second) == 0, "the notice another process is adding is skipped"
            second.commit()
        first.commit()
        assert fold_pending_counts(second) == 0
        second.commit()
    with Session(db) as session:
        assert _stored(session) == _fresh(session) == {small: (1, 0, 1)}


def test_a_recount_waits_for_a_fold_in_progress(db: Engine) -> None:
    """PostgreSQL: a company recounted while another process adds a queued notice is neither counted
    without the notice nor with it twice."""
    if db.dialect.name != "postgresql":
        return  # SQLite has one writer at a time: a fold and a recount cannot overlap
    with Session(db) as setup:
        small = _company(setup, "杭州小微科技有限公司", 80)
        match_notice(session=setup, notice_id=_notice(setup), now=NOW)
        setup.commit()
    recounted = threading.Event()
    with Session(db) as folding:
        assert fold_pending_counts(folding) == 1

        def recount() -> None:
            with Session(db) as session:
                _resize(session, small, None)  # now possibly eligible: recounted
                match_company(session=session, company_id=small, now=NOW)
                session.commit()
            recounted.set()

        thread = threading.Thread(target=recount)
        thread.start()
        assert not recounted.wait(1.0), "the recount waits for the fold to commit"
        folding.commit()
        thread.join(timeout=30)
    assert recounted.is_set()
    with Session(db) as session:
        assert _stored(session) == _fresh(session) == {small: (0, 1, 1)}
        assert session.execute(sa.select(sa.func.count()).select_from(MatchCountPending)).scalar_one() == 0
