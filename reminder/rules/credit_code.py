"""The region a 统一社会信用代码 was issued in, and profile warnings when it disagrees with 所在地区.

Characters 3–8 of the code are the 行政区划代码 of the registering authority (GB 32100-2015): a
company registered by 杭州市萧山区市场监督管理局 has ``330109`` there. Codes retired since (a district
merged into another) fall back to their city, then their province.
"""

from __future__ import annotations

from reminder.extract.normalize import to_simplified

from .regions import Region, RegionError, region_by_code, region_path, region_within

__all__ = ["region_from_credit_code", "region_warnings"]


def region_from_credit_code(code: str | None) -> Region | None:
    """The registering authority's region, or None when the code is short or names no known region."""
    if not code:
        return None
    digits = to_simplified(code).strip().upper()[2:8]
    if len(digits) != 6 or not digits.isdigit():
        return None
    for candidate in (digits, digits[:4] + "00", digits[:2] + "0000"):
        try:
            return region_by_code(candidate)
        except RegionError:
            continue
    return None


def region_warnings(region: Region, credit_code: str | None) -> tuple[str, ...]:
    """A warning (Chinese) when the credit code was issued outside the stated region, else nothing.

    A code issued by a city authority for a company stated in one of its districts agrees.
    """
    issued = region_from_credit_code(credit_code)
    if issued is None or region_within(region, issued) or region_within(issued, region):
        return ()
    message = (
        f"统一社会信用代码第3–8位（{issued.code}）对应{region_path(issued)}，"
        f"与所在地区“{region_path(region)}”不一致，请核对（迁址企业可忽略）"
    )
    return (message,)
