"""Planning, as pure functions of the facts and an injected "now" (no clock, no database)."""

from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path
from typing import Any

import pytest
import yaml

import reminder.notify.planning as planning
from reminder.calendar import TZ
from reminder.notify.planning import (
    DeadlineFacts,
    concerns,
    digest_slot,
    message_id,
    offset_times,
    plan_change,
    plan_deadline,
    plan_digest,
)

CASES = Path(__file__).parent / "cases"


def _load(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = yaml.safe_load((CASES / f"planning_{name}.yaml").read_text(encoding="utf-8"))
    return data, data["examples"]


def _cases(*names: str) -> list[Any]:
    params = []
    for name in names:
        data, examples = _load(name)
        for ex in examples:
            params.append(
                pytest.param(
                    {**{k: v for k, v in data.items() if k != "examples"}, **ex}, id=f"{name}:{ex['name']}"
                )
            )
    return params


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _deadline(at: str | None, *, kind: str = "application", **kw: Any) -> DeadlineFacts:
    return DeadlineFacts(id=42, notice_id=7, kind=kind, at=_at(at) if at else None, **kw)


@pytest.mark.parametrize("case", _cases("offsets", "holidays", "late"))
def test_reminder_schedule(case: dict[str, Any]) -> None:
    now = _at(case["now"])
    plans = plan_deadline(
        company_id=1,
        channel_ids=[5],
        offsets=case["offsets"],
        deadline=_deadline(case["deadline"]),
        verdict="eligible",
        now=now,
        hour=case["hour"],
        covered=frozenset({5}) if case.get("covered") else frozenset(),
    )
    got = [[p.purpose, p.offset, p.due_at.astimezone(TZ).isoformat(), p.days_left] for p in plans]
    expected = [
        [purpose, offset, now.isoformat() if due == "now" else due, left]
        for purpose, offset, due, left in case["expect"]
    ]
    assert got == expected


@pytest.mark.parametrize("case", _cases("concerns"))
def test_which_deadlines_concern_a_company(case: dict[str, Any]) -> None:
    facts = _deadline(
        None if case.get("to_be_announced") else "2025-06-30T17:00:00+08:00",
        kind=case["kind"],
        to_be_announced=bool(case.get("to_be_announced")),
        active=case.get("active", True),
    )
    plans = plan_deadline(
        company_id=1, channel_ids=[5], offsets=[14, 7], deadline=facts, verdict=case["verdict"],
        now=_at("2025-05-01T10:00:00+08:00"), hour=9,
    )  # fmt: skip
    assert concerns(case["verdict"], facts) is case["planned"]
    assert bool(plans) is case["planned"]


@pytest.mark.parametrize("case", _cases("digests"))
def test_digest_slots(case: dict[str, Any]) -> None:
    slot = digest_slot(
        digest=case["digest"], now=_at(case["now"]), hour=case["hour"], weekday=case["weekday"]
    )
    assert (slot.isoformat() if slot else None) == case["slot"]


def test_an_empty_digest_is_not_planned() -> None:
    kwargs: dict[str, Any] = dict(
        company_id=1,
        channel_ids=[5, 6],
        digest="weekly",
        now=_at("2025-03-03T10:00:00+08:00"),
        hour=9,
        weekday=0,
    )
    assert plan_digest(items=0, **kwargs) == ()
    plans = plan_digest(items=3, **kwargs)
    assert [(p.key, p.purpose, p.due_at.isoformat()) for p in plans] == [
        ("digest:1:5:2025-03-03", "digest", "2025-03-03T09:00:00+08:00"),
        ("digest:1:6:2025-03-03", "digest", "2025-03-03T09:00:00+08:00"),
    ]


def test_keys_are_deterministic_and_per_channel() -> None:
    kwargs: dict[str, Any] = dict(
        company_id=3, channel_ids=[10, 11], offsets=[7, 0], deadline=_deadline("2025-06-20T17:00:00+08:00"),
        verdict="eligible", now=_at("2025-05-01T10:00:00+08:00"), hour=9,
    )  # fmt: skip
    first, again = plan_deadline(**kwargs), plan_deadline(**kwargs)
    assert first == again
    assert [p.key for p in first] == [
        "before:3:42:7:10",
        "before:3:42:0:10",
        "before:3:42:7:11",
        "before:3:42:0:11",
    ]
    assert len({p.message_id for p in first}) == 4
    assert first[0].message_id == message_id("before:3:42:7:10")
    assert first[0].message_id.startswith("rem_") and len(first[0].message_id) == 28


def test_planning_later_on_only_drops_the_offsets_that_passed() -> None:
    """The same deadline planned again as time goes by: the keys still ahead are the same keys."""
    deadline = _deadline("2025-03-31T17:00:00+08:00")

    def keys(now: str) -> list[str]:
        plans = plan_deadline(
            company_id=1, channel_ids=[5], offsets=[14, 7, 3, 1, 0], deadline=deadline, verdict="eligible",
            now=_at(now), hour=9, covered=frozenset({5}),
        )  # fmt: skip
        return [p.key for p in plans]

    early, later = keys("2025-03-01T10:00:00+08:00"), keys("2025-03-25T10:00:00+08:00")
    assert later == early[-2:]


def test_a_moved_deadline_tells_each_reminded_channel_once() -> None:
    new = _deadline("2025-04-15T17:00:00+08:00")
    plans = plan_change(
        company_id=1,
        channel_ids=[5, 6],
        old_deadline_id=41,
        new=new,
        verdict="eligible",
        now=_at("2025-03-20T11:00:00+08:00"),
    )
    assert [(p.key, p.purpose, p.deadline_id, p.previous_deadline_id, p.days_left) for p in plans] == [
        ("changed:1:41:42:5", "changed", 42, 41, 26),
        ("changed:1:41:42:6", "changed", 42, 41, 26),
    ]
    assert all(p.due_at == _at("2025-03-20T11:00:00+08:00") for p in plans)
    passed = plan_change(
        company_id=1,
        channel_ids=[5],
        old_deadline_id=41,
        new=new,
        verdict="eligible",
        now=_at("2025-04-16T00:00:00+08:00"),
    )
    ineligible = plan_change(
        company_id=1,
        channel_ids=[5],
        old_deadline_id=41,
        new=new,
        verdict="not_eligible",
        now=_at("2025-03-20T11:00:00+08:00"),
    )
    assert passed == () and ineligible == ()


def test_offset_times_never_reach_the_deadline() -> None:
    at = _at("2025-03-31T09:00:00+08:00")
    assert [o for o, _ in offset_times(at, [0, 1], hour=9)] == [1], "09:00 on a 09:00 deadline is too late"


def test_doctests() -> None:
    result = doctest.testmod(planning)
    assert result.failed == 0 and result.attempted > 0
