"""Operators' corrections: kept with who/when, applied to the stored notice, and re-applied to every
new version of the document (same text again, or a changed text), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import admin_fixtures as fx
import pytest
from admin_fixtures import APPLICATION_QUOTE, NOTICE, NOW, RECOMMENDATION_QUOTE, changed_notice
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from reminder.corrections import save_corrected
from reminder.corrections.service import add_correction, apply_corrections, list_corrections, selector_for
from reminder.db.models import Correction, DeadlineRow, NoticeChange, NoticeRow
from reminder.db.store import get_notice_by_key, list_conditions, list_deadlines
from reminder.errors import CorrectionError
from reminder.extract import extract_text

any_engine = fx.any_engine
migrated_template, migrated_postgres = fx.migrated_template, fx.migrated_postgres

SOURCE = "/srv/uploads/jishu-zhongxin.txt"
LATER = NOW + dt.timedelta(days=1)


def store(session: Session, text: str = NOTICE, now: dt.datetime = NOW) -> NoticeRow:
    """Extract and store ``text`` as a version of SOURCE; the stored notice."""
    doc = extract_text(text, source=SOURCE)
    result = save_corrected(session=session, doc=doc, now=now)
    session.commit()
    row = session.exec(select(NoticeRow).where(NoticeRow.document_id == result.document_id)).one()
    return row


def deadline(session: Session, notice: NoticeRow, quote: str) -> DeadlineRow:
    rows = [d for d in list_deadlines(session=session, notice_id=notice.id or 0) if d.quote == quote]
    assert len(rows) == 1, [d.quote for d in list_deadlines(session=session, notice_id=notice.id or 0)]
    return rows[0]


def dates(session: Session, notice: NoticeRow) -> dict[str, tuple[str | None, str | None, str]]:
    """quote → (date, time, kind) of the active deadlines."""
    return {
        d.quote: (
            d.date.isoformat() if d.date else None,
            d.time.strftime("%H:%M") if d.time else None,
            d.kind,
        )
        for d in list_deadlines(session=session, notice_id=notice.id or 0)
    }


def changes(session: Session, notice: NoticeRow) -> list[NoticeChange]:
    return list(session.exec(select(NoticeChange).where(NoticeChange.notice_id == notice.id)).all())


def correct(session: Session, notice: NoticeRow, **kw: Any) -> Correction:
    kw.setdefault("author", "张三")
    kw.setdefault("selector", {})
    correction = add_correction(session=session, notice=notice, now=NOW, **kw)
    session.commit()
    return correction


@pytest.fixture
def session(any_engine: Engine) -> Any:
    with Session(any_engine, expire_on_commit=False) as s:
        yield s


def test_a_corrected_deadline_is_stored_with_who_and_when_and_recorded_as_a_change(session: Session) -> None:
    notice = store(session)
    original = deadline(session, notice, APPLICATION_QUOTE)
    c = correct(
        session,
        notice,
        target="deadline",
        action="set",
        selector=selector_for(original),
        values={"date": "2025-04-15"},
        note="原文笔误，以系统为准",
    )
    assert dates(session, notice)[APPLICATION_QUOTE] == ("2025-04-15", "17:00", "application")
    [change] = changes(session, notice)
    assert (change.what, change.old["date"], change.new["date"]) == (
        "deadline_changed",
        "2025-04-10",
        "2025-04-15",
    )
    [kept] = list_corrections(session=session, notice=notice)
    assert (kept.id, kept.author, kept.note, kept.created_at) == (c.id, "张三", "原文笔误，以系统为准", NOW)
    assert kept.values == {"date": "2025-04-15"} and kept.selector["quote"] == APPLICATION_QUOTE


def test_the_corrected_instant_is_the_new_day_at_the_stated_time(session: Session) -> None:
    notice = store(session)
    original = deadline(session, notice, APPLICATION_QUOTE)
    correct(
        session,
        notice,
        target="deadline",
        action="set",
        selector=selector_for(original),
        values={"time": None},
    )
    row = deadline(session, notice, APPLICATION_QUOTE)
    assert row.at == dt.datetime(2025, 4, 10, 23, 59, 59, tzinfo=NOW.tzinfo) and row.grain == "day"


def test_same_notice_again_keeps_the_correction_without_new_changes(session: Session) -> None:
    notice = store(session)
    correct(
        session,
        notice,
        target="deadline",
        action="set",
        selector=selector_for(deadline(session, notice, APPLICATION_QUOTE)),
        values={"date": "2025-04-15"},
    )
    before = len(changes(session, notice))
    store(session, NOTICE + "\n", now=LATER)  # new bytes, same notice: a re-ingest of the same document
    assert dates(session, notice)[APPLICATION_QUOTE] == ("2025-04-15", "17:00", "application")
    assert len(changes(session, notice)) == before  # no spurious "changed" reminders


def test_a_changed_document_keeps_the_correction_and_records_its_own_change(session: Session) -> None:
    notice = store(session)
    correct(
        session,
        notice,
        target="deadline",
        action="set",
        selector=selector_for(deadline(session, notice, APPLICATION_QUOTE)),
        values={"date": "2025-04-15", "kind": "materials"},
    )
    before = len(changes(session, notice))
    store(session, changed_notice(), now=LATER)
    now_dates = dates(session, notice)
    assert now_dates[APPLICATION_QUOTE] == ("2025-04-15", "17:00", "materials")
    assert now_dates["各区县经信局于2025年4月25日前完成审核推荐。"] == ("2025-04-25", None, "recommendation")
    new = changes(session, notice)[before:]
    assert [(c.what, c.old["date"], c.new["date"]) for c in new] == [
        ("deadline_changed", "2025-04-20", "2025-04-25")
    ]


def test_a_correction_whose_sentence_was_rewritten_no_longer_applies(session: Session, caplog: Any) -> None:
    notice = store(session)
    correct(
        session,
        notice,
        target="deadline",
        action="set",
        selector=selector_for(deadline(session, notice, APPLICATION_QUOTE)),
        values={"date": "2025-04-15"},
    )
    rewritten = NOTICE.replace("4月10日17:00前通过系统", "5月8日17:00前通过系统")
    with caplog.at_level(logging.WARNING, logger="reminder.corrections._corrected"):
        store(session, rewritten, now=LATER)
    assert dates(session, notice)["请申报企业于2025年5月8日17:00前通过系统提交申报材料。"][0] == "2025-05-08"
    assert "no longer find" in caplog.text


def test_deleted_and_added_deadlines_stay_so_across_versions(session: Session) -> None:
    notice = store(session)
    correct(
        session,
        notice,
        target="deadline",
        action="delete",
        selector=selector_for(deadline(session, notice, RECOMMENDATION_QUOTE)),
        values={},
    )
    correct(
        session, notice, target="deadline", action="add", values={"date": "2025-05-30", "kind": "materials"}
    )
    expected = {
        APPLICATION_QUOTE: ("2025-04-10", "17:00", "application"),
        "": ("2025-05-30", None, "materials"),
    }
    assert dates(session, notice) == expected
    store(session, NOTICE + "\n\n", now=LATER)
    store(session, NOTICE + "\n\n\n", now=LATER + dt.timedelta(hours=1))
    assert dates(session, notice) == expected  # the added one is not added twice


def test_condition_corrections_survive_re_ingest(session: Session) -> None:
    notice = store(session)
    headcount = next(
        c for c in list_conditions(session=session, notice_id=notice.id or 0) if c.field == "headcount"
    )
    correct(
        session,
        notice,
        target="condition",
        action="set",
        selector=selector_for(headcount),
        values={"value": 300, "hard": False},
    )
    correct(
        session,
        notice,
        target="condition",
        action="add",
        values={"field": "credit", "op": "==", "value": True},
    )
    store(session, changed_notice(), now=LATER)
    rows = {c.field: c for c in list_conditions(session=session, notice_id=notice.id or 0)}
    assert (rows["headcount"].value, rows["headcount"].hard, rows["headcount"].op) == (300, False, "<=")
    assert rows["credit"].value is True and rows["annual_revenue"].value == 2000


def test_a_founding_date_condition_takes_a_day_as_operators_write_it(session: Session) -> None:
    notice = store(session)

    def fix(action: str, values: dict[str, Any], row: Any = None) -> Correction:
        selector = selector_for(row) if row is not None else {}
        return correct(session, notice, target="condition", action=action, selector=selector, values=values)

    def rows() -> dict[str, Any]:
        return {c.field: c for c in list_conditions(session=session, notice_id=notice.id or 0)}

    fix("add", {"field": "founded_date", "op": "<=", "value": "2022年12月31日"})
    assert rows()["founded_date"].value == "2022-12-31"
    with pytest.raises(CorrectionError, match="该条件需要一个日期") as info:
        fix("set", {"field": "founded_date", "value": "500"}, rows()["headcount"])
    assert info.value.field == "value"
    # a later change of the value alone is checked against the field the condition already has
    with pytest.raises(CorrectionError, match="该条件需要一个日期"):
        fix("set", {"value": "2022-02-30"}, rows()["founded_date"])
    fix("set", {"value": "2023/6/30"}, rows()["founded_date"])
    assert (rows()["founded_date"].op, rows()["founded_date"].value) == ("<=", "2023-06-30")


def test_notice_fields_can_be_corrected_and_stay_corrected(session: Session) -> None:
    notice = store(session)
    correct(
        session,
        notice,
        target="notice",
        action="set",
        values={"title": "市级企业技术中心（更正）", "rolling": True},
    )
    store(session, changed_notice(), now=LATER)
    session.refresh(notice)
    assert (notice.title, notice.rolling) == ("市级企业技术中心（更正）", True)
    assert get_notice_by_key(session=session, key=notice.key) is not None  # the identity did not move


def test_applying_again_changes_nothing(session: Session) -> None:
    notice = store(session)
    original = deadline(session, notice, APPLICATION_QUOTE)
    correct(
        session,
        notice,
        target="deadline",
        action="set",
        selector=selector_for(original),
        values={"date": "2025-04-15"},
    )
    moved = deadline(session, notice, APPLICATION_QUOTE)
    correct(
        session,
        notice,
        target="deadline",
        action="set",
        selector=selector_for(moved),
        values={"date": "2025-04-18"},
    )
    before = len(changes(session, notice))
    assert apply_corrections(session=session, notice_id=notice.id or 0, now=LATER) == 2
    assert apply_corrections(session=session, notice_id=notice.id or 0, now=LATER) == 2
    assert len(changes(session, notice)) == before
    assert dates(session, notice)[APPLICATION_QUOTE][0] == "2025-04-18"
    assert deadline(session, notice, APPLICATION_QUOTE).id == moved.id + 1  # one new row per real move


@pytest.mark.parametrize(
    ("target", "values", "field"),
    [
        ("deadline", {"date": "2025-13-40"}, "date"),
        ("deadline", {"time": "25:61"}, "time"),
        ("deadline", {"kind": "deadline-ish"}, "kind"),
        ("deadline", {"colour": "red"}, "colour"),
        ("condition", {"field": "shoe_size"}, "field"),
        ("condition", {"op": "~="}, "op"),
        ("condition", {"value": "很多"}, "value"),
        ("condition", {}, "values"),
    ],
    ids=[
        "impossible-date",
        "impossible-time",
        "unknown-kind",
        "unknown-key",
        "unknown-field",
        "unknown-op",
        "text-for-number",
        "nothing",
    ],
)
def test_invalid_values_are_refused_naming_the_field(
    session: Session, target: str, values: dict[str, Any], field: str
) -> None:
    notice = store(session)
    row: Any = (
        deadline(session, notice, APPLICATION_QUOTE)
        if target == "deadline"
        else next(
            c for c in list_conditions(session=session, notice_id=notice.id or 0) if c.field == "headcount"
        )
    )
    with pytest.raises(CorrectionError) as info:
        add_correction(
            session=session,
            notice=notice,
            target=target,
            action="set",
            selector=selector_for(row),
            values=values,
            author="x",
        )
    assert info.value.field == field
    assert session.exec(select(Correction)).all() == []


def test_a_selector_that_finds_nothing_is_refused(session: Session) -> None:
    notice = store(session)
    selector = {"quote": "请于2030年1月1日前提交", "rule": "x", "kind": "application"}
    with pytest.raises(CorrectionError) as info:
        add_correction(
            session=session,
            notice=notice,
            target="deadline",
            action="set",
            selector=selector,
            values={"date": "2025-04-15"},
            author="x",
        )
    assert info.value.field == "selector" and "找不到" in info.value.message
