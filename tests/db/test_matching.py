"""Matching through the database, on SQLite and PostgreSQL: stored notices × registered companies.

The case file (cases/matching.yaml) covers each verdict, operator, unit, region level, any-of group,
soft condition, expired qualification and age on the deadline date, in both directions. The tests
below cover what a case row cannot: incremental updates, stale matches, drafts, the company view,
and the real seed notices.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from db_factories import condition, deadline, tba_deadline
from sqlmodel import Session, select

from reminder.companies.csv_import import import_profiles
from reminder.companies.profiles import (
    find_company,
    profile_from_company,
    register_company,
    update_company_profile,
)
from reminder.db import Match, NoticeRow, save_document
from reminder.errors import NotFoundError
from reminder.extract import Document, Notice, extract
from reminder.matching import company_matches, match_company, match_notice
from reminder.model import TZ, Scope
from reminder.rules import judge

HERE = Path(__file__).resolve().parent
CASES: dict[str, Any] = yaml.safe_load((HERE / "cases" / "matching.yaml").read_text(encoding="utf-8"))
SAMPLES = HERE.parents[1] / "reminder" / "samples"
DEFAULT_DEADLINE = "2025-04-30"


def _notice_doc(
    name: str, conditions: list[dict[str, Any]], *, day: str = DEFAULT_DEADLINE, **kw: Any
) -> Document:
    conds = tuple(
        condition(
            c["field"], c["op"], c["value"], c.get("unit"), hard=c.get("hard", True), group=c.get("group")
        )
        for c in conditions
    )
    notice = Notice(
        title=kw.pop("title", f"关于开展{name}申报工作的通知"),
        level=kw.pop("level", "municipal"),
        published=dt.date(2025, 2, 20),
        issuer=kw.pop("issuer", None),
        deadlines=kw.pop("deadlines", (deadline(day),)),
        conditions=conds,
        span=(0, 100),
        scope=kw.pop("scope", Scope(name="全国", path="全国")),  # an unknown scope would be 可能符合
        **kw,
    )
    return Document(
        source=f"https://kj.example.gov.cn/{name}.html",
        text="通知正文" * 30,
        notices=(notice,),
        content_hash=secrets.token_hex(32),
        format="html",
    )


def _store(session: Session, doc: Document, now: dt.datetime, status: str = "published") -> int:
    result = save_document(session=session, doc=doc, now=now, status=status)
    (notice_id,) = result.notice_ids
    return notice_id


def _register(session: Session, now: dt.datetime) -> dict[str, int]:
    ids = {}
    for name, fields in CASES["companies"].items():
        company = register_company(session=session, data={"企业名称": name, **fields}, now=now)
        ids[name] = company.id
    return ids


def _stored(session: Session, notice_id: int, ids: dict[str, int]) -> dict[str, str]:
    """Each company's stored verdict on the notice; no match means not eligible."""
    rows = {m.company_id: m for m in session.exec(select(Match).where(Match.notice_id == notice_id)).all()}
    return {name: rows[i].status if i in rows else "not_eligible" for name, i in ids.items()}


@pytest.mark.parametrize("case", CASES["notices"], ids=[c["name"] for c in CASES["notices"]])
def test_case_file_verdicts_in_both_directions(session, case) -> None:
    now = CASES["now"]
    ids = _register(session, now)
    extra = {"issuer": case["issuer"]} if "issuer" in case else {}
    notice_id = _store(
        session,
        _notice_doc(
            case["name"], case["conditions"], day=str(case.get("deadline", DEFAULT_DEADLINE)), **extra
        ),
        now,
    )

    stats = match_notice(session=session, notice_id=notice_id, now=now)
    assert _stored(session, notice_id, ids) == case["expect"], "notice side (SQL prefilter + engine)"
    candidates = sum(status != "not_eligible" for status in case["expect"].values())
    assert stats.eligible + stats.possibly_eligible == candidates
    notice_side = {m.company_id: (m.missing, m.trace) for m in session.exec(select(Match)).all()}

    session.exec(sa.delete(Match))
    for company_id in ids.values():
        match_company(session=session, company_id=company_id, now=now)
    assert _stored(session, notice_id, ids) == case["expect"], "company side"

    for name, company_id in ids.items():
        [view] = [
            v
            for v in company_matches(session=session, company_id=company_id, now=now)
            if v.notice.id == notice_id
        ]
        stored = session.exec(
            select(Match).where(Match.company_id == company_id, Match.notice_id == notice_id)
        ).one()
        assert view.status == case["expect"][name]
        assert (stored.missing, stored.unmet) == (list(view.missing), [r.reason_zh for r in view.unmet])
        statuses = [r.status for r in view.results]
        trace = {
            "on": view.judged_on.isoformat(),
            "statuses": statuses,
            "manual": [r.quote for r in view.manual],
        }
        assert stored.trace == trace
        if company_id in notice_side:
            assert notice_side[company_id] == (list(view.missing), trace)


