"""PostgreSQL keeps each class of companies by the hash of its key text, seeded anew for every notice
matched (a profile cannot be shaped ahead to share another class's hash). Companies differing only in a
free-text input (the industry they typed) still get their own class's verdict."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from db_factories import deadline, store_notice
from sqlmodel import Session, select

from reminder.companies import create_company
from reminder.db import CompanyCreate, Match
from reminder.extract import Condition, Notice
from reminder.matching import match_company, match_notice
from reminder.model import TZ

NOW = dt.datetime(2025, 1, 2, 9, 0, tzinfo=TZ)
_SEED = re.compile(r"hash_record_extended\(.*, %\((\w+)\)s(?:::BIGINT)?\)", re.S)


def _industry_notice(session: Session) -> int:
    cond = Condition(
        field="industry", op="in", value=["软件和信息技术服务业"], unit=None,
        quote="属于软件和信息技术服务业", hard=True,
    )  # fmt: skip
    notice = Notice(
        title="关于组织申报软件企业专项资金的通知", level="provincial", published=dt.date(2025, 1, 1),
        issuer=None, deadlines=(deadline("2025-03-01"),), conditions=(cond,), span=(0, 10), scope=None,
    )  # fmt: skip
    return store_notice(session, notice, NOW)


def test_each_notice_matched_hashes_class_keys_with_a_new_seed(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite keeps each class key's text: no hash, no seed")
    industries = [
        "软件和信息技术服务业",
        "软件和信息技术服务业 ",
        "化工",
        "化工（软件和信息技术服务业）",
        None,
    ]
    ids = {
        industry: create_company(
            session=session,
            company_in=CompanyCreate(name=f"企业{i}", region_name="浙江省杭州市", industry=industry),
            now=NOW,
        ).id
        for i, industry in enumerate(industries)
    }
    seeds: list[Any] = []

    def seen(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith("INSERT INTO match_candidates") and (found := _SEED.search(statement)):
            seeds.append(params[found.group(1)])

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        notice_id = _industry_notice(session)
        match_notice(session=session, notice_id=notice_id, now=NOW)
        match_notice(session=session, notice_id=_industry_notice(session), now=NOW)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert len(seeds) == 2 and seeds[0] != seeds[1], seeds
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in seeds)

    bulk = {
        m.company_id: (m.status, m.missing, m.unmet, m.trace)
        for m in session.exec(select(Match).where(Match.notice_id == notice_id)).all()
    }
    assert ids["化工"] not in bulk, "another industry: not a candidate"
    assert bulk[ids[None]][:2] == ("possibly_eligible", ["所属行业"]), "industry not given: to be filled in"
    for company_id in bulk:  # each class's verdict is what judging the company alone stores
        match_company(session=session, company_id=company_id, now=NOW)
        alone = session.exec(
            select(Match).where(Match.company_id == company_id, Match.notice_id == notice_id)
        ).one()
        assert (alone.status, alone.missing, alone.unmet, alone.trace) == bulk[company_id]
