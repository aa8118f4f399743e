"""The matches API joins each notice's JSON once per notices' version, kept by the MatchView side that
every company's list shares (``api/views.verdicts_json``; the item-by-item join in api_json_plain): for
one company after another, and for both lists (open notices, and with closed ones), the body is what the
response model writes from the views, also when picked by columns (``verdicts_json``: each notice's
JSON once per plan, each class's once)."""

from __future__ import annotations

from typing import Any

from api_json_plain import matches_json
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlmodel import Session
from web_factories import HANGZHOU, NINGBO, NOW, SPARSE, register_api

from reminder.matching import company_verdicts
from reminder.matching.company_view import Shared, SharedNotices
from reminder.web.api.company_schemas import MatchOut
from reminder.web.api.views import match_out, verdicts_json
from reminder.web.company.verdict_html import Fragments

_WRITTEN = TypeAdapter(list[MatchOut])


def test_joined_json_is_the_response_models_for_company_after_company(client: TestClient) -> None:
    companies = [register_api(client, profile)[0] for profile in (HANGZHOU, NINGBO, SPARSE)]
    shared = Shared(SharedNotices(), "v1")
    parts: dict[Any, Any] = {}  # one notices' version: kept from one company to the next
    fragments = Fragments()
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        for past in (False, True, False):
            for company_id in companies:
                found = company_verdicts(
                    session=session, company_id=company_id, now=NOW, include_past=past, shared=shared
                )
                listed = found.listed()
                body = matches_json(found.fields(listed), NOW, parts, fragments, head=b"7\n")
                views = found.views(listed)
                assert len(views) > 1
                assert body == b"7\n" + _WRITTEN.dump_json([match_out(v, NOW) for v in views], by_alias=True)
                # by columns (what the API sends): the same bytes
                assert verdicts_json(found, listed, NOW, parts, fragments, head=b"7\n") == body
                # a page of the list: its own notices, in order
                body = matches_json(found.fields(listed[1:3]), NOW, parts, fragments)
                assert body == _WRITTEN.dump_json([match_out(v, NOW) for v in views[1:3]], by_alias=True)
                assert verdicts_json(found, listed[1:3], NOW, parts, fragments) == body
                assert verdicts_json(found, [], NOW, parts, fragments) == b"[]"