def test_unmet_and_missing_say_what_to_do(session, now) -> None:
    ids = _register(session, now)
    conditions = [
        {"field": "headcount", "op": "<=", "value": 500, "unit": "人"},
        {"field": "qualification", "op": "has", "value": "高新技术企业"},
    ]
    notice_id = _store(session, _notice_doc("两项条件", conditions), now)
    for company_id in ids.values():
        match_company(session=session, company_id=company_id, now=now)
    rows = {m.company_id: m for m in session.exec(select(Match).where(Match.notice_id == notice_id)).all()}
    huzhou, blank = rows[ids["湖州大企"]], rows[ids["空白企业"]]
    assert huzhou.status == "not_eligible"
    assert huzhou.unmet == [
        "职工总数 860 人 > 500 人 ✗",
        "资质 高新技术企业 已于 2024-06-30 过期 — 需具备有效的 高新技术企业 ✗",
    ]
    assert (blank.status, blank.missing, blank.unmet) == ("possibly_eligible", ["职工人数", "资质"], [])


def test_age_is_measured_on_the_deadline_not_today(session, now) -> None:
    company = register_company(
        session=session, data={"name": "甲", "region": "杭州", "成立日期": "2024-03-15"}, now=now
    )
    rule = [{"field": "company_age_years", "op": ">=", "value": 1, "unit": "年"}]
    early = _store(session, _notice_doc("三月十日截止", rule, day="2025-03-10"), now)
    late = _store(session, _notice_doc("三月二十日截止", rule, day="2025-03-20"), now)
    match_company(session=session, company_id=company.id, now=now)
    views = {v.notice.id: v for v in company_matches(session=session, company_id=company.id, now=now)}
    assert (views[early].status, views[late].status) == ("not_eligible", "eligible")
    # the reason names the day it is judged on: two notices may show two ages for one company
    assert views[early].unmet[0].reason_zh == "截至2025年3月10日，成立年限 0.9 年 < 1 年 ✗"
    late_age = next(r for r in views[late].results if r.condition.field == "company_age_years")
    assert late_age.reason_zh == "截至2025年3月20日，成立年限 1 年 ≥ 1 年 ✓"
    assert views[late].judged_on == dt.date(2025, 3, 20)


def test_a_new_notice_is_matched_against_registered_companies(session, now) -> None:
    ids = _register(session, now)
    rule = [{"field": "registered_region", "op": "in", "value": "杭州市"}]
    notice_id = _store(session, _notice_doc("杭州专项", rule), now)
    assert session.exec(select(Match).where(Match.notice_id == notice_id)).all() == []

    from reminder.workflow import notice_stored

    notice_stored(session=session, notice_id=notice_id, now=now)
    assert {k for k, v in _stored(session, notice_id, ids).items() if v == "eligible"} == {
        "萧山小企",
        "空白企业",
        "新创企业",
    }


def test_a_changed_profile_changes_its_verdicts(session, now) -> None:
    company = register_company(
        session=session, data={"name": "甲", "region": "杭州市萧山区", "职工人数": 100}, now=now
    )
    notice_id = _store(
        session, _notice_doc("小企业", [{"field": "headcount", "op": "<=", "value": 300, "unit": "人"}]), now
    )
    match_company(session=session, company_id=company.id, now=now)
    assert _stored(session, notice_id, {"甲": company.id}) == {"甲": "eligible"}

    update_company_profile(session=session, company=company, data={"职工人数": "900人"}, now=now)
    stats = match_company(session=session, company_id=company.id, now=now)
    match = session.exec(select(Match).where(Match.notice_id == notice_id)).one()
    assert (match.status, match.unmet) == ("not_eligible", ["职工总数 900 人 > 300 人 ✗"])
    assert (stats.evaluated, stats.not_eligible) == (1, 1)

    update_company_profile(session=session, company=company, data={"headcount": ""}, now=now)
    match_company(session=session, company_id=company.id, now=now)
    session.refresh(match)
    assert (match.status, match.missing) == ("possibly_eligible", ["职工人数"])


