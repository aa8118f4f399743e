"""Traditional-character notices keep their title and also show it in simplified characters (issue 12, item 7)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_factories import HANGZHOU, bearer, register_api

from reminder.web.company.views import simplified_title


def test_simplified_title_only_for_traditional_titles() -> None:
    assert simplified_title("關于開展數字化轉型試點的通知") == "关于开展数字化转型试点的通知"
    assert simplified_title("关于开展数字化转型试点的通知") == ""
    assert simplified_title(None) == ""


def test_company_and_home_pages_show_the_simplified_title_under_the_original(client: TestClient) -> None:
    company_id, token = register_api(client, HANGZHOU)
    page = client.get(f"/c/{company_id}", headers=bearer(token)).text
    pairs = re.findall(
        r"<h3>([^<]*)</h3>\s*<p class=\"meta simplified\" lang=\"zh-Hans\">简体标题：([^<]*)</p>", page
    )
    assert pairs, "a traditional-character sample notice is listed"
    for original, simple in pairs:
        assert original != simple and simplified_title(original) == simple
    home = client.get("/").text
    assert "简体：" in home
