"""Company profiles in the database (SQLite and PostgreSQL): registration, updates, row ⇄ profile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import select

from reminder.companies.profiles import (
    EMAIL_CHANNEL_NAME,
    company_fields_from_profile,
    find_company,
    profile_from_company,
    register_company,
    update_company_profile,
)
from reminder.db import Company
from reminder.db.models import Channel
from reminder.errors import ProfileError
from reminder.rules import Qualification, parse_profile

CODE = "91330109MA2B3C4D5Q"  # valid check character
FULL = {
    "企业名称": "杭州萧然智能装备有限公司",
    "统一社会信用代码": CODE,
    "所在地区": "浙江杭州萧山",
    "所属行业": "汽车零部件",
    "行业标签": "智能制造；汽车零部件",
    "成立日期": "2012年5月18日",
    "职工人数": "320人",
    "年销售收入": "1.8亿元",
    "资产总额": "150000000元",
    "注册资本": "5000万",
    "研发费用占比": "4.5%",
    "研发人员占比": 18,
    "资质": "高企:2026-12-31；科小",
    "独立法人资格": "是",
    "信用状况良好": "是",
    "联系邮箱": "Zhang.Wei@XiaoRan.Example.CN",
}


def _channels(session, company_id: int) -> list[Channel]:
    return list(session.exec(select(Channel).where(Channel.company_id == company_id)).all())


def test_register_stores_codes_units_and_an_email_channel(session, now) -> None:
    company = register_company(session=session, data=FULL, now=now)
    session.commit()
    stored = session.get(Company, company.id)
    assert (stored.province_code, stored.city_code, stored.district_code) == ("330000", "330100", "330109")
    assert stored.region_name == "浙江省杭州市萧山区"
    assert (stored.annual_revenue, stored.total_assets, stored.registered_capital) == (
        18000.0,
        15000.0,
        5000.0,
    )
    assert (stored.headcount, stored.rd_expense_ratio, stored.rd_staff_ratio) == (320, 4.5, 18.0)
    assert stored.qualifications == [
        {"name": "科技型中小企业", "valid_until": None},
        {"name": "高新技术企业", "valid_until": "2026-12-31"},
    ]
    assert (stored.legal_person, stored.credit_ok, stored.founded_on) == ("是", True, dt.date(2012, 5, 18))
    assert stored.created_at == now
    [channel] = _channels(session, company.id)
    assert (channel.kind, channel.target, channel.name, channel.enabled) == (
        "email", "Zhang.Wei@xiaoran.example.cn", EMAIL_CHANNEL_NAME, True,
    )  # fmt: skip


def test_row_and_profile_round_trip(session, now) -> None:
    company = register_company(session=session, data=FULL, now=now)
    profile = profile_from_company(company)
    assert profile == parse_profile(FULL)
    assert profile.annual_revenue == Decimal("18000")
    assert profile.qualifications == (
        Qualification("科技型中小企业"),
        Qualification("高新技术企业", dt.date(2026, 12, 31)),
    )
    assert company_fields_from_profile(profile)["region_name"] == "浙江省杭州市萧山区"


@pytest.mark.parametrize(
    ("written", "stored", "read"), [(None, [], None), ("无", [{"name": "无", "valid_until": None}], ())]
)
def test_no_qualification_differs_from_not_filled_in(session, now, written, stored, read) -> None:
    data = {"name": "甲", "region": "杭州"} | ({"qualifications": written} if written else {})
    company = register_company(session=session, data=data, now=now)
    assert company.qualifications == stored
    assert profile_from_company(company).qualifications == read


def test_wrong_check_character_is_rejected_saying_so(session, now) -> None:
    with pytest.raises(ProfileError) as caught:
        register_company(session=session, data=FULL | {"统一社会信用代码": CODE[:-1] + "0"}, now=now)
    assert set(caught.value.errors) == {"credit_code"}
    assert "校验位错误：第18位应为“Q”" in caught.value.errors["credit_code"]
    assert session.exec(select(Company)).all() == []


def test_every_bad_field_is_reported_at_once(session, now) -> None:
    with pytest.raises(ProfileError) as caught:
        register_company(
            session=session, data={"职工人数": "-3", "联系邮箱": "not-an-email", "颜色": "蓝"}, now=now
        )
    assert set(caught.value.errors) == {"name", "region", "headcount", "contact_email", "颜色"}
    assert caught.value.errors["name"] == "企业名称：必填"
    assert "不能为负数" in caught.value.errors["headcount"]


def test_duplicates_are_profile_errors_not_integrity_errors(session, now) -> None:
    first = register_company(session=session, data=FULL, now=now)
    with pytest.raises(ProfileError) as caught:
        register_company(
            session=session, data={"name": "别的公司", "region": "杭州", "credit_code": CODE}, now=now
        )
    assert set(caught.value.errors) == {"credit_code"}
    assert f"已被“{first.name}”（编号 {first.id}）登记" in caught.value.errors["credit_code"]
    with pytest.raises(ProfileError, match="企业名称"):
        register_company(session=session, data={"name": FULL["企业名称"], "region": "杭州"}, now=now)
    session.commit()  # the session is still usable
    assert len(session.exec(select(Company)).all()) == 1


def test_update_changes_only_what_is_given(session, now) -> None:
    company = register_company(session=session, data=FULL, now=now)
    later = now + dt.timedelta(days=1)
    update_company_profile(
        session=session, company=company, data={"职工人数": 400, "region": "宁波市"}, now=later
    )
    session.commit()
    stored = session.get(Company, company.id)
    assert (stored.headcount, stored.city_code, stored.district_code, stored.region_name) == (
        400,
        "330200",
        None,
        "浙江省宁波市",
    )
    assert (stored.annual_revenue, stored.qualifications[1]["name"], stored.updated_at) == (
        18000.0,
        "高新技术企业",
        later,
    )

    update_company_profile(session=session, company=company, data={"年销售收入": "", "资质": "无"}, now=later)
    assert (company.annual_revenue, profile_from_company(company).qualifications) == (None, ())


def test_update_is_validated_and_leaves_the_company_alone_when_bad(session, now) -> None:
    company = register_company(session=session, data=FULL, now=now)
    other = register_company(
        session=session, data={"name": "乙", "region": "湖州", "credit_code": "91330502MA28C6E1XH"}, now=now
    )
    with pytest.raises(ProfileError) as caught:
        update_company_profile(
            session=session, company=company, data={"headcount": "很多", "region": "火星"}, now=now
        )
    assert set(caught.value.errors) == {"headcount", "region"}
    with pytest.raises(ProfileError, match="已被“乙”"):
        update_company_profile(
            session=session, company=company, data={"credit_code": other.credit_code}, now=now
        )
    assert (company.headcount, company.district_code, company.credit_code) == (320, "330109", CODE)


def test_the_email_channel_follows_the_contact_email(session, now) -> None:
    company = register_company(session=session, data={"name": "甲", "region": "杭州"}, now=now)
    assert _channels(session, company.id) == []
    update_company_profile(session=session, company=company, data={"联系邮箱": "a@example.com"}, now=now)
    update_company_profile(session=session, company=company, data={"联系邮箱": "b@example.com"}, now=now)
    [channel] = _channels(session, company.id)
    assert (channel.target, channel.enabled) == ("b@example.com", True)
    update_company_profile(session=session, company=company, data={"contact_email": None}, now=now)
    [channel] = _channels(session, company.id)
    assert (channel.target, channel.enabled) == ("b@example.com", False), "kept, disabled: its history stays"
    update_company_profile(session=session, company=company, data={"contact_email": "c@example.com"}, now=now)
    assert [(c.target, c.enabled) for c in _channels(session, company.id)] == [("c@example.com", True)]


def test_find_company_by_id_code_or_name(session, now) -> None:
    company = register_company(session=session, data=FULL, now=now)
    for ref in (company.id, str(company.id), CODE, CODE.lower(), FULL["企业名称"]):
        assert find_company(session=session, ref=ref) is company
    assert find_company(session=session, ref="不存在的公司") is None
