"""Profiles: validation from mappings and CSV, every bad field reported, round trip."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from rules_case_utils import load_cases
from stdnum.cn import uscc

from reminder.errors import ProfileError
from reminder.rules import (
    Profile,
    Qualification,
    parse_profile,
    parse_profiles_csv,
    profile_to_dict,
    resolve_region,
)

CASES = load_cases("profiles.yaml")
BODY = "91330109MA27XK3P1"  # 17 characters: authority, type, region 330109, organisation code


def _valid_code() -> str:
    return BODY + uscc.calc_check_digit(BODY)


def _flipped_code() -> str:
    good = _valid_code()
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[-1])
    return good[:-1] + wrong


def _observed(profile: Profile, key: str) -> Any:
    if key == "region_code":
        return profile.region_code
    value = getattr(profile, key)
    if isinstance(value, Decimal):
        return str(value.normalize()) if value != value.to_integral_value() else str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if key == "qualifications" and value is not None:
        return [f"{q.name}:{q.valid_until}" if q.valid_until else q.name for q in value]
    return value


@pytest.mark.parametrize("case", CASES["valid"], ids=[c["name"] for c in CASES["valid"]])
def test_valid_profiles(case: dict[str, Any]) -> None:
    profile = parse_profile(case["input"])
    for key, expected in case["expect"].items():
        assert _observed(profile, key) == expected, key


@pytest.mark.parametrize("case", CASES["invalid"], ids=[c["name"] for c in CASES["invalid"]])
def test_invalid_profiles_report_every_bad_field(case: dict[str, Any]) -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile(case["input"])
    assert set(info.value.errors) == set(case["errors"]), info.value.errors
    for field, fragment in case["errors"].items():
        assert fragment in info.value.errors[field], info.value.errors[field]


def test_valid_credit_code_is_kept_compact() -> None:
    spaced = " ".join(_valid_code()[i : i + 6] for i in range(0, 18, 6)).lower()
    assert parse_profile({"name": "甲", "region": "杭州", "credit_code": spaced}).credit_code == _valid_code()


def test_wrong_check_digit_is_named() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile({"name": "甲", "region": "杭州", "credit_code": _flipped_code()})
    message = info.value.errors["credit_code"]
    assert "校验位错误" in message and f"“{_valid_code()[-1]}”" in message


def test_constructor_converts_and_validates() -> None:
    profile = Profile(name="甲", region=resolve_region("萧山"), annual_revenue="2亿元", headcount="30人")  # type: ignore[arg-type]
    assert profile.annual_revenue == Decimal(20000) and profile.headcount == 30
    with pytest.raises(ProfileError) as info:
        Profile(name="甲", region=resolve_region("萧山"), headcount=-1, rd_staff_ratio=Decimal(200))
    assert set(info.value.errors) == {"headcount", "rd_staff_ratio"}


def test_round_trip() -> None:
    profile = parse_profile(
        {
            "name": "甲公司",
            "region": "杭州市萧山区",
            "credit_code": _valid_code(),
            "industry": "生物医药",
            "industry_tags": ["医疗器械", "创新药"],
            "founded_on": "2018-05-20",
            "headcount": 320,
            "annual_revenue": "1.5亿元",
            "total_assets": 8000.25,
            "rd_expense_ratio": "4.5%",
            "qualifications": "高新技术企业:2026-12-31;科技型中小企业",
            "legal_person": True,
            "credit_ok": False,
            "contact_email": "hr@example.com",
        }
    )
    data = profile_to_dict(profile)
    assert data["region"] == "浙江省杭州市萧山区" and data["annual_revenue"] == 15000
    assert parse_profile(data) == profile
    assert profile.qualifications == (
        Qualification("科技型中小企业", None),
        Qualification("高新技术企业", dt.date(2026, 12, 31)),
    )


CSV = """\ufeff企业名称,统一社会信用代码,所在地区,职工人数,年销售收入,资质,成立日期,备注
甲公司,{good},杭州市萧山区,320,1.5亿元,高新技术企业:2026-12-31;科技型中小企业,2018-05-20,
乙公司,{bad},杭州市萧山区,50,500万元,,2020-01-01,

丙公司,,火星,-3,,,,
"丁公司
（多行名称）",,浙江省宁波市,10,,,2021-06-01,
戊公司,,朝阳区,10,,,,
甲公司,,杭州,1,,,,
己公司,,杭州,1,,,,,多余
庚公司,,上海市浦东新区,1200,8亿元,国高,2010年1月1日,
"""


def test_csv_import_reports_bad_rows_with_line_numbers() -> None:
    profiles, problems = parse_profiles_csv(CSV.format(good=_valid_code(), bad=_flipped_code()))
    assert [p.name for p in profiles] == ["甲公司", "丁公司\n（多行名称）", "庚公司"]
    assert profiles[2].region_code == "310115" and profiles[2].annual_revenue == Decimal(80000)
    assert profiles[2].qualifications == (Qualification("高新技术企业"),)
    lines = {line: reason for line, reason in problems}
    assert sorted(lines) == [1, 3, 5, 8, 9, 10]
    assert "备注" in lines[1]  # unknown column: reported, ignored
    assert "校验位错误" in lines[3]
    assert "火星" in lines[5] and "不能为负数" in lines[5]
    assert "北京市朝阳区" in lines[8]
    assert "与第 2 行重复" in lines[9]
    assert "多余" in lines[10]


def test_csv_english_headers_and_tabs() -> None:
    text = "name\tregion\theadcount\tqualifications\nA Ltd\t杭州\t12\t无\n"
    profiles, problems = parse_profiles_csv(text)
    assert problems == [] and profiles[0].headcount == 12 and profiles[0].qualifications == ()


def test_csv_without_required_columns() -> None:
    profiles, problems = parse_profiles_csv("职工人数,年销售收入\n10,100\n")
    assert profiles == [] and problems == [(1, "缺少必填列：企业名称、所在地区")]
