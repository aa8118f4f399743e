"""The matches API's JSON joined item by item (each MatchView's notice and verdict fields): the plain
form ``api/views.verdicts_json`` joins by columns, kept here as what it is compared with (and what a
list of MatchViews gives)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from reminder.web.api.views import _joined, _notice_json, _tail_json
from reminder.web.company.verdict_html import Fragments


def matches_json(
    items: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
    now: dt.datetime,
    parts: dict[Hashable, Any],
    fragments: Fragments,
    *,
    head: bytes = b"",
) -> bytes:
    """``head`` then the JSON body of ``list[MatchOut]`` for these MatchViews, byte for byte what the response model
    gives, joined from pieces: each notice's object once per notices' version (``parts``), each result's
    once per result object (``fragments``), each verdict's part once per call. Building a thousand
    MatchOut models with their results cost ~60 ms of CPU a company.

    Args:
        items: each MatchView's fields as two mappings: its notice's and its verdict's
            (``CompanyVerdicts.fields``, whose notice sides every company's lists share; ``(vars(view),
            vars(view))`` for a MatchView, then with ``parts`` of this call alone).
        head: bytes written before the JSON.
    """
    # each notice's object once per notices' version, by its side (shared by every company's MatchViews
    # of one plan, read only; kept with it, so its id is not reused)
    known = parts.get("api-json-sides")
    if known is None:
        known = parts["api-json-sides"] = {}
    # the part after the notice comes from the verdict part alone (one per verdict, alive for the call)
    tails: dict[int, bytes] = {}
    out: list[bytes] = []
    for side, part in items:
        found = known.get(id(side))
        if found is not None and found[0] is side:
            notice = found[1]
        else:
            notice = _notice_json(side, now)
            known[id(side)] = (side, notice)
        tail = tails.get(id(part))
        if tail is None:
            tail = tails[id(part)] = _tail_json(part, fragments)
        out += (notice, tail)
    return _joined(head, out)
