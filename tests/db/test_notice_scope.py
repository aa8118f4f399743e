"""A notice's scope is stored with it (notices.scope, notices.scope_code) and read back whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from db_factories import SOURCE, TITLE
from sqlmodel import Session

from reminder.db import get_notice_by_key, notice_key, save_document, to_notice
from reminder.model import Document, Scope


def test_scope_is_stored_and_read_back(
    session: Session, make_doc: Callable[..., Document], now: dt.datetime
) -> None:
    doc = make_doc()
    scope = Scope("苍南县", "浙江省温州市苍南县", "330327", "explicit", "在本县注册")
    doc = replace(doc, notices=(replace(doc.notices[0], scope=scope),))
    save_document(session=session, doc=doc, now=now)
    session.commit()
    row = get_notice_by_key(session=session, key=notice_key(SOURCE, TITLE))
    assert row is not None
    assert row.scope_code == "330327" and row.scope is not None and row.scope["path"] == "浙江省温州市苍南县"
    assert to_notice(session=session, row=row).scope == scope


def test_unknown_scope_is_stored_as_none(
    session: Session, make_doc: Callable[..., Document], now: dt.datetime
) -> None:
    save_document(session=session, doc=make_doc(), now=now)
    session.commit()
    row = get_notice_by_key(session=session, key=notice_key(SOURCE, TITLE))
    assert row is not None and row.scope is None and row.scope_code is None
