"""SQL prefilter + bulk verdicts agree with the engine, through the real companies table (hypothesis).

Random profiles are registered as Company rows and a random notice is stored; ``match_notice`` then
filters in SQL and judges by class of inputs. For every company: no stored match means the engine
judges it not eligible (the filter only drops companies a hard condition rejects), and a stored
match holds the engine's own status and missing fields. ``match_company`` stores exactly the
engine's verdict. tests/rules/test_rules_sql.py checks the SQL alone on an in-memory table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from db_factories import deadline, store_notice
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from reminder.companies import create_company
from reminder.companies.profiles import company_fields_from_profile, profile_from_company
from reminder.db import CompanyCreate, Match
from reminder.extract import Condition, Notice
from reminder.matching import match_company, match_notice
from reminder.matching._match_notices import notice_region
from reminder.model import TZ, Scope
from reminder.rules import Profile, Qualification, judge, resolve_region
from reminder.rules.scope import judged_conditions

NOW = dt.datetime(2025, 1, 2, 9, 0, tzinfo=TZ)
REGIONS = [
    "萧山区",
    "杭州市",
    "浙江省",
    "杭州市余杭区",
    "宁波市",
    "江苏省",
    "北京市朝阳区",
    "北京市",
    "仙桃市",
    "中国",
    "臺灣桃園市",
]
#: notice scopes (Notice.scope): stored as the first, hard condition; None = unknown (请确认适用地区)
SCOPES = [
    None,
    Scope("全国", "全国"),
    Scope("浙江省", "浙江省"),
    Scope("杭州市", "浙江省杭州市"),
    Scope("萧山区", "浙江省杭州市萧山区"),
    Scope("北京市", "北京市"),
]
ISSUERS = [None, "杭州市科学技术局", "浙江省经济和信息化厅", "北京市科学技术委员会"]
MONEY = [0, 300, 500, 1999.5, 2000, 8000, 20000, 30000]
HEADCOUNTS = [0, 10, 299, 300, 301, 500, 1000]
RATIOS = [0, 2.5, 3, 10, 50]
DAYS = [dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 6, 30), dt.date(2026, 2, 28)]
FOUNDED = [
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 1),
    dt.date(2023, 6, 30),
    dt.date(2019, 1, 1),
    dt.date(2025, 1, 1),
]
QUALIFICATIONS = ["高新技术企业", "科技型中小企业", '专精特新"小巨人"企业', "规上企业"]
OPS = ["<=", "<", ">=", ">", "=="]

maybe = st.none().__or__


def _decimals(values: list[float]) -> st.SearchStrategy[Decimal | None]:
    return maybe(st.sampled_from(values).map(lambda v: Decimal(str(v))))


@st.composite
def qualifications(draw: st.DrawFn) -> tuple[Qualification, ...] | None:
    if draw(st.booleans()):
        return draw(st.sampled_from([None, ()]))
    names = draw(st.lists(st.sampled_from(QUALIFICATIONS), min_size=1, max_size=2, unique=True))
    return tuple(Qualification(n, draw(maybe(st.sampled_from(DAYS)))) for n in names)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    return Profile(
        name="甲",
        region=resolve_region(draw(st.sampled_from(REGIONS))),
        headcount=draw(maybe(st.sampled_from(HEADCOUNTS))),
        annual_revenue=draw(_decimals(MONEY)),
        total_assets=draw(_decimals(MONEY)),
        rd_expense_ratio=draw(_decimals(RATIOS)),
        founded_on=draw(maybe(st.sampled_from(FOUNDED))),
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
        group=draw(st.sampled_from([None, None, "g1", "g2"])),
    )


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    kind = draw(
        st.sampled_from(
            [
                "headcount",
                "money",
                "ratio",
                "age",
                "founded",
                "legal",
                "region",
                "qual",
                "credit",
                "industry",
                "applicant",
                "other",
            ]
        )
    )
    op = draw(st.sampled_from(OPS))
    if kind == "headcount":
        return _condition(draw, "headcount", op, draw(st.sampled_from(HEADCOUNTS)), "人")
    if kind == "money":
        field = draw(st.sampled_from(["annual_revenue", "total_assets"]))
        value, unit = draw(
            st.sampled_from([(v, "万元") for v in MONEY] + [(2, "亿元"), (3000000, "元"), ("2亿元", None)])
        )
        return _condition(draw, field, op, value, unit)
    if kind == "ratio":
        return _condition(draw, "rd_expense_ratio", op, draw(st.sampled_from(RATIOS)), "%")
    if kind == "age":
        value, unit = draw(st.sampled_from([(1, "年"), (2, "年"), (6, "个月")]))
        return _condition(draw, "company_age_years", op, value, unit)
    if kind == "founded":  # a day of FOUNDED itself (the bound's inclusion), or another
        value = draw(st.sampled_from(["2020-01-01", "2023-06-30", "2019-12-31"]) | st.sampled_from(FOUNDED))
        return _condition(draw, "founded_date", op, value if isinstance(value, str) else value.isoformat())
    if kind == "legal":
        return _condition(draw, "legal_person", "==", draw(st.booleans()))
    if kind == "region":
        names = st.sampled_from([*REGIONS, "本市", "本省"])
        return _condition(
            draw, "registered_region", "in", draw(names | st.lists(names, min_size=2, max_size=3))
        )
    if kind == "qual":
        value = draw(st.sampled_from([*QUALIFICATIONS, "专精特新中小企业", ["高新技术企业", "规上企业"]]))
        return _condition(
            draw, "qualification", draw(st.sampled_from(["has", "has", "not_has", "in"])), value
        )
    if kind == "credit":
        return _condition(draw, "credit", "==", "no_serious_violation")
    if kind == "industry":
        return _condition(draw, "industry", "in", ["汽车零部件", "生物医药"])
    if kind == "applicant":
        return _condition(
            draw, "applicant_type", "in", draw(st.sampled_from([["企业"], ["高等学校", "科研院所"]]))
        )
    return _condition(draw, "other", ">=", 60, "分")


def _notice(conds: list[Condition], day: dt.date, issuer: str | None, scope: Scope | None) -> Notice:
    return Notice(
        title="关于组织申报专项资金的通知", level="municipal", published=dt.date(2025, 1, 1), issuer=issuer,
        deadlines=(deadline(day.isoformat()),), conditions=tuple(conds), span=(0, 10), scope=scope,
    )  # fmt: skip


def _store(session: Session, notice: Notice) -> int:
    return store_notice(session, notice, NOW)


# 中国 alone in an any-of group: a company in 台湾 is outside it for the engine, so bulk matching must not
# read "only 中国 named" as "every company passes" (found by hypothesis)
@example(
    companies=[
        Profile(name="甲", region=resolve_region("臺灣桃園市")),
        Profile(name="乙", region=resolve_region("萧山区")),
    ],
    conds=[
        Condition(field="rd_expense_ratio", op="<=", value=0, unit="%", quote="研发", hard=True, group="g1"),
        Condition(
            field="registered_region", op="in", value="中国", unit=None, quote="中国", hard=True, group="g1"
        ),
    ],
    day=DAYS[0],
    issuer=None,
    scope=None,
)
# companies classed by what the qualification condition makes of their lists (present, expired, absent,
# not filled in, 无): each keeps its own status and missing fields
@example(
    companies=[
        Profile(name="甲", region=resolve_region("萧山区"), qualifications=q)
        for q in [
            None,
            (),
            (Qualification("高新技术企业", DAYS[3]),),
            (Qualification("高新技术企业", DAYS[0]),),
            (Qualification("高新技术企业", None),),
            (Qualification("科技型中小企业", DAYS[3]),),
            (Qualification('专精特新"小巨人"企业', DAYS[0]),),
        ]
    ],
    conds=[
        Condition(field="qualification", op="has", value="高新技术企业", unit=None, quote="高新", hard=True, group="g1"),
        Condition(field="qualification", op="in", value=["专精特新中小企业", "规上企业"], unit=None, quote="专精特新",
                  hard=True, group="g1"),
        Condition(field="qualification", op="not_has", value="科技型中小企业", unit=None, quote="科小", hard=True,
                  group=None),
    ],
    day=DAYS[1],
    issuer=None,
    scope=None,
)  # fmt: skip
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(
    companies=st.lists(profiles(), min_size=1, max_size=8),
    conds=st.lists(conditions(), min_size=1, max_size=5),
    day=st.sampled_from(DAYS),
    issuer=st.sampled_from(ISSUERS),
    scope=st.sampled_from(SCOPES),
)
def test_stored_verdicts_are_the_engines(
    session: Session,
    companies: list[Profile],
    conds: list[Condition],
    day: dt.date,
    issuer: str | None,
    scope: Scope | None,
) -> None:
    try:
        rows = [
            create_company(
                session=session,
                company_in=CompanyCreate(**company_fields_from_profile(p) | {"name": f"企业{i}"}),
                now=NOW,
            )
            for i, p in enumerate(companies)
        ]
        notice = _notice(conds, day, issuer, scope)
        notice_id = _store(session, notice)
        region = notice_region(issuer, "关于组织申报专项资金的通知", "municipal")
        judged = judged_conditions(notice)  # the scope, then the conditions: what matching stores
        fresh = {c.id: judge(judged, profile_from_company(c), on=day, notice_region=region) for c in rows}

        match_notice(session=session, notice_id=notice_id, now=NOW)
        stored = {
            m.company_id: m for m in session.exec(select(Match).where(Match.notice_id == notice_id)).all()
        }
        for company in rows:
            verdict = fresh[company.id]
            if company.id not in stored:
                assert verdict.status == "not_eligible", ("dropped but", verdict.to_json())
            else:
                match = stored[company.id]
                assert (match.status, match.missing) == (verdict.status, list(verdict.missing)), (
                    verdict.to_json()
                )

        for company in rows:
            match_company(session=session, company_id=company.id, now=NOW)
            match = session.exec(select(Match).where(Match.company_id == company.id)).one()
            verdict = fresh[company.id]
            assert (match.status, match.missing, match.unmet) == (
                verdict.status, list(verdict.missing), [r.reason_zh for r in verdict.unmet],
            )  # fmt: skip
    finally:
        session.rollback()
