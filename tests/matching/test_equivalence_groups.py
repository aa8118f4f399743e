"""Judging by class of equal inputs gives every company exactly the verdict judged company by company.

Companies are drawn from a few profiles (so classes hold several companies) plus one-off ones, and
stored; a notice with random conditions is stored. ``match_notice`` groups the candidates by the
inputs its conditions read, judges one per class and writes each class's verdict inside the database.
For every candidate it stores, ``match_company`` (one company, judged by the engine directly) must
store the same status, missing fields, unmet reasons and trace; and a bulk import's matching
(``match_new_companies``, limited to the new companies) must store exactly what ``match_notice`` does.
Hypothesis draws the profiles and conditions; SQLite here (tests/db/test_matching_prefilter.py checks
the SQL prefilter on both databases).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlmodel import Session, select

from reminder.companies.profiles import company_fields_from_profile, insert_companies
from reminder.db import CompanyCreate, Match, match_counts, save_document
from reminder.db.match_counts import fold_pending_counts, rebuild_counts
from reminder.db.models import MatchCount
from reminder.matching import match_company, match_new_companies, match_notice
from reminder.model import TZ, Condition, Deadline, Document, Notice, Scope
from reminder.rules import Profile, Qualification, resolve_region

NOW = dt.datetime(2025, 1, 2, 9, 0, tzinfo=TZ)
DAY = dt.date(2025, 6, 30)
REGIONS = [
    "萧山区",
    "杭州市余杭区",
    "杭州市",
    "宁波市鄞州区",
    "浙江省",
    "江苏省苏州市",
    "北京市朝阳区",
    "臺灣桃園市",
]
SCOPES = [None, Scope("全国", "全国"), Scope("浙江省", "浙江省"), Scope("杭州市", "浙江省杭州市")]
QUALIFICATIONS = ["高新技术企业", "科技型中小企业", "规上企业"]
UNTIL = [None, dt.date(2024, 12, 31), dt.date(2025, 6, 30), dt.date(2027, 12, 31)]

maybe = st.none().__or__


@st.composite
def qualifications(draw: st.DrawFn) -> tuple[Qualification, ...] | None:
    if draw(st.booleans()):
        return draw(st.sampled_from([None, ()]))
    names = draw(st.lists(st.sampled_from(QUALIFICATIONS), min_size=1, max_size=2, unique=True))
    return tuple(Qualification(n, draw(st.sampled_from(UNTIL))) for n in names)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    def amount(values: list[float]) -> Decimal | None:
        return draw(maybe(st.sampled_from(values).map(lambda v: Decimal(str(v)))))

    return Profile(
        name="甲",
        region=resolve_region(draw(st.sampled_from(REGIONS))),
        headcount=draw(maybe(st.sampled_from([5, 120, 300, 301, 900]))),
        annual_revenue=amount([100, 1999.5, 2000, 30000]),
        total_assets=amount([50, 5000, 20000]),
        rd_expense_ratio=amount([0, 3, 12.5]),
        founded_on=draw(
            maybe(st.sampled_from([dt.date(2010, 5, 1), dt.date(2024, 6, 30), dt.date(2025, 1, 1)]))
        ),
        legal_person=draw(maybe(st.booleans())),
        credit_ok=draw(maybe(st.booleans())),
        qualifications=draw(qualifications()),
        industry=draw(maybe(st.sampled_from(["汽车零部件", "软件和信息技术服务业"]))),
        applicant_type=draw(st.sampled_from(["企业", "企业", "高等学校"])),
    )


def _condition(draw: st.DrawFn, field: str, op: str, value: Any, unit: str | None = None) -> Condition:
    return Condition(
        field=field,
        op=op,  # type: ignore[arg-type]
        value=value,
        unit=unit,
        quote=f"{field} {op} {value}",
        hard=draw(st.sampled_from([True, True, False])),
        group=draw(st.sampled_from([None, None, "g1"])),
    )


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    kind = draw(st.sampled_from(["headcount", "money", "ratio", "age", "founded", "legal", "region", "qual",
                                 "credit", "industry", "applicant", "other"]))  # fmt: skip
    op = draw(st.sampled_from(["<=", ">=", "<", ">"]))
    if kind == "headcount":
        return _condition(draw, "headcount", op, draw(st.sampled_from([300, 500])), "人")
    if kind == "money":
        field = draw(st.sampled_from(["annual_revenue", "total_assets"]))
        return _condition(draw, field, op, draw(st.sampled_from([2000, 20000])), "万元")
    if kind == "ratio":
        return _condition(draw, "rd_expense_ratio", op, 3, "%")
    if kind == "age":
        return _condition(draw, "company_age_years", op, draw(st.sampled_from([1, 2])), "年")
    if kind == "founded":
        return _condition(draw, "founded_date", op, draw(st.sampled_from(["2020-01-01", "2024-06-30"])))
    if kind == "legal":
        return _condition(draw, "legal_person", "==", True)
    if kind == "region":
        names = st.sampled_from(["杭州市", "萧山区", "浙江省", "本市", "北京市"])
        return _condition(
            draw, "registered_region", "in", draw(names | st.lists(names, min_size=2, max_size=3))
        )
    if kind == "qual":
        value = draw(st.sampled_from([*QUALIFICATIONS, ["高新技术企业", "规上企业"]]))
        return _condition(draw, "qualification", draw(st.sampled_from(["has", "not_has", "in"])), value)
    if kind == "credit":
        return _condition(draw, "credit", "==", "no_serious_violation")
    if kind == "industry":
        return _condition(draw, "industry", "in", ["汽车零部件", "生物医药"])
    if kind == "applicant":
        return _condition(draw, "applicant_type", "in", ["企业"])
    return _condition(draw, "other", ">=", 60, "分")


def _store_notice(session: Session, conds: list[Condition], scope: Scope | None) -> int:
    notice = Notice(
        title="关于组织申报专项资金的通知", level="municipal", published=dt.date(2025, 1, 1),
        issuer="杭州市科学技术局", deadlines=(Deadline(DAY, None, "application", "6月30日前提交"),),
        conditions=tuple(conds), span=(0, 10), scope=scope,
    )  # fmt: skip
    doc = Document(
        source="https://example.gov.cn/a.html", text="正文" * 20, notices=(notice,),
        content_hash=secrets.token_hex(32),
    )  # fmt: skip
    (notice_id,) = save_document(session=session, doc=doc, now=NOW).notice_ids
    return notice_id


def _stored(session: Session, notice_id: int) -> dict[int, tuple[Any, ...]]:
    rows = session.exec(select(Match).where(Match.notice_id == notice_id)).all()
    return {m.company_id: (m.status, m.missing, m.unmet, m.trace) for m in rows}


def _counts(session: Session) -> dict[int, tuple[int, int, int]]:
    """The counts once the worker's counts job added the queued notices (every new notice is queued
    here: ``QUEUED_FROM`` is 1)."""
    fold_pending_counts(session)
    return {c.company_id: (c.eligible, c.possible, c.total) for c in session.exec(select(MatchCount)).all()}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(
    shared=st.lists(profiles(), min_size=1, max_size=3),
    copies=st.lists(st.integers(min_value=0, max_value=2), min_size=6, max_size=12),
    single=st.lists(profiles(), max_size=4),
    conds=st.lists(conditions(), min_size=1, max_size=5),
    scope=st.sampled_from(SCOPES),
)
def test_class_verdicts_are_the_per_company_verdicts(
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    shared: list[Profile],
    copies: list[int],
    single: list[Profile],
    conds: list[Condition],
    scope: Scope | None,
) -> None:
    monkeypatch.setattr(match_counts, "QUEUED_FROM", 1)  # as a 全国 notice: its counts wait for the worker
    try:
        drawn = [shared[i % len(shared)] for i in copies] + single
        companies = [
            CompanyCreate(**company_fields_from_profile(p) | {"name": f"企业{i}"})
            for i, p in enumerate(drawn)
        ]
        ids = insert_companies(session=session, rows=companies, now=NOW)
        notice_id = _store_notice(session, conds, scope)

        match_new_companies(session=session, company_ids=ids, now=NOW)  # an import's bulk matching
        imported, imported_counts = _stored(session, notice_id), _counts(session)
        session.execute(delete(Match))
        rebuild_counts(session)

        match_notice(session=session, notice_id=notice_id, now=NOW)  # grouped by class
        grouped = _stored(session, notice_id)
        assert imported == grouped
        assert imported_counts == _counts(session)

        for company_id, row in grouped.items():
            match_company(session=session, company_id=company_id, now=NOW)  # one company, one verdict
            alone = _stored(session, notice_id)[company_id]
            regional = any(c.field == "registered_region" for c in conds) or scope is not None
            if regional:  # an unmet region names the company's division at the notice's depth
                assert (alone[0], alone[1], alone[3]) == (row[0], row[1], row[3])
            else:
                assert alone == row
    finally:
        session.rollback()
