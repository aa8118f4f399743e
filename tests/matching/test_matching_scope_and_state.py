"""Through the database: the scope is stored and judged as a hard condition; a notice whose last
deadline has passed is closed whatever its wording (常态化), and only an undated 常态化 call stays open."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlmodel import Session

from reminder.companies.profiles import register_company
from reminder.db import save_document
from reminder.db.store import list_conditions, list_open_notices, to_notice
from reminder.matching import company_matches, match_notice
from reminder.model import TZ, Condition, Deadline, Document, Notice, Scope

NOW = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)


def _doc(title: str, *, days: list[str], rolling: bool = False, scope: Scope | None = None) -> Document:
    notice = Notice(
        title=title,
        deadlines=tuple(Deadline(dt.date.fromisoformat(d), None, "application", f"{d}前提交") for d in days),
        conditions=(Condition("headcount", "<=", 500, "人", "职工总数不超过500人"),),
        rolling=rolling,
        scope=scope,
    )
    return Document(
        source=f"https://example.gov.cn/{title}.html",
        text="正文" * 20,
        notices=(notice,),
        content_hash=secrets.token_hex(32),
    )


def _store(session: Session, doc: Document) -> int:
    (notice_id,) = save_document(session=session, doc=doc, now=NOW).notice_ids
    return notice_id


def test_rolling_wording_does_not_reopen_a_past_notice(session: Session) -> None:
    past = _store(
        session, _doc("常态化受理但已截止", days=["2023-05-31"], rolling=True, scope=Scope("全国", "全国"))
    )
    undated = _store(session, _doc("常年受理", days=[], rolling=True, scope=Scope("全国", "全国")))
    ahead = _store(session, _doc("正在申报", days=["2025-04-30"], scope=Scope("全国", "全国")))
    assert {n.id for n in list_open_notices(session=session, now=NOW)} == {undated, ahead}
    assert past not in {n.id for n in list_open_notices(session=session, now=NOW)}


def test_scope_is_stored_judged_and_read_back(session: Session) -> None:
    outside = register_company(
        session=session, data={"name": "门头沟甲", "region": "北京市门头沟区", "职工人数": 50}, now=NOW
    )
    inside = register_company(
        session=session, data={"name": "苍南乙", "region": "浙江省温州市苍南县", "职工人数": 50}, now=NOW
    )
    scope = Scope("苍南县", "浙江省温州市苍南县")
    notice_id = _store(session, _doc("苍南县专项", days=["2025-04-30"], scope=scope))
    match_notice(session=session, notice_id=notice_id, now=NOW)

    [out_view] = company_matches(session=session, company_id=outside.id, now=NOW)
    assert out_view.status == "not_eligible"
    assert out_view.unmet[0].reason_zh == "注册地 北京市门头沟区 不在 浙江省温州市苍南县 ✗"
    [in_view] = company_matches(session=session, company_id=inside.id, now=NOW)
    assert in_view.status == "eligible"

    from reminder.db import NoticeRow

    row = session.get(NoticeRow, notice_id)
    back = to_notice(session=session, row=row)
    assert (back.scope.name, back.scope.path) == ("苍南县", "浙江省温州市苍南县")
    assert [c.quote for c in list_conditions(session=session, notice_id=notice_id)] == ["职工总数不超过500人"]


def test_unknown_scope_is_possibly_eligible_with_a_question(session: Session) -> None:
    company = register_company(
        session=session, data={"name": "苍南丙", "region": "浙江省温州市苍南县", "职工人数": 50}, now=NOW
    )
    notice_id = _store(session, _doc("不知何处", days=["2025-04-30"]))
    match_notice(session=session, notice_id=notice_id, now=NOW)
    [view] = company_matches(session=session, company_id=company.id, now=NOW)
    assert view.status == "possibly_eligible"
    assert [r.quote for r in view.manual] == ["请确认适用地区"]
