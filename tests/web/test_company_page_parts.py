"""The company page as a long list reads: 符合 and 可能符合 in full with every condition, 不符合 compact
(its first unmet condition, the rest one click away), and the same verdicts as the matching service
whatever shortcuts are taken (matching/company_verdicts.py, verdict_html.py, the API's joined JSON)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any

import pytest
from api_json_plain import matches_json
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlmodel import Session
from web_factories import HANGZHOU, NINGBO, NOW, SPARSE, bearer, register_api

from reminder.matching import VERDICT_ORDER, MatchView, company_matches
from reminder.matching._match_notices import local_day
from reminder.matching.company_view import load_company_view
from reminder.web.api.company_schemas import MatchOut
from reminder.web.api.views import match_out
from reminder.web.company import verdict_html
from reminder.web.company.facts import benefit_key, facts_of
from reminder.web.company.verdict_html import Fragments

ARTICLE = re.compile(r'<article class="match( compact)?" id="notice-(\d+)">(.*?)</article>', re.S)


def _section(html: str, status: str) -> str:
    found = re.search(rf'<section class="verdict verdict-{status}" id="{status}">(.*?)</section>', html, re.S)
    assert found is not None, f"no {status} section"
    return found.group(1)


def _articles(section: str) -> dict[int, tuple[bool, str]]:
    """notice id → (compact, its HTML)."""
    return {int(i): (bool(compact), body) for compact, i, body in ARTICLE.findall(section)}


def _shown(view: Any) -> tuple[Any, ...]:
    """What the page, the API and the feed show of one MatchView."""
    return (
        view.notice.id, view.status, [r.reason_zh for r in view.results], [r.status for r in view.results],
        [r.quote for r in view.results], view.missing, [r.reason_zh for r in view.unmet],
        [r.quote for r in view.manual], view.next_deadline.id if view.next_deadline else None, view.days_left,
        [d.id for d in view.deadlines], view.judged_on, view.open,
    )  # fmt: skip


def _plain(session: Session, company_id: int, include_past: bool) -> list[MatchView]:
    """The reference: each notice judged and combined on its own by the engine, then sorted by verdict
    and next deadline (company_matches shares what it can between notices and companies)."""
    seen = load_company_view(session=session, company_id=company_id, now=NOW, include_past=include_past)
    views = []
    for j in seen.judgings:
        verdict = seen.judge.verdict(j)
        deadlines = seen.deadlines[j.notice_id]
        dated = sorted((d for d in deadlines if d.at is not None), key=lambda d: (d.at, d.id or 0))
        following = next((d for d in dated if d.at is not None and d.at > NOW), None)
        days_left = None
        if following is not None and following.date is not None:
            days_left = (following.date - local_day(NOW)).days
        views.append(
            MatchView(
                notice=seen.notices[j.notice_id],
                verdict=verdict,
                status=verdict.status,
                next_deadline=following,
                days_left=days_left,
                deadlines=tuple(dated + [d for d in deadlines if d.at is None]),
                results=verdict.results,
                missing=verdict.missing,
                unmet=verdict.unmet,
                manual=verdict.manual,
                judged_on=j.on,
                open=j.notice_id in seen.open_ids,
            )  # fmt: skip
        )
    latest = dt.datetime.max.replace(tzinfo=dt.UTC)

    def order(v: MatchView) -> tuple[int, bool, dt.datetime, int]:
        upcoming = v.next_deadline.at if v.next_deadline is not None else None
        return (VERDICT_ORDER.index(v.status), upcoming is None, upcoming or latest, v.notice.id or 0)

    return sorted(views, key=order)


#: founded between the sample notices' deadlines: it existed on some judging days and not on others
YOUNG = SPARSE | {"name": "杭州新成立科技有限公司", "founded_on": "2025-03-20"}


@pytest.mark.parametrize(
    "profile", [HANGZHOU, SPARSE, NINGBO, YOUNG], ids=["full", "sparse", "ningbo", "founded-in-between"]
)
def test_every_notice_is_judged_as_the_engine_judges_it_alone(
    client: TestClient, profile: dict[str, Any]
) -> None:
    company_id, _ = register_api(client, profile)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        for past in (False, True):
            plain = _plain(session, company_id, past)
            fast = company_matches(session=session, company_id=company_id, now=NOW, include_past=past)
            assert [_shown(v) for v in fast] == [_shown(v) for v in plain]
            assert {v.status for v in plain} >= {"not_eligible"} or profile is HANGZHOU
            if profile is YOUNG:  # both sides of its founding day, so both ways of grouping are read
                exists = [r.status for v in plain for r in v.verdict.unmet if "尚未成立" in r.reason_zh]
                assert exists and len(exists) < len(plain)
            # the API's joined JSON is what the response model wrote from the plain views
            written = TypeAdapter(list[MatchOut]).dump_json([match_out(v, NOW) for v in plain], by_alias=True)
            assert matches_json([(vars(v), vars(v)) for v in fast], NOW, {}, Fragments()) == written


def test_not_eligible_notices_are_compact_and_the_others_show_every_condition(client: TestClient) -> None:
    company_id, token = register_api(client, NINGBO)
    html = client.get(f"/c/{company_id}", headers=bearer(token)).text
    verdicts = {
        m["notice"]["id"]: m
        for m in client.get(f"/api/companies/{company_id}/matches", headers=bearer(token)).json()
    }
    not_eligible = _articles(_section(html, "not_eligible"))
    assert not_eligible and set(not_eligible) == {
        i for i, m in verdicts.items() if m["status"] == "not_eligible"
    }
    assert "不符合的通知只列出第一项不满足的条件" in _section(html, "not_eligible")
    for notice_id, (compact, body) in not_eligible.items():
        assert compact, notice_id
        first = verdicts[notice_id]["unmet"][0]
        assert "不满足的条件" in body and html_lib.escape(first["reason_zh"], quote=False) in body
        assert 'class="evidence"' not in body, "the full trace is one click away, not on the list"
        assert f'href="?detail=all#notice-{notice_id}"' in body and "查看全部条件与判断依据" in body
        assert "<h3>" in body, "the notice's title is shown"
    shown_in_full = 0
    for status in ("eligible", "possibly_eligible"):
        for notice_id, (compact, body) in _articles(_section(html, status)).items():
            assert not compact and 'class="evidence"' in body, notice_id
            for result in verdicts[notice_id]["results"]:
                assert html_lib.escape(result["reason_zh"], quote=False) in body
            shown_in_full += 1
    assert shown_in_full == len(verdicts) - len(not_eligible)

    full = client.get(f"/c/{company_id}?detail=all", headers=bearer(token)).text
    for notice_id, (compact, body) in _articles(_section(full, "not_eligible")).items():
        assert not compact and 'class="evidence"' in body and "满足" in body, notice_id
        for result in verdicts[notice_id]["results"]:
            assert html_lib.escape(result["reason_zh"], quote=False) in body
        for result in verdicts[notice_id]["unmet"]:
            assert html_lib.escape(result["reason_zh"], quote=False) in body


def test_the_view_links_detail_link_keeps_its_token(client: TestClient) -> None:
    company_id, token = register_api(client, NINGBO)
    page = client.get(f"/c/{company_id}", headers=bearer(token)).text
    link = re.search(r'value="http://testserver(/v/\d+\?token=[0-9a-f]+)"', page)
    assert link is not None
    viewer = TestClient(client.app, base_url="http://testserver")
    view = viewer.get(link.group(1)).text
    found = re.search(r'<a href="([^"]+)#not_eligible">显示全部条件与判断依据</a>', view)
    assert found is not None
    href = html_lib.unescape(found.group(1))
    assert "token=" in href and "detail=all" in href
    full = viewer.get(link.group(1).split("?")[0] + href)
    assert full.status_code == 200 and "只读查看页" in full.text
    assert all(not compact for compact, _ in _articles(_section(full.text, "not_eligible")).values())


def test_each_company_page_links_its_own_profile_though_the_lines_are_shared(client: TestClient) -> None:
    first = register_api(client, SPARSE)
    second = register_api(client, SPARSE | {"name": "杭州未填写二号科技有限公司"})
    for company_id, token in (first, second):
        html = client.get(f"/c/{company_id}", headers=bearer(token)).text
        links = re.findall(r'href="/c/(\d+)/profile#(\w+)">填写', html)
        assert links, "a sparse profile is asked to fill in fields"
        assert {int(c) for c, _ in links} == {company_id}


def test_a_long_section_lists_its_first_notices_and_links_to_all(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verdict_html, "SECTION_LIMIT", 1)
    company_id, token = register_api(client, NINGBO)
    verdicts = client.get(f"/api/companies/{company_id}/matches", headers=bearer(token)).json()
    statuses = [m["status"] for m in verdicts]
    long = {s for s in set(statuses) if statuses.count(s) > 1}
    assert long, "the sample notices give a section of two or more"
    html = client.get(f"/c/{company_id}", headers=bearer(token)).text
    full = client.get(f"/c/{company_id}?detail=all", headers=bearer(token)).text
    for status in long:
        total = statuses.count(status)
        section = _section(html, status)
        assert f"（{total}）</h2>" in section, "the heading counts every notice of the section"
        assert len(_articles(section)) == 1
        assert f"共 {total} 条，以上是前 1 条" in section
        assert f'<a href="?detail=all#{status}">显示全部 {total} 条</a>' in section
        everything = _articles(_section(full, status))
        assert set(everything) == {m["notice"]["id"] for m in verdicts if m["status"] == status}
        assert "显示全部" not in _section(full, status)


def test_the_matches_api_pages_on_request_and_answers_as_before_otherwise(client: TestClient) -> None:
    company_id, token = register_api(client, NINGBO)
    url = f"/api/companies/{company_id}/matches"
    whole = client.get(url, headers=bearer(token))
    assert whole.status_code == 200 and isinstance(whole.json(), list)
    everything = whole.json()
    assert len(everything) >= 3 and whole.headers["X-Total-Count"] == str(len(everything))
    assert "Link" not in whole.headers
    pages: list[Any] = []
    next_url: str | None = f"{url}?limit=2"
    while next_url is not None:
        reply = client.get(next_url, headers=bearer(token))
        assert reply.status_code == 200 and reply.headers["X-Total-Count"] == str(len(everything))
        assert 1 <= len(reply.json()) <= 2
        pages += reply.json()
        link = reply.headers.get("Link")
        next_url = re.match(r"<([^>]+)>; rel=\"next\"", link).group(1) if link else None  # type: ignore[union-attr]
    assert pages == everything, "the pages in turn are the whole list, in its order"
    past = client.get(f"{url}?include_past=true&limit=1", headers=bearer(token))
    assert "include_past=true" in past.headers["Link"]
    assert client.get(f"{url}?limit=0", headers=bearer(token)).status_code == 422
    assert client.get(f"{url}?offset=999", headers=bearer(token)).json() == []


@pytest.mark.parametrize("sort", ["days", "benefit"])
@pytest.mark.parametrize("profile", [HANGZHOU, SPARSE, NINGBO], ids=["full", "sparse", "ningbo"])
def test_each_section_lists_its_open_notices_in_the_chosen_order(
    client: TestClient, profile: dict[str, Any], sort: str
) -> None:
    """The page makes MatchViews only for what it shows (company_verdicts): its sections hold the plain
    views' open notices of that verdict, soonest deadline first, or largest benefit first."""
    company_id, token = register_api(client, profile)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        plain = _plain(session, company_id, True)

    def soonest(v: MatchView) -> tuple[bool, dt.date, int]:
        day = v.next_deadline.date if v.next_deadline is not None else None
        return (v.next_deadline is None, day or dt.date.max, v.notice.id or 0)

    html = client.get(f"/c/{company_id}?detail=all&sort={sort}", headers=bearer(token)).text
    shown = 0
    for status in VERDICT_ORDER:
        expected = sorted((v for v in plain if v.open and v.status == status), key=soonest)
        if sort == "benefit":
            expected.sort(key=lambda v: benefit_key(facts_of(v.notice).benefits))
        listed = [int(i) for _, i, _ in ARTICLE.findall(_section(html, status))]
        assert listed == [v.notice.id for v in expected], status
        shown += len(listed)
    assert shown == len([v for v in plain if v.open]) > 0
