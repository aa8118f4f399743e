"""Browser test of issue 13: an enterprise sees what a call is worth and how to apply, on its page's
card and on the notice page, and sorts its notices by benefit. Debian's chromium driven by Playwright,
against the real server of ``test_browser`` (same fixtures: uvicorn in a thread, sample notices, the
clock at 2025-03-01 09:00); skips where chromium is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_browser as browser
from facts_fixtures import (
    AWARD,
    AWARD_LABEL,
    AWARD_SOURCE,
    SMART,
    SMART_BENEFIT,
    SMART_FIRST_STEP,
    SMART_LABEL,
    SMART_SOURCE,
    award_facts,
    smart_facts,
    store,
    with_facts,
)
from test_browser import CHROMIUM, NOW, Service, Shots, _register, playwright_api

# test_browser's fixtures, used here by name: the server with the sample notices, chromium, a page
service, chromium, page = browser.service, browser.chromium, browser.page

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Debian's chromium is not installed at {CHROMIUM} (`make test` installs it with apt-get when it can)",
)


@pytest.fixture(scope="module")
def facts_notices(service: Service) -> dict[str, int]:
    """Two calls with known facts: SMART (up to 300 万, due 3月31日) and AWARD (20 万, due 3月20日)."""
    return {
        "smart": store(service.engine, with_facts(SMART, SMART_SOURCE, smart_facts), NOW, service.settings),
        "award": store(service.engine, with_facts(AWARD, AWARD_SOURCE, award_facts), NOW, service.settings),
    }


def _ours(page: Any, ids: dict[str, int]) -> list[int]:
    """Our two notices' ids in the order the company page shows their cards."""
    found = page.locator("article.match").evaluate_all("els => els.map(e => e.id)")
    return [int(i.removeprefix("notice-")) for i in found if int(i.removeprefix("notice-")) in ids.values()]


def test_benefit_and_how_to_apply_on_the_card_and_the_notice_page(
    page: Any, service: Service, facts_notices: dict[str, int], tmp_path: Path
) -> None:
    shot = Shots(page, tmp_path)
    company_id, token = _register(service, "杭州奖补浏览器测试科技有限公司")
    page.goto(f"{service.url}/c/{company_id}?token={token}")

    card = page.locator(f"#notice-{facts_notices['smart']}")
    playwright_api.expect(card.locator(".top-benefit")).to_have_text(SMART_LABEL)
    playwright_api.expect(card.locator(".first-step")).to_have_text(SMART_FIRST_STEP)
    playwright_api.expect(page.locator(f"#notice-{facts_notices['award']} .top-benefit")).to_have_text(
        AWARD_LABEL
    )
    card.scroll_into_view_if_needed()
    shot("card")

    assert _ours(page, facts_notices) == [facts_notices["award"], facts_notices["smart"]]  # sooner first
    with page.expect_navigation():
        page.click("#sort a:has-text('按支持金额')")
    assert page.url.endswith("?sort=benefit")
    assert _ours(page, facts_notices) == [facts_notices["smart"], facts_notices["award"]]  # larger first
    shot("sorted-by-benefit")

    with page.expect_navigation():
        page.locator(f"#notice-{facts_notices['smart']} a:has-text('查看通知详情')").click()
    assert page.url == f"{service.url}/notices/{facts_notices['smart']}"
    playwright_api.expect(page.locator("#benefits .benefit-label")).to_have_text([SMART_LABEL])
    assert SMART_BENEFIT in page.inner_text("#benefits")
    steps = page.locator("#how-to-apply ol.steps li").all_inner_texts()
    assert steps[0].startswith(SMART_FIRST_STEP) and "推荐/受理单位：所在区县经信局" in steps[1]
    assert "申报书、承诺书、审计报告（一式2份）" in page.inner_text("#how-to-apply .materials")
    assert page.get_attribute("#how-to-apply a[target=_blank]", "href") == "https://qy.example.gov.cn/apply"
    contacts = page.inner_text("#contacts")
    assert "王五" in contacts and "0571-87654321" in contacts and "wangwu@example.gov.cn" in contacts
    guide = page.locator("#attachments a", has_text="申报指南")
    assert guide.get_attribute("href") == "https://qy.example.gov.cn/files/guide.pdf"
    width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0, "the notice page scrolls sideways"
    shot("notice-page")

    page.goto(f"{service.url}/")
    assert SMART_LABEL in page.inner_text("table.notices")
    shot("home")


def test_pages_with_facts_fit_a_phone_and_have_no_serious_accessibility_violations(
    chromium: Any, service: Service, facts_notices: dict[str, int], tmp_path: Path
) -> None:
    from axe_playwright_python.base import AXE_SCRIPT

    company_id, token = _register(service, "杭州奖补手机测试科技有限公司")
    context = chromium.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{service.url}/c/{company_id}?token={token}")
        pages = {
            "company": f"{service.url}/c/{company_id}?sort=benefit",
            "notice": f"{service.url}/notices/{facts_notices['smart']}",
            "home": f"{service.url}/?sort=benefit",
        }
        problems: dict[str, Any] = {}
        for name, url in pages.items():
            page.goto(url)
            page.screenshot(path=str(tmp_path / f"{name}-375.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems[f"{name}: horizontal scroll"] = overflow
            small = page.evaluate(browser._SMALL_TARGETS)
            if small:
                problems[f"{name}: tap targets < 44px"] = small
            page.evaluate(AXE_SCRIPT)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [v["id"] for v in result["violations"] if v["impact"] in {"serious", "critical"}]
            if serious:
                problems[f"{name}: accessibility"] = serious
        assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
    finally:
        context.close()
