"""The store on every backend: saving documents, versions of a notice, open notices, companies."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import sqlalchemy as sa
from db_factories import SOURCE, TITLE, condition, deadline, tba_deadline
from sqlmodel import Session, func, select

from reminder.companies import create_company, get_match, save_match, update_company
from reminder.db import (
    CompanyCreate,
    CompanyUpdate,
    DeadlineRow,
    DocumentRow,
    NoticeChange,
    NoticeRow,
    get_notice_by_key,
    list_changes,
    list_conditions,
    list_deadlines,
    list_open_notices,
    notice_key,
    save_document,
    to_notice,
)
from reminder.model import TZ


def _count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def _the_notice(session: Session) -> NoticeRow:
    row = get_notice_by_key(session=session, key=notice_key(SOURCE, TITLE))
    assert row is not None
    return row


def test_saved_notice_reads_back_identical(session, make_doc, now) -> None:
    doc = make_doc(
        deadline("2025-04-30", time="17:00"),
        deadline("2025-05-15", kind="recommendation", batch="第一批", approximate=True),
        conditions=(
            condition("annual_revenue", ">=", 5000, "万元"),
            condition("registered_region", "in", ["湖州市", "南太湖新区"]),
            condition("credit", "==", True, hard=False, group="g1"),
        ),
    )
    result = save_document(session=session, doc=doc, now=now)
    session.commit()

    assert (result.duplicate, result.notices, result.created, result.updated, result.deadlines) == (
        False,
        1,
        1,
        0,
        2,
    )
    row = _the_notice(session)
    assert (row.title, row.level, row.issuer, row.published) == (
        TITLE,
        "municipal",
        "湖州市经济和信息化局",
        dt.date(2025, 3, 10),
    )
    assert to_notice(session=session, row=row) == doc.notices[0]
    first = list_deadlines(session=session, notice_id=row.id)[0]
    assert first.at == dt.datetime(2025, 4, 30, 17, 0, tzinfo=TZ), (
        "the instant survives storage, timezone included"
    )
    assert first.at.tzinfo is not None
    assert [c.value for c in list_conditions(session=session, notice_id=row.id)] == [
        5000,
        ["湖州市", "南太湖新区"],
        True,
    ]


def test_same_bytes_twice_is_a_no_op(session, make_doc, now) -> None:
    doc = make_doc(deadline("2025-04-30"), content_hash="a" * 64)
    first = save_document(session=session, doc=doc, now=now)
    session.commit()
    again = save_document(session=session, doc=doc, now=now + dt.timedelta(days=1))
    session.commit()

    assert again.duplicate and again.document_id == first.document_id
    assert (again.notices, again.created, again.updated, again.changes) == (0, 0, 0, 0)
    assert [_count(session, t) for t in (DocumentRow, NoticeRow, DeadlineRow, NoticeChange)] == [1, 1, 1, 0]


def test_new_version_updates_the_notice_in_place_and_records_changes(session, make_doc, now) -> None:
    save_document(
        session=session,
        doc=make_doc(
            deadline("2025-04-30", time="17:00"),
            deadline("2025-05-15", kind="recommendation"),
            conditions=(condition("annual_revenue", ">=", 5000, "万元"),),
        ),
        now=now,
    )
    session.commit()
    notice = _the_notice(session)
    kept_id = list_deadlines(session=session, notice_id=notice.id)[1].id

    later = now + dt.timedelta(days=3)
    v2 = make_doc(
        deadline("2025-05-20", time="17:00"),  # moved
        deadline("2025-05-15", kind="recommendation"),  # unchanged
        deadline("2025-06-01", kind="materials"),  # new
        conditions=(condition("annual_revenue", ">=", 3000, "万元"),),
    )
    result = save_document(session=session, doc=v2, now=later)
    session.commit()

    assert (result.created, result.updated, result.changes) == (0, 1, 2)
    assert _count(session, NoticeRow) == 1
    assert _the_notice(session).id == notice.id and _the_notice(session).updated_at == later
    assert _the_notice(session).document_id == result.document_id, "the notice now points at the new version"
    active = list_deadlines(session=session, notice_id=notice.id)
    assert sorted((d.date, d.kind) for d in active) == [
        (dt.date(2025, 5, 15), "recommendation"),
        (dt.date(2025, 5, 20), "application"),
        (dt.date(2025, 6, 1), "materials"),
    ]
    assert kept_id in {d.id for d in active}, "an unchanged deadline keeps its row (reminders point at it)"
    every = list_deadlines(session=session, notice_id=notice.id, active_only=False)
    assert [(d.date, d.active) for d in every if d.date == dt.date(2025, 4, 30)] == [
        (dt.date(2025, 4, 30), False)
    ]

    changes = list_changes(session=session, notice_id=notice.id)
    assert [(c.what, c.old and c.old["date"], c.new and c.new["date"]) for c in changes] == [
        ("deadline_changed", "2025-04-30", "2025-05-20"),
        ("deadline_added", None, "2025-06-01"),
    ]
    assert changes[0].old["time"] == changes[0].new["time"] == "17:00"
    assert changes[0].new["deadline_id"] in {d.id for d in active}
    assert changes[0].changed_at == later
    assert [c.value for c in list_conditions(session=session, notice_id=notice.id)] == [3000], (
        "conditions replaced"
    )

    v3 = make_doc(deadline("2025-05-20", time="17:00"), deadline("2025-05-15", kind="recommendation"))
    save_document(session=session, doc=v3, now=later + dt.timedelta(days=1))
    session.commit()
    removed = list_changes(session=session, notice_id=notice.id, since=later)
    assert [(c.what, c.old["date"], c.new) for c in removed] == [("deadline_removed", "2025-06-01", None)]


def test_traditional_and_spaced_title_is_the_same_notice(session, make_doc, now) -> None:
    save_document(session=session, doc=make_doc(deadline("2025-04-30")), now=now)
    variant = make_doc(deadline("2025-04-30"), title="關於組織申報 2025 年度市級企業技術中心的通知")
    result = save_document(session=session, doc=variant, now=now)
    assert (result.created, result.updated, result.changes) == (0, 1, 0)
    assert notice_key("http://JXJ.huzhou.gov.cn/art/2025/3/10/notice.html#x", TITLE) == notice_key(
        SOURCE, TITLE
    )
    assert notice_key(SOURCE, TITLE) != notice_key(SOURCE, "关于组织申报2025年度省级企业技术中心的通知")
    assert notice_key(SOURCE, TITLE) != notice_key(
        "https://jxj.huzhou.gov.cn/art/2025/3/11/notice.html", TITLE
    )


def test_two_notices_with_one_title_in_a_document_stay_apart(session, make_doc, now) -> None:
    doc = make_doc(deadline("2025-04-30"))
    twice = replace(doc, notices=doc.notices * 2)
    result = save_document(session=session, doc=twice, now=now)
    assert (result.created, _count(session, NoticeRow)) == (2, 2)


@pytest.mark.parametrize(
    ("local_now", "is_open"),
    [
        ("2025-04-30T16:59:00+08:00", True),
        ("2025-04-30T17:01:00+08:00", False),
        ("2025-04-30T09:30:00+00:00", False),
    ],
)
def test_open_until_the_exact_instant(session, make_doc, local_now, is_open) -> None:
    save_document(session=session, doc=make_doc(deadline("2025-04-30", time="17:00")))
    open_ids = [n.id for n in list_open_notices(session=session, now=dt.datetime.fromisoformat(local_now))]
    assert bool(open_ids) is is_open


def test_which_notices_are_open(session, make_doc, now) -> None:
    def add(title: str, *deadlines, **kw) -> int:
        save_document(session=session, doc=make_doc(*deadlines, title=title, **kw), now=now)
        row = get_notice_by_key(session=session, key=notice_key(SOURCE, title))
        return row.id

    future = add("未来截止", deadline("2025-04-30"))
    add("已截止", deadline("2025-02-28"))
    rolling = add("常态化受理", rolling=True)
    tba = add("另行通知", tba_deadline())
    add("政策文件", deadline("2025-04-30"), policy_only=True)
    draft = add("草稿", deadline("2025-04-30"))
    session.get(NoticeRow, draft).status = "draft"
    moved_to_past = add("改期到过去", deadline("2025-04-30"))
    save_document(session=session, doc=make_doc(deadline("2025-02-20"), title="改期到过去"), now=now)
    session.commit()

    assert [n.id for n in list_open_notices(session=session, now=now)] == [future, rolling, tba]
    assert draft in [n.id for n in list_open_notices(session=session, now=now, include_drafts=True)]
    assert moved_to_past not in [
        n.id for n in list_open_notices(session=session, now=now, include_drafts=True)
    ]
    with pytest.raises(ValueError, match="timezone-aware"):
        list_open_notices(session=session, now=dt.datetime(2025, 3, 1))


def test_foreign_keys_are_enforced(session) -> None:
    session.add(DeadlineRow(notice_id=999_999, kind="application", date=dt.date(2025, 4, 30)))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_naive_datetimes_are_refused(session, make_doc) -> None:
    save_document(session=session, doc=make_doc(deadline("2025-04-30")))
    row = _the_notice(session)
    row.updated_at = dt.datetime(2025, 3, 1, 9, 0)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()


def test_companies_and_matches(session, make_doc, now) -> None:
    company = create_company(
        session=session,
        company_in=CompanyCreate(
            name="湖州某某新材料有限公司",
            credit_code="91330500MA2B3C4D5E",
            province_code="330000",
            city_code="330500",
            registered_capital=1000.0,
            qualifications=[{"name": "高新技术企业", "valid_until": "2026-12-31"}],
            industry_tags=["新材料"],
        ),
        now=now,
    )
    session.commit()
    update_company(
        session=session, company=company, company_in=CompanyUpdate(headcount=120, industry=None), now=now
    )
    assert (company.headcount, company.registered_capital, company.qualifications[0]["name"]) == (
        120,
        1000.0,
        "高新技术企业",
    )

    save_document(session=session, doc=make_doc(deadline("2025-04-30")), now=now)
    notice = _the_notice(session)
    save_match(
        session=session, company_id=company.id, notice_id=notice.id, status="possible", missing=["headcount"]
    )
    save_match(
        session=session, company_id=company.id, notice_id=notice.id, status="eligible", trace={"ok": True}
    )
    session.commit()
    match = get_match(session=session, company_id=company.id, notice_id=notice.id)
    assert (match.status, match.missing, match.trace) == ("eligible", [], {"ok": True})
    assert match.evaluated_at.tzinfo is not None

    with pytest.raises(sa.exc.IntegrityError):
        create_company(
            session=session, company_in=CompanyCreate(name="同码公司", credit_code="91330500MA2B3C4D5E")
        )
