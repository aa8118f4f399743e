"""Bulk matching classes companies by what a qualification condition makes of their list, not its text.

Companies whose lists differ (other dates, other titles) share a class when every qualification condition
gives them the same status, missing field and failure reason. Each stored verdict must still be the
engine's, with its own reason: 已于 2024-12-31 过期 is not 不具备, nor 2023's expiry 2024's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from db_factories import deadline, store_notice
from sqlmodel import Session, select

from reminder.companies import create_company
from reminder.companies.profiles import company_fields_from_profile, profile_from_company
from reminder.db import CompanyCreate, Match
from reminder.extract import Condition, Notice
from reminder.matching import match_company, match_notice
from reminder.model import TZ
from reminder.rules import Profile, Qualification, judge, resolve_region
from reminder.rules.scope import judged_conditions

NOW = dt.datetime(2025, 1, 2, 9, 0, tzinfo=TZ)
DAY = dt.date(2025, 3, 1)
_HIGH, _GIANT, _SPECIAL = "高新技术企业", '专精特新"小巨人"企业', "专精特新中小企业"
#: qualification lists: not filled in, 无, valid (two expiries, none), expired (two expiries), another title,
#: a title implying 专精特新中小企业, and both valid and expired
LISTS: list[tuple[Qualification, ...] | None] = [
    None,
    (),
    (Qualification(_HIGH, dt.date(2026, 12, 31)),),
    (Qualification(_HIGH, dt.date(2027, 12, 31)),),
    (Qualification(_HIGH, None),),
    (Qualification(_HIGH, dt.date(2024, 12, 31)),),
    (Qualification(_HIGH, dt.date(2023, 12, 31)),),
    (Qualification("科技型中小企业", dt.date(2026, 12, 31)),),
    (Qualification(_GIANT, dt.date(2026, 12, 31)),),
    (Qualification(_GIANT, dt.date(2024, 12, 31)), Qualification(_SPECIAL, dt.date(2027, 6, 30))),
    (Qualification(_HIGH, dt.date(2024, 12, 31)), Qualification("科技型中小企业", None)),
]


def _cond(op: str, value: Any, *, hard: bool = True, group: str | None = None) -> Condition:
    return Condition(
        field="qualification",
        op=op,  # type: ignore[arg-type]
        value=value,
        unit=None,
        quote=f"{op} {value}",
        hard=hard,
        group=group,
    )


NOTICES = [
    [_cond("has", _HIGH)],
    [_cond("has", _HIGH, hard=False)],
    [_cond("not_has", _HIGH)],
    [_cond("in", [_HIGH, "科技型中小企业"])],
    [_cond("has", _SPECIAL), _cond("not_has", "科技型中小企业", hard=False)],
    [_cond("has", _HIGH, group="g1"), _cond("has", _GIANT, group="g1")],
]


def _store(session: Session, conds: list[Condition]) -> tuple[int, Notice]:
    notice = Notice(
        title="关于组织申报专项资金的通知", level="municipal", published=dt.date(2025, 1, 1), issuer=None,
        deadlines=(deadline(DAY.isoformat()),), conditions=tuple(conds), span=(0, 10), scope=None,
    )  # fmt: skip
    return store_notice(session, notice, NOW), notice


def _told(match: Match) -> tuple[Any, ...]:
    return (match.status, match.missing, match.unmet, match.trace)


@pytest.mark.parametrize("conds", NOTICES)
def test_classed_by_qualification_verdicts_are_the_engines(session: Session, conds: list[Condition]) -> None:
    region = resolve_region("萧山区")
    companies = [
        create_company(
            session=session,
            company_in=CompanyCreate(
                **company_fields_from_profile(Profile(name="甲", region=region, qualifications=quals))
                | {"name": f"企业{i}"}
            ),
            now=NOW,
        )
        for i, quals in enumerate(LISTS * 2)  # twice: companies with equal lists share a class
    ]
    notice_id, notice = _store(session, conds)
    match_notice(session=session, notice_id=notice_id, now=NOW)
    bulk = {
        m.company_id: _told(m) for m in session.exec(select(Match).where(Match.notice_id == notice_id)).all()
    }
    for company in companies:
        verdict = judge(judged_conditions(notice), profile_from_company(company), on=DAY, notice_region=None)
        if company.id not in bulk:
            assert verdict.status == "not_eligible"
            continue
        status, missing, unmet, _ = bulk[company.id]
        assert (status, missing, unmet) == (
            verdict.status, list(verdict.missing), [r.reason_zh for r in verdict.unmet],
        ), company.qualifications  # fmt: skip
        # one company at a time stores the engine's verdict, trace included
        match_company(session=session, company_id=company.id, now=NOW)
        single = session.exec(
            select(Match).where(Match.company_id == company.id, Match.notice_id == notice_id)
        ).one()
        assert _told(single) == bulk[company.id], company.qualifications
