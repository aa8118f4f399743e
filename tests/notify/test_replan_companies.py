"""Planning for many companies at once (a CSV import's ``replan_companies``): every reminder carries its
own company's verdict, link and notice, as ``replan_company`` one company at a time would write it."""

from __future__ import annotations

from notify_factories import channel, company, deadline, local, reminders, settings, store_notice, verdict
from sqlmodel import Session

from reminder.notify.links import view_url
from reminder.notify.outbox import replan_companies

NOW = local("2025-03-01T10:00:00")
S = settings()


def test_each_company_gets_its_own_verdict_and_link_in_a_bulk_replan(session: Session) -> None:
    first = store_notice(session, deadline("2025-03-31", time="17:00"), now=NOW)
    second = store_notice(
        session, deadline("2025-04-30"), title="关于组织申报2025年度绿色工厂的通知", now=NOW
    )
    given = {  # company name → (verdict on the first notice, fields it misses)
        "企业甲": ("eligible", None),
        "企业乙": ("possibly_eligible", ["研发费用占比"]),
        "企业丙": ("possibly_eligible", ["职工人数"]),
        "企业丁": ("eligible", None),
    }
    owners = {}
    for name, (status, missing) in given.items():
        owners[name] = owner = company(session, name)
        assert owner.id is not None
        channel(session, owner)
        verdict(session, owner, first, status, missing=missing)
        verdict(session, owner, second, "eligible")

    ids = [o.id for o in owners.values() if o.id is not None]
    replan_companies(session=session, company_ids=ids, now=NOW, settings=S)

    for name, owner in owners.items():
        assert owner.id is not None
        rows = reminders(session, company_id=owner.id)
        assert {r.payload["notice"]["title"] for r in rows} == {first.title, second.title}
        for row in rows:
            payload = row.payload
            assert payload["company"] == {"id": owner.id, "name": name}
            assert payload["link"] == view_url(owner.id, owner.view_salt, S)
            status, missing = given[name] if row.notice_id == first.id else ("eligible", None)
            assert (payload["verdict"]["status"], payload["verdict"]["missing"]) == (status, missing or [])
