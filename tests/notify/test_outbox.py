"""Planning into the outbox on SQLite and PostgreSQL: idempotent rows, changes, cancellations, digests."""

from __future__ import annotations

from typing import Any

import pytest
from notify_factories import (
    active_deadlines,
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

from reminder.notify.links import view_url
from reminder.notify.outbox import cancel_stale, plan_digests, replan_company, replan_notice, sweep
from reminder.notify.render import render_message

NOW = local("2025-03-01T10:00:00")
S = settings()

FOUR_BEFORE_MARCH_31 = [
    ("before", 14, "2025-03-17T09:00:00+08:00", "pending"),
    ("before", 7, "2025-03-24T09:00:00+08:00", "pending"),
    ("before", 1, "2025-03-28T09:00:00+08:00", "pending"),
    ("before", 0, "2025-03-31T09:00:00+08:00", "pending"),
]


def _setup(session: Session, *statuses: str) -> tuple[Any, list[Any], list[Any]]:
    """A notice due 2025-03-31 17:00 and one company (with one webhook channel) per verdict status."""
    notice = store_notice(session, deadline("2025-03-31", time="17:00"), now=NOW)
    companies, channels = [], []
    for i, status in enumerate(statuses):
        owner = company(session, f"企业{i}")
        channels.append(channel(session, owner))
        verdict(
            session,
            owner,
            notice,
            status,
            missing=["研发费用占比"] if status == "possibly_eligible" else None,
        )
        companies.append(owner)
    return notice, companies, channels


def test_reminders_are_planned_for_concerned_companies_only_and_only_once(session: Session) -> None:
    notice, (a, b, c), _ = _setup(session, "eligible", "possibly_eligible", "not_eligible")
    stats = replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    assert stats.inserted == 8
    assert summary(reminders(session, company_id=a.id)) == FOUR_BEFORE_MARCH_31
    assert summary(reminders(session, company_id=b.id)) == FOUR_BEFORE_MARCH_31
    assert reminders(session, company_id=c.id) == []
    again = replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    assert (again.inserted, again.revived, again.cancelled) == (0, 0, 0)
    assert len(reminders(session)) == 8


def test_the_payload_is_frozen_with_what_the_message_says(session: Session) -> None:
    notice, (_, b), (_, ch_b) = _setup(session, "eligible", "possibly_eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    first = reminders(session, company_id=b.id)[0]
    (row,) = active_deadlines(session, notice)
    assert first.key == f"before:{b.id}:{row.id}:14:{ch_b.id}"
    assert first.message_id.startswith("rem_") and first.next_attempt_at == first.due_at
    payload = first.payload
    assert payload["company"] == {"id": b.id, "name": "企业1"}
    assert payload["notice"] == {
        "id": notice.id,
        "title": notice.title,
        "issuer": "湖州市经济和信息化局",
        "level": "municipal",
    }
    assert {k: payload["deadline"][k] for k in ("id", "date", "time", "kind", "batch")} == {
        "id": row.id, "date": "2025-03-31", "time": "17:00", "kind": "application", "batch": None,
    }  # fmt: skip
    assert payload["deadline"]["quote"] == "请于2025年3月31日17:00前提交申报材料"
    assert payload["days_left"] == 14
    assert payload["verdict"] == {
        "status": "possibly_eligible", "missing": ["研发费用占比"], "unmet": [], "manual": ["须经区县主管部门推荐"],
    }  # fmt: skip
    assert payload["link"] == view_url(b.id, b.view_salt, S)  # read-only view link (issue 12)
    assert payload["link"].startswith(f"https://reminder.example.cn/v/{b.id}?token=")
    message = render_message("before", payload, message_id=first.message_id, settings=S)
    assert notice.title in message.text and "研发费用占比" in message.text


def test_a_late_notice_gets_one_new_call_instead_of_the_missed_reminders(session: Session) -> None:
    late = local("2025-03-25T10:00:00")
    notice, (a,), _ = _setup(session, "eligible")
    replan_notice(session=session, notice_id=notice.id, now=late, settings=S)
    replan_notice(session=session, notice_id=notice.id, now=local("2025-03-26T10:00:00"), settings=S)
    assert summary(reminders(session, company_id=a.id)) == [
        ("new_call", None, "2025-03-25T10:00:00+08:00", "pending"),
        ("before", 1, "2025-03-28T09:00:00+08:00", "pending"),
        ("before", 0, "2025-03-31T09:00:00+08:00", "pending"),
    ]
    assert reminders(session, purpose="new_call")[0].payload["days_left"] == 6


def _mark_sent(session: Session, rows: list[Any]) -> None:
    for row in rows:
        row.status, row.sent_at = "sent", row.due_at
        session.add(row)
    session.flush()


def test_a_moved_deadline_cancels_replans_and_tells_only_companies_already_reminded(session: Session) -> None:
    notice, (a, b), _ = _setup(session, "eligible", "eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    _mark_sent(
        session, reminders(session, company_id=a.id)[:2]
    )  # a got the 14- and 7-day reminders; b none yet
    moved_at = local("2025-03-28T10:00:00")
    store_notice(session, deadline("2025-04-03", time="17:00"), now=moved_at)
    stats = replan_notice(session=session, notice_id=notice.id, now=moved_at, settings=S)
    replan_notice(session=session, notice_id=notice.id, now=moved_at, settings=S)  # idempotent

    rows_a = summary(reminders(session, company_id=a.id))
    assert rows_a == [
        ("before", 14, "2025-03-17T09:00:00+08:00", "sent"),
        ("before", 7, "2025-03-24T09:00:00+08:00", "sent"),
        ("before", 1, "2025-03-28T09:00:00+08:00", "cancelled"),
        ("changed", None, "2025-03-28T10:00:00+08:00", "pending"),
        ("before", 0, "2025-03-31T09:00:00+08:00", "cancelled"),
        ("before", 3, "2025-03-31T09:00:00+08:00", "pending"),
        ("before", 1, "2025-04-02T09:00:00+08:00", "pending"),
        ("before", 0, "2025-04-03T09:00:00+08:00", "pending"),
    ]
    assert summary(reminders(session, company_id=b.id, status="pending")) == [
        ("new_call", None, "2025-03-28T10:00:00+08:00", "pending"),
        ("before", 3, "2025-03-31T09:00:00+08:00", "pending"),
        ("before", 1, "2025-04-02T09:00:00+08:00", "pending"),
        ("before", 0, "2025-04-03T09:00:00+08:00", "pending"),
    ]
    assert {r.cancelled_reason for r in reminders(session, status="cancelled")} == {
        "截止日期已变更 / deadline changed"
    }
    assert stats.cancelled == 6
    (changed,) = reminders(session, purpose="changed")
    assert changed.payload["change"]["old"]["date"] == "2025-03-31"
    assert changed.payload["change"]["new"]["date"] == "2025-04-03"
    assert changed.payload["days_left"] == 6
    message = render_message("changed", changed.payload, message_id=changed.message_id, settings=S)
    assert "2025年3月31日" in message.text and "2025年4月3日" in message.text


def test_a_deadline_moved_twice_tells_the_reminded_company_about_the_latest_date(session: Session) -> None:
    notice, (a,), _ = _setup(session, "eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    _mark_sent(session, reminders(session, company_id=a.id)[:1])
    for when, day in (("2025-03-20T10:00:00", "2025-04-10"), ("2025-03-20T11:00:00", "2025-04-20")):
        store_notice(session, deadline(day, time="17:00"), now=local(when))
        replan_notice(session=session, notice_id=notice.id, now=local(when), settings=S)
    changed = [r for r in reminders(session, purpose="changed")]
    assert [(r.status, r.payload["change"]["new"]["date"]) for r in changed] == [
        ("cancelled", "2025-04-10"),
        ("pending", "2025-04-20"),
    ]
    assert changed[1].payload["change"]["old"]["date"] == "2025-03-31", (
        "still told from the date it was reminded of"
    )


def test_a_passed_deadline_cancels_what_is_still_pending(session: Session) -> None:
    notice, (a,), _ = _setup(session, "eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    _mark_sent(session, reminders(session, company_id=a.id)[:3])
    after = local("2025-03-31T17:00:00")
    stats = cancel_stale(session=session, now=after)
    assert stats.cancelled == 1
    assert [(r.offset_days, r.status, r.cancelled_reason) for r in reminders(session)][-1] == (
        0, "cancelled", "截止日期已过 / deadline passed",
    )  # fmt: skip
    assert sweep(session=session, now=after, settings=S).inserted == 0
    assert replan_notice(session=session, notice_id=notice.id, now=after, settings=S).inserted == 0


def test_a_company_that_becomes_ineligible_loses_its_pending_reminders_and_gets_them_back(
    session: Session,
) -> None:
    notice, (a, b), _ = _setup(session, "eligible", "eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    verdict(session, a, notice, "not_eligible")
    stats = replan_company(session=session, company_id=a.id, now=NOW, settings=S)
    assert stats.cancelled == 4
    assert {(r.status, r.cancelled_reason) for r in reminders(session, company_id=a.id)} == {
        ("cancelled", "企业不再符合条件 / company no longer eligible")
    }
    assert {r.status for r in reminders(session, company_id=b.id)} == {"pending"}, (
        "the other company is untouched"
    )
    verdict(session, a, notice, "eligible")
    back = replan_company(session=session, company_id=a.id, now=NOW, settings=S)
    assert back.revived == 4 and back.inserted == 0
    assert summary(reminders(session, company_id=a.id)) == FOUR_BEFORE_MARCH_31


def test_disabled_and_unsubscribed_channels_are_cancelled(session: Session) -> None:
    notice, (a,), (hook,) = _setup(session, "eligible")
    mail = channel(session, a, kind="email", target="boss@example.cn")
    second = channel(session, a, target="http://127.0.0.1:9/hooks/b")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    assert len(reminders(session)) == 12
    a.email_unsubscribed = True
    second.enabled = False
    session.add_all([a, second])
    replan_company(session=session, company_id=a.id, now=NOW, settings=S)
    status = {
        ch: {r.status for r in reminders(session, channel_id=ch)} for ch in (hook.id, mail.id, second.id)
    }
    assert status == {hook.id: {"pending"}, mail.id: {"cancelled"}, second.id: {"cancelled"}}


def test_changed_offsets_and_a_new_channel_are_planned(session: Session) -> None:
    notice, (a,), (hook,) = _setup(session, "eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    a.reminder_offsets = [7, 3]
    session.add(a)
    late = local("2025-03-25T10:00:00")
    added = channel(session, a, target="http://127.0.0.1:9/hooks/new")
    replan_company(session=session, company_id=a.id, now=late, settings=S)
    pending = [(r.channel_id, r.purpose, r.offset_days) for r in reminders(session, status="pending")]
    assert pending == [
        (hook.id, "before", 7),  # due yesterday, not sent yet: still goes out (catch-up)
        (added.id, "new_call", None),  # the new channel missed the 7-day reminder
        (hook.id, "before", 3),
        (added.id, "before", 3),
    ]
    assert {r.cancelled_reason for r in reminders(session, status="cancelled")} == {
        "提醒时间已不在计划内 / reminder offset no longer planned"
    }


def _digest_world(session: Session) -> dict[str, Any]:
    soon = store_notice(
        session, deadline("2025-03-10", time="17:00"), title="关于申报专精特新中小企业的通知", now=NOW
    )
    later = store_notice(session, deadline("2025-03-31"), title="关于组织申报企业技术中心的通知", now=NOW)
    closed = store_notice(session, deadline("2025-03-02"), title="已截止的通知", now=NOW)
    weekly, daily, off, nothing = (company(session, n, digest=d) for n, d in (
        ("周报企业", "weekly"), ("日报企业", "daily"), ("不要摘要", "off"), ("无匹配企业", "weekly")))  # fmt: skip
    for owner in (weekly, daily, off, nothing):
        channel(session, owner)
    for owner in (weekly, daily, off):
        verdict(session, owner, soon, "possibly_eligible", missing=["年营业收入"])
        verdict(session, owner, later, "eligible")
        verdict(session, owner, closed, "eligible")
    verdict(session, nothing, later, "not_eligible")
    return {"weekly": weekly, "daily": daily, "off": off, "nothing": nothing}


def test_digests_list_open_matched_notices_by_days_left_and_skip_empty_ones(session: Session) -> None:
    world = _digest_world(session)
    monday = local("2025-03-03T09:00:30")
    stats = plan_digests(session=session, now=monday, settings=S)
    assert stats.inserted == 2
    rows = reminders(session, purpose="digest")
    assert {r.company_id for r in rows} == {world["weekly"].id, world["daily"].id}
    digest = next(r for r in rows if r.company_id == world["weekly"].id)
    assert digest.due_at == local("2025-03-03T09:00:00")
    items = digest.payload["items"]
    assert [(i["notice"]["title"], i["days_left"], i["verdict"]["missing"]) for i in items] == [
        ("关于申报专精特新中小企业的通知", 7, ["年营业收入"]),
        ("关于组织申报企业技术中心的通知", 28, []),
    ]
    message = render_message("digest", digest.payload, message_id=digest.message_id, settings=S)
    assert message.text.index("专精特新") < message.text.index("企业技术中心")
    assert plan_digests(session=session, now=local("2025-03-03T15:00:00"), settings=S).inserted == 0
    tuesday = plan_digests(session=session, now=local("2025-03-04T09:05:00"), settings=S)
    assert tuesday.inserted == 1, "only the daily digest comes on Tuesday"


def test_no_digest_when_nothing_is_open(session: Session) -> None:
    world = _digest_world(session)
    far = local("2025-05-05T09:30:00")  # a Monday after every deadline
    assert plan_digests(session=session, now=far, settings=S).inserted == 0
    assert reminders(session, company_id=world["weekly"].id) == []


@pytest.mark.parametrize("status", ["eligible", "possibly_eligible"])
def test_recommendation_cutoffs_are_reminded_with_their_own_wording(session: Session, status: str) -> None:
    notice = store_notice(session, deadline("2025-03-31", kind="recommendation"), now=NOW)
    owner = company(session)
    channel(session, owner)
    verdict(session, owner, notice, status)
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    first = reminders(session)[0]
    assert first.payload["deadline"]["kind"] == "recommendation"
    message = render_message("before", first.payload, message_id=first.message_id, settings=S)
    assert "主管部门" in message.text


def test_pending_reminders_follow_the_latest_verdict_and_hour(session: Session) -> None:
    notice, (a,), _ = _setup(session, "possibly_eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    verdict(session, a, notice, "possibly_eligible", missing=["研发人员占比"])
    stats = replan_company(session=session, company_id=a.id, now=NOW, settings=settings(reminder_hour=10))
    assert stats.refreshed == 4 and stats.inserted == 0
    rows = reminders(session, company_id=a.id)
    assert {r.payload["verdict"]["missing"][0] for r in rows} == {"研发人员占比"}
    assert {r.due_at.astimezone(NOW.tzinfo).hour for r in rows} == {10}


def test_a_withdrawn_notice_cancels_its_reminders(session: Session) -> None:
    notice, (a,), _ = _setup(session, "eligible")
    replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S)
    notice.status = "draft"
    session.add(notice)
    assert replan_notice(session=session, notice_id=notice.id, now=NOW, settings=S).cancelled == 4
    assert {r.cancelled_reason for r in reminders(session)} == {
        "通知已撤回或不再接受申报 / notice withdrawn or closed"
    }