def test_matches_of_companies_no_longer_candidates_are_removed(session, now) -> None:
    ids = _register(session, now)
    zhejiang = [{"field": "registered_region", "op": "in", "value": "浙江省"}]
    notice_id = _store(session, _notice_doc("专项", zhejiang), now)
    match_notice(session=session, notice_id=notice_id, now=now)
    assert _stored(session, notice_id, ids)["湖州大企"] == "eligible"

    hangzhou = [{"field": "registered_region", "op": "in", "value": "杭州市"}]
    assert _store(session, _notice_doc("专项", hangzhou), now) == notice_id, (
        "a new version of the same notice"
    )
    stats = match_notice(session=session, notice_id=notice_id, now=now)
    assert stats.removed == 1
    assert _stored(session, notice_id, ids) == {
        "萧山小企": "eligible", "湖州大企": "not_eligible", "空白企业": "eligible", "新创企业": "eligible", "北京企业": "not_eligible",
    }  # fmt: skip
    assert session.exec(select(Match).where(Match.company_id == ids["湖州大企"])).all() == []


def test_drafts_and_policy_texts_are_not_matched(session, now) -> None:
    ids = _register(session, now)
    draft = _store(session, _notice_doc("草稿", []), now, status="draft")
    policy = _store(session, _notice_doc("政策", [], policy_only=True), now)
    for notice_id in (draft, policy):
        stats = match_notice(session=session, notice_id=notice_id, now=now)
        assert stats.evaluated == 0 and stats.skipped
        assert session.exec(select(Match).where(Match.notice_id == notice_id)).all() == []

    published = _store(session, _notice_doc("已发布", []), now)
    assert match_notice(session=session, notice_id=published, now=now).eligible == len(ids)
    row = session.get(NoticeRow, published)
    row.status = "draft"  # an operator takes it back
    session.add(row)
    assert match_notice(session=session, notice_id=published, now=now).removed == len(ids)


def test_unknown_ids_are_named(session, now) -> None:
    with pytest.raises(NotFoundError, match="no notice with id 4242"):
        match_notice(session=session, notice_id=4242, now=now)
    with pytest.raises(NotFoundError, match="no company with id 4242"):
        match_company(session=session, company_id=4242, now=now)


def test_company_view_orders_verdicts_and_counts_days(session, now) -> None:
    company = register_company(
        session=session, data={"name": "甲", "region": "杭州市萧山区", "职工人数": 100}, now=now
    )
    manual = [{"field": "other", "op": ">=", "value": 60, "unit": "分"}]
    small = [{"field": "headcount", "op": "<=", "value": 50, "unit": "人"}]
    unknown = [{"field": "annual_revenue", "op": "<=", "value": 2, "unit": "亿元"}]
    later = _store(session, _notice_doc("较晚", manual, day="2025-05-20"), now)
    sooner = _store(
        session,
        _notice_doc(
            "较早", manual, deadlines=(deadline("2025-03-02"), deadline("2025-06-01", kind="recommendation"))
        ),
        now,
    )
    failing = _store(session, _notice_doc("不符合", small, day="2025-03-05"), now)
    possible = _store(session, _notice_doc("待补充", unknown, day="2025-04-01"), now)
    rolling = _store(session, _notice_doc("常态化", [], deadlines=(tba_deadline(),)), now)
    past = _store(session, _notice_doc("已截止", [], day="2025-02-01"), now)

    views = company_matches(session=session, company_id=company.id, now=now)
    # manual checks make sooner/later 可能符合: eligible first, then possibly by next deadline
    assert [v.notice.id for v in views] == [rolling, sooner, possible, later, failing]
    first = views[1]
    assert (first.next_deadline.date, first.days_left, first.status) == (
        dt.date(2025, 3, 2),
        1,
        "possibly_eligible",
    )
    assert [d.date for d in first.deadlines] == [dt.date(2025, 3, 2), dt.date(2025, 6, 1)]
    assert first.judged_on == dt.date(2025, 6, 1), "judged on the last deadline"
    assert [r.quote for r in first.manual] == ["other >= 60"]
    assert views[0].next_deadline is None and views[0].days_left is None
    assert views[2].missing == ("年销售收入",)
    assert views[4].unmet[0].reason_zh == "职工总数 100 人 > 50 人 ✗"
    assert all(v.open for v in views)

    evening = dt.datetime(2025, 3, 1, 23, 30, tzinfo=TZ)
    assert company_matches(session=session, company_id=company.id, now=evening)[1].days_left == 1
    everything = company_matches(session=session, company_id=company.id, now=now, include_past=True)
    assert [v.notice.id for v in everything if not v.open] == [past]


