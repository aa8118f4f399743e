"""A digest lists what the company's page lists as open: an old notice is history in both."""

from __future__ import annotations

from notify_factories import channel, company, deadline, local, reminders, settings, store_notice, verdict
from sqlmodel import Session

from reminder.matching import company_matches
from reminder.notify.outbox import plan_digests

S = settings()


def test_the_digest_and_the_page_agree_on_what_is_open(session: Session) -> None:
    now = local("2025-03-03T09:00:30")  # a Monday
    old = store_notice(
        session, deadline("2023-09-15"), title="关于组织申报2023年度科技型中小企业评价的通知", now=now
    )
    undated = store_notice(session, deadline("2023-05-10"), deadline("2023-06-01", to_be_announced=True),
                           title="关于2023年度专项资金另行通知的通知", now=now)  # fmt: skip
    current = store_notice(session, deadline("2025-03-31"), title="关于组织申报企业技术中心的通知", now=now)
    owner = company(session, "周报企业", digest="weekly")
    channel(session, owner)
    for notice in (old, undated, current):
        verdict(session, owner, notice, "eligible")
    assert owner.id is not None

    plan_digests(session=session, now=now, settings=S)

    (digest,) = reminders(session, purpose="digest")
    listed = [item["notice"]["title"] for item in digest.payload["items"]]
    page = company_matches(session=session, company_id=owner.id, now=now, include_past=True)
    assert sorted(listed) == sorted(v.notice.title for v in page if v.open)
    assert "关于组织申报2023年度科技型中小企业评价的通知" not in listed
    assert "关于组织申报企业技术中心的通知" in listed
