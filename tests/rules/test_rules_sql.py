"""The SQL prefilter keeps exactly the companies ``judge`` does not reject (hypothesis + real SQLite)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    insert,
    select,
)

from reminder.model import Condition
from reminder.rules import Profile, compile_prefilter, judge, region_codes, resolve_region

METADATA = MetaData()
COMPANIES = Table(
    "companies",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("headcount", Integer),
    Column("annual_revenue", Float),
    Column("total_assets", Float),
    Column("registered_capital", Float),
    Column("rd_expense_ratio", Float),
    Column("rd_staff_ratio", Float),
    Column("founded_on", Date),
    Column("legal_person", Boolean),
    Column("province_code", String(6)),
    Column("city_code", String(6)),
    Column("district_code", String(6)),
)
ENGINE = create_engine("sqlite://")
METADATA.create_all(ENGINE)
COLUMNS = {c.name: c for c in COMPANIES.columns}

REGIONS = [
    "萧山区",
    "杭州市",
    "浙江省",
    "杭州市余杭区",
    "宁波市",
    "江苏省",
    "南京市",
    "北京市朝阳区",
    "北京市",
    "仙桃市",
    "中国",
    "浦东新区",
]
NOTICE_REGIONS = [None, "萧山区", "杭州市", "北京市", "江苏省"]
MONEY: list[float] = [0, 300, 500, 1999.5, 2000, 8000, 20000, 30000]
RATIOS: list[float] = [0, 2.5, 3, 10, 50, 100]
HEADCOUNTS = [0, 10, 299, 300, 301, 500, 1000]
DAYS = [
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 1),
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 1),
    dt.date(2022, 6, 30),
]
OPS = ["<=", "<", ">=", ">", "=="]

maybe = st.none().__or__


def decimals(values: list[float]) -> st.SearchStrategy[Decimal | None]:
    return maybe(st.sampled_from(values).map(lambda v: Decimal(str(v))))


dates = st.one_of(st.sampled_from(DAYS), st.dates(dt.date(2018, 1, 1), dt.date(2026, 12, 31)))


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    return Profile(
        name="甲",
        region=resolve_region(draw(st.sampled_from(REGIONS))),
        headcount=draw(maybe(st.sampled_from(HEADCOUNTS))),
        annual_revenue=draw(decimals(MONEY)),
        total_assets=draw(decimals(MONEY)),
        registered_capital=draw(decimals(MONEY)),
        rd_expense_ratio=draw(decimals(RATIOS)),
        rd_staff_ratio=draw(decimals(RATIOS)),
        founded_on=draw(maybe(dates)),
        legal_person=draw(maybe(st.booleans())),
    )


def _condition(field: str, op: str, value: Any, unit: str | None, draw: st.DrawFn) -> Condition:
    return Condition(
        field=field,
        op=op,  # type: ignore[arg-type]
        value=value,
        unit=unit,
        quote=f"{field} {op} {value}",
        hard=draw(st.booleans().map(lambda soft: not soft) | st.just(True)),
        group=draw(st.sampled_from([None, None, "g1", "g2"])),
    )


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    kind = draw(
        st.sampled_from(["headcount", "money", "ratio", "age", "founded", "legal_person", "region", "other"])
    )
    op = draw(st.sampled_from(OPS))
    if kind == "headcount":
        return _condition("headcount", op, draw(st.sampled_from(HEADCOUNTS)), "人", draw)
    if kind == "money":
        field = draw(st.sampled_from(["annual_revenue", "total_assets", "registered_capital"]))
        value, unit = draw(
            st.sampled_from([(v, "万元") for v in MONEY] + [(2, "亿元"), (3000000, "元"), ("2亿元", None)])
        )
        return _condition(field, op, value, unit, draw)
    if kind == "ratio":
        field = draw(st.sampled_from(["rd_expense_ratio", "rd_staff_ratio"]))
        return _condition(field, op, draw(st.sampled_from(RATIOS)), "%", draw)
    if kind == "age":
        value, unit = draw(st.sampled_from([(0.5, "年"), (1, "年"), (2, "年"), (3, "年"), (6, "个月")]))
        return _condition("company_age_years", op, value, unit, draw)
    if kind == "founded":  # the day itself, a day around the profiles' dates, or unreadable (manual)
        value = draw(
            st.sampled_from(["2020-01-01", "2022-12-31", "2024-02-29", "2018-01-01", "年底"]) | dates
        )
        return _condition(
            "founded_date", op, value if isinstance(value, str) else value.isoformat(), None, draw
        )
    if kind == "legal_person":
        return _condition("legal_person", "==", draw(st.booleans()), None, draw)
    if kind == "region":
        names = st.sampled_from([*REGIONS, "本市", "本省", "朝阳区"])
        value = draw(names | st.lists(names, min_size=2, max_size=3))
        return _condition("registered_region", "in", value, None, draw)
    return _condition("other", ">=", 5000, "万元", draw)


def _row(i: int, profile: Profile) -> dict[str, Any]:
    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {
        "id": i,
        "headcount": profile.headcount,
        "annual_revenue": num(profile.annual_revenue),
        "total_assets": num(profile.total_assets),
        "registered_capital": num(profile.registered_capital),
        "rd_expense_ratio": num(profile.rd_expense_ratio),
        "rd_staff_ratio": num(profile.rd_staff_ratio),
        "founded_on": profile.founded_on,
        "legal_person": profile.legal_person,
        **region_codes(profile.region),
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    companies=st.lists(profiles(), min_size=1, max_size=8),
    conds=st.lists(conditions(), min_size=1, max_size=5),
    on=st.sampled_from(DAYS),
    notice=st.sampled_from(NOTICE_REGIONS),
)
def test_prefilter_agrees_with_judge(
    companies: list[Profile], conds: list[Condition], on: dt.date, notice: str | None
) -> None:
    notice_region = resolve_region(notice) if notice else None
    with ENGINE.begin() as conn:
        conn.execute(delete(COMPANIES))
        conn.execute(insert(COMPANIES), [_row(i, p) for i, p in enumerate(companies)])
        where = compile_prefilter(conds, COLUMNS, on=on, notice_region=notice_region)
        kept = set(conn.execute(select(COMPANIES.c.id).where(where)).scalars())
    for i, profile in enumerate(companies):
        verdict = judge(conds, profile, on=on, notice_region=notice_region)
        assert (i in kept) == (verdict.status != "not_eligible"), (
            verdict.status,
            [r.reason_zh for r in verdict.results],
        )


def test_prefilter_sql_shape() -> None:
    conds = [
        Condition("headcount", "<=", 500, "人", "职工总数不超过500人"),
        Condition("registered_region", "in", "杭州市", None, "杭州市"),
        Condition("company_age_years", ">=", 1, "年", "成立一年以上"),
        Condition("qualification", "has", "高新技术企业", None, "高企"),
        Condition("rd_expense_ratio", ">=", 3, "%", "原则上不低于3%", hard=False),
    ]
    sql = str(
        compile_prefilter(conds, COLUMNS, on=dt.date(2025, 3, 1)).compile(
            compile_kwargs={"literal_binds": True}
        )
    )
    assert "companies.headcount IS NULL OR companies.headcount <= 500" in sql
    assert "companies.city_code = '330100'" in sql and "companies.province_code = '330000'" in sql
    assert "companies.founded_on <= '2024-03-01'" in sql
    assert "rd_expense_ratio" not in sql  # soft: never filtered


def test_prefilter_without_conditions_keeps_everyone() -> None:
    with ENGINE.begin() as conn:
        conn.execute(delete(COMPANIES))
        conn.execute(insert(COMPANIES), [{"id": 1}, {"id": 2}])
        kept = conn.execute(
            select(COMPANIES.c.id).where(compile_prefilter([], COLUMNS, on=dt.date(2025, 1, 1)))
        )
        assert sorted(kept.scalars()) == [1, 2]


@pytest.mark.parametrize("notice", [None, "宁波市"])
def test_benshi_depends_on_notice_region(notice: str | None) -> None:
    cond = [Condition("registered_region", "in", "本市", None, "本市企业")]
    where = compile_prefilter(
        cond, COLUMNS, on=dt.date(2025, 1, 1), notice_region=resolve_region(notice) if notice else None
    )
    sql = str(where.compile(compile_kwargs={"literal_binds": True}))
    assert ("330200" in sql) == (notice is not None)
