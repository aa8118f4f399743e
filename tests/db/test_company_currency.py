"""A profile's currency is stored (CSV 币种, registration, updates) and judged: a 新臺幣 amount is compared
only with a 新臺幣 threshold; against a 人民币 one it is a manual check, by the per-company and the bulk judge."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace

from sqlmodel import Session, select

from reminder.companies import import_profiles, register_company, update_company_profile
from reminder.companies.profiles import profile_from_company
from reminder.db import Company, save_document
from reminder.db.models import Match
from reminder.matching import company_matches, match_notice
from reminder.model import TZ, Condition, Deadline, Document, Notice, Scope

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
TAIWAN = Scope("台湾省", "台湾省", "710000")
CSV = "企业名称,所在地区,年销售收入,币种\n桃园甲科技股份有限公司,台湾省桃园市,5000,新臺幣\n桃园乙电子股份有限公司,桃園市,1000,新台币\n"


def _notice(session: Session, title: str, unit: str, quote: str) -> int:
    notice = Notice(
        title=title,
        deadlines=(Deadline(dt.date(2025, 4, 30), None, "application", "2025年4月30日前提交"),),
        conditions=(Condition("annual_revenue", ">=", 2000, unit, quote),),
        scope=TAIWAN,
    )
    doc = Document(
        source=f"https://example.gov.tw/{title}.html",
        text="正文" * 20,
        notices=(notice,),
        content_hash=secrets.token_hex(32),
    )
    (notice_id,) = save_document(session=session, doc=doc, now=NOW).notice_ids
    return notice_id


def _notices(session: Session) -> tuple[int, int]:
    rmb = _notice(session, "人民币门槛", "万元", "年销售收入2000万元以上")
    ntd = _notice(session, "新臺幣门槛", "万元(新臺幣)", "年營業額新臺幣2000萬元以上")
    return rmb, ntd


def _judged(session: Session, company_id: int) -> dict[str, tuple[str, list[str]]]:
    """Title → (status, reason lines), judged afresh for the company."""
    return {
        m.notice.title: (m.status, [r.reason_zh for r in (*m.unmet, *m.manual)])
        for m in company_matches(session=session, company_id=company_id, now=NOW)
    }


def _stored(session: Session, notice_id: int) -> dict[int, str]:
    """Company id → the bulk judge's stored status for one notice."""
    rows = session.exec(select(Match).where(Match.notice_id == notice_id)).all()
    return {m.company_id: m.status for m in rows}


def test_csv_currency_is_stored_and_read_back(session: Session) -> None:
    report = import_profiles(session=session, text=CSV, now=NOW)
    assert report.problems == ()
    first, second = (session.get(Company, i) for i in report.company_ids)
    assert first is not None and second is not None
    assert (first.currency, second.currency) == ("新台币", "新台币")
    assert profile_from_company(first).currency == "新台币"


def test_new_taiwan_dollars_are_compared_only_with_new_taiwan_dollars(session: Session) -> None:
    rich, poor = import_profiles(session=session, text=CSV, now=NOW).company_ids
    rmb, ntd = _notices(session)

    judged = _judged(session, rich)
    assert judged["人民币门槛"][0] == "possibly_eligible"
    assert any("币种不同" in line and "人民币" in line for line in judged["人民币门槛"][1])
    assert judged["新臺幣门槛"] == ("eligible", [])
    assert _judged(session, poor)["新臺幣门槛"][0] == "not_eligible"
    assert _judged(session, poor)["人民币门槛"][0] == "possibly_eligible"

    for notice_id in (rmb, ntd):
        match_notice(session=session, notice_id=notice_id, now=NOW)
    # the SQL prefilter keeps the 新臺幣 companies for the 人民币 threshold: a manual check, not a rejection
    assert _stored(session, rmb) == {rich: "possibly_eligible", poor: "possibly_eligible"}
    assert _stored(session, ntd) == {rich: "eligible"}


def test_yuan_company_is_a_manual_check_against_new_taiwan_dollars(session: Session) -> None:
    company = register_company(
        session=session, data={"name": "台商丙", "region": "台湾省桃园市", "年销售收入": "3000万元"}, now=NOW
    )
    assert company.currency == "人民币"
    rmb, ntd = _notices(session)
    for notice_id in (rmb, ntd):
        match_notice(session=session, notice_id=notice_id, now=NOW)
    assert _stored(session, rmb) == {company.id: "eligible"}
    assert _stored(session, ntd) == {company.id: "possibly_eligible"}
    assert _judged(session, company.id)["新臺幣门槛"][0] == "possibly_eligible"


def test_currency_word_in_an_amount_and_an_update(session: Session) -> None:
    company = register_company(
        session=session, data={"name": "台商丁", "region": "台湾省", "年销售收入": "新臺幣5000萬元"}, now=NOW
    )
    assert (company.currency, company.annual_revenue) == ("新台币", 5000)
    update_company_profile(session=session, company=company, data={"币种": "港币"}, now=NOW)
    assert company.currency == "港币"
    assert profile_from_company(company).currency == "港币"


def test_bulk_verdicts_equal_the_engines_in_every_currency(session: Session) -> None:
    """Stored (bulk judge, SQL-decided money) and fresh (engine) verdicts agree, reasons included,
    for amounts in three currencies or not filled in, alone and inside an any-of group."""
    ids = []
    for n, (currency, revenue) in enumerate(
        (c, r) for c in (None, "新台币", "港币") for r in (None, 1000, 3000)
    ):
        data = {"name": f"台商{n}", "region": "台湾省桃园市", "年销售收入": revenue, "币种": currency}
        ids.append(register_company(session=session, data=data, now=NOW).id)
    grouped = (
        Condition("annual_revenue", ">=", 2000, "万元(新臺幣)", "年營業額新臺幣2000萬元以上", group="g"),
        Condition("qualification", "has", "高新技术企业", None, "或为高新技术企业", group="g"),
    )
    notice_ids = [*_notices(session)]
    for conditions in (grouped, (replace(grouped[0], unit="万元", group="g"), grouped[1])):
        notice = Notice(
            title=f"其一即可{len(notice_ids)}",
            deadlines=(Deadline(dt.date(2025, 4, 30), None, "application", "2025年4月30日前提交"),),
            conditions=conditions,
            scope=TAIWAN,
        )
        doc = Document(
            source=f"https://example.gov.tw/g{len(notice_ids)}.html",
            text="正文" * 20,
            notices=(notice,),
            content_hash=secrets.token_hex(32),
        )
        notice_ids.extend(save_document(session=session, doc=doc, now=NOW).notice_ids)
    for notice_id in notice_ids:
        match_notice(session=session, notice_id=notice_id, now=NOW)
    stored = {
        (m.company_id, m.notice_id): (m.status, m.missing, m.unmet, m.trace["manual"])
        for m in session.exec(select(Match)).all()
    }
    for company_id in ids:
        for view in company_matches(session=session, company_id=company_id, now=NOW):
            fresh = (
                view.status,
                list(view.missing),
                [r.reason_zh for r in view.unmet],
                [r.quote for r in view.manual],
            )
            key = (company_id, view.notice.id)
            company = session.get(Company, company_id)
            assert company is not None
            who = (company.currency, company.annual_revenue, view.notice.title)
            assert stored.get(key, ("not_eligible",))[0] == fresh[0], (who, fresh)
            if key in stored:
                assert stored[key] == fresh, key
