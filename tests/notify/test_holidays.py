"""The operator's holiday table: validated on load, wins over chinese_calendar, and re-plans reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from notify_factories import (
    channel,
    company,
    deadline,
    local,
    reminders,
    settings,
    store_notice,
    summary,
    verdict,
)
from sqlmodel import Session

from reminder import holidays
from reminder.calendar import is_workday
from reminder.errors import DataFileError
from reminder.notify.outbox import replan_calendar, replan_notice, sweep

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "holiday_tables.yaml").read_text(encoding="utf-8"))
S = settings()
#: a 2027 schedule of our own (the package has no 2027): Spring Festival off Feb 5–11, Sunday Feb 14 worked
TABLE_2027 = {"years": {2027: {"放假": ["2027-02-05~2027-02-11"], "调休": ["2027-02-14"]}}}


@pytest.fixture
def table_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty ``REMINDER_TABLES_DIR``; the schedule is read again on entry and on exit."""
    from reminder.config import get_settings

    monkeypatch.setenv("REMINDER_TABLES_DIR", str(tmp_path))
    get_settings.cache_clear()
    holidays.schedule.cache_clear()
    holidays.schedule()  # the packaged table, read before the test writes its own
    yield tmp_path
    monkeypatch.delenv("REMINDER_TABLES_DIR")
    get_settings.cache_clear()
    holidays.schedule.cache_clear()


def _write(root: Path, table: dict[str, Any]) -> None:
    (root / "holidays.yaml").write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("case", CASES["valid"], ids=[c["name"] for c in CASES["valid"]])
def test_a_table_decides_the_years_it_lists(case: dict[str, Any], table_dir: Path) -> None:
    _write(table_dir, case["table"])
    assert holidays.reload_schedule()
    got = {day: is_workday(dt.date.fromisoformat(day)) for day in case["workday"]}
    assert got == case["workday"]


@pytest.mark.parametrize("case", CASES["invalid"], ids=[c["name"] for c in CASES["invalid"]])
def test_a_bad_table_is_refused_naming_the_file_and_key(case: dict[str, Any], table_dir: Path) -> None:
    _write(table_dir, case["table"])
    with pytest.raises(DataFileError) as caught:
        holidays.reload_schedule()
    assert "holidays.yaml" in str(caught.value) and case["key"] in str(caught.value)
    assert holidays.schedule().years == frozenset()  # the schedule in use is kept


def test_years_without_official_data(table_dir: Path) -> None:
    assert holidays.missing_years([2025, 2026, 2027, 2028]) == (2027, 2028)
    assert not is_workday(dt.date(2027, 2, 6))  # a Saturday: Monday–Friday fallback
    assert is_workday(dt.date(2027, 2, 8))  # Monday
    _write(table_dir, TABLE_2027)
    holidays.reload_schedule()
    assert holidays.missing_years([2025, 2026, 2027, 2028]) == (2028,)
    assert not is_workday(dt.date(2027, 2, 8))
    assert not holidays.reload_schedule()  # unchanged: nothing to re-plan


def test_loading_a_2027_schedule_replans_exactly_the_affected_reminders(
    session: Session, table_dir: Path
) -> None:
    now = local("2026-12-06T10:00:00")
    notice = store_notice(
        session, deadline("2027-02-19", time="17:00"), title="关于申报2027年度创新券的通知", now=now
    )
    owner = company(session)
    sent_channel, pending_channel = (
        channel(session, owner),
        channel(session, owner, target="http://127.0.0.1:9/hooks/b"),
    )
    verdict(session, owner, notice)
    assert notice.id is not None
    replan_notice(session=session, notice_id=notice.id, now=now, settings=S)
    before = {r.key: r.due_at for r in reminders(session)}
    first = [r for r in reminders(session, channel_id=sent_channel.id) if r.offset_days == 14]
    assert [r.due_at for r in first] == [local("2027-02-05T09:00:00")]  # Monday–Friday: a plain Friday
    first[0].status = "sent"
    session.add(first[0])
    session.flush()

    _write(table_dir, TABLE_2027)
    stats = replan_calendar(session=session, now=now, settings=S)

    assert (stats.inserted, stats.refreshed, stats.cancelled, stats.revived) == (0, 1, 0, 0)
    moved = [r for r in reminders(session) if before[r.key] != r.due_at]
    assert [(r.channel_id, r.offset_days, r.due_at) for r in moved] == [
        (pending_channel.id, 14, local("2027-02-04T09:00:00"))  # moved off the new holiday, the day before
    ]
    assert summary(reminders(session, channel_id=sent_channel.id))[0][2:] == (
        "2027-02-05T09:00:00+08:00",
        "sent",
    )
    assert len(reminders(session)) == len(before)  # none planned twice
    assert sweep(session=session, now=now, settings=S).refreshed == 0  # settled