# ── the seed notices ───────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def seed_docs() -> list[Document]:
    """The seed compilations, extracted once (the news items hold no notice)."""
    docs = [extract(p) for p in sorted((SAMPLES / "notices").glob("*.txt"))]
    return [d for d in docs if d.notices]


def _by_title(views: list[Any], fragment: str) -> Any:
    [view] = [v for v in views if fragment in v.notice.title]
    return view


def test_sample_companies_against_the_seed_notices(session, now, seed_docs) -> None:
    for doc in seed_docs:
        save_document(session=session, doc=doc, now=now)
    report = import_profiles(
        session=session, text=(SAMPLES / "companies.csv").read_text(encoding="utf-8"), now=now
    )
    assert (len(report.company_ids), report.problems) == (4, ())
    for notice in session.exec(select(NoticeRow)).all():
        match_notice(session=session, notice_id=notice.id, now=now)

    xiaoshan = find_company(session=session, ref="杭州萧然智能装备有限公司")
    views = company_matches(session=session, company_id=xiaoshan.id, now=now)
    # a complete profile: only the scope can fail it (a 上城区 call), only manual items can leave it possibly
    for view in views:
        trace = (view.notice.title, view.unmet, view.manual)
        assert view.status != "not_eligible" or {r.condition.field for r in view.unmet} == {
            "registered_region"
        }, trace
        assert view.status != "possibly_eligible" or (view.missing == () and view.manual), trace
    assert "eligible" in {v.status for v in views}
    digital = _by_title(views, "數字化轉型")  # 须为杭州市: a 萧山区 company is in 杭州市
    # the scope (杭州市) and the text's own 须为杭州市 both read the same way
    assert {r.reason_zh for r in digital.results if r.condition.field == "registered_region"} == {
        "注册地 杭州市萧山区 属于 杭州市 ✓"
    }
    stored = session.exec(
        select(Match).where(Match.company_id == xiaoshan.id, Match.notice_id == digital.notice.id)
    ).one()
    assert stored.status == "eligible"

    qiantang = company_matches(
        session=session, company_id=find_company(session=session, ref="91330114MA2KL7QX2W").id, now=now
    )
    assert _by_title(qiantang, "數字化轉型").missing == ("所属行业", "独立法人资格")

    huzhou = company_matches(
        session=session,
        company_id=find_company(session=session, ref="湖州南太湖新材料股份有限公司").id,
        now=now,
        include_past=True,
    )
    renamed = _by_title(huzhou, "高新技術企業更名")
    assert renamed.status == "not_eligible" and any(
        "已于 2024-06-30 过期" in r.reason_zh for r in renamed.unmet
    )
    small_firms = _by_title(huzhou, "科技型中小企业评价")
    assert not small_firms.open and [r.reason_zh for r in small_firms.unmet][:1] == [
        "职工总数 860 人 > 500 人 ✗"
    ]

    profile = profile_from_company(xiaoshan)
    for view in views:  # the view is the engine's verdict, judged on the notice's day
        assert judge([r.condition for r in view.results], profile, on=view.judged_on).status == view.status


def test_ingest_matches_what_it_stores(session, now) -> None:
    from reminder.ingest import ingest_paths

    huzhou = register_company(
        session=session,
        data={"name": "湖州甲", "region": "湖州市吴兴区", "成立日期": "2015-01-01", "年销售收入": "8000万元",
              "研发费用占比": 4, "独立法人资格": "是", "信用状况良好": "是"},
        now=now,
    )  # fmt: skip
    ningbo = register_company(session=session, data={"name": "宁波乙", "region": "宁波"}, now=now)
    session.commit()
    summary = ingest_paths([HERE / "pages" / "notice.html"], session=session, now=now)
    [(_, result)] = summary.results
    [notice_id] = result.notice_ids
    assert _stored(session, notice_id, {"湖州甲": huzhou.id, "宁波乙": ningbo.id}) == {
        "湖州甲": "eligible",
        "宁波乙": "not_eligible",
    }
    again = ingest_paths([HERE / "pages" / "notice.html"], session=session, now=now)
    assert again.duplicates == 1 and again.results[0][1].notice_ids == ()
