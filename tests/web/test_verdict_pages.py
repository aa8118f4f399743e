"""Pages group and label notices exactly as the verdicts say (issue 12, item 3).

The company page, the read-only view page and the API show the same verdict for every notice; 符合
never lists something to confirm or fill in, and a notice whose last deadline has passed is history.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_factories import HANGZHOU, NINGBO, SPARSE, bearer, register_api

from reminder.rules import VERDICT_LABELS_ZH

#: 不符合 notices are compact articles (class "match compact"): they are listed all the same
ARTICLE = re.compile(r'<article class="match(?: compact)?" id="notice-(\d+)">(.*?)</article>', re.S)


def _sections(html: str) -> dict[str, dict[int, str]]:
    found = {}
    for status in VERDICT_LABELS_ZH:
        section = re.search(
            rf'<section class="verdict verdict-{status}" id="{status}">(.*?)</section>', html, re.S
        )
        assert section is not None, status
        found[status] = {int(i): body for i, body in ARTICLE.findall(section.group(1))}
    return found


@pytest.mark.parametrize("profile", [HANGZHOU, SPARSE, NINGBO], ids=["full", "sparse", "ningbo"])
def test_every_notice_is_grouped_and_labelled_as_its_verdict(
    client: TestClient, profile: dict[str, Any]
) -> None:
    company_id, token = register_api(client, profile)
    matches = client.get(f"/api/companies/{company_id}/matches", headers=bearer(token)).json()
    items = matches if isinstance(matches, list) else matches.get("items", matches.get("matches", []))
    verdicts = {int(m["notice"]["id"]): m["status"] for m in items}
    assert verdicts, matches
    html = client.get(f"/c/{company_id}", headers=bearer(token)).text
    sections = _sections(html)
    shown = {notice_id: status for status, articles in sections.items() for notice_id in articles}
    assert shown == verdicts, "the page groups exactly as the verdicts say"
    for notice_id, body in sections["eligible"].items():
        assert "请人工确认" not in body and "需要补充的企业信息" not in body and "不满足的条件" not in body, (
            notice_id
        )
    for notice_id, body in sections["not_eligible"].items():
        assert "不满足的条件" in body, notice_id
    for status, articles in sections.items():
        heading = re.search(rf'<h2 class="{status}">([^（<]+)', html)
        assert heading is not None and heading.group(1) == VERDICT_LABELS_ZH[status]
        assert len(articles) == len([v for v in verdicts.values() if v == status])
