"""A context read (a compilation's whole text, for a notice that names no place) skips the level votes:
it gives the places a full read gives, and :func:`scope.find_scope` answers the same with either."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import scope

# places, offices, own-area and level words, metadata labels, cited titles, zones and signatures
_PIECES = [
    "浙江省", "杭州市", "余杭区", "苍南县", "温州", "高新区", "管委会", "科技局", "人民政府", "本市", "我区",
    "各县(市、区)", "市经信局", "省科技厅", "国务院", "科学技术部", "发布机构:", "来源:", "《", "》", "关于",
    "2025年3月1日", "各省、自治区", "\n", "。", ":", " ",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def _places(ev: scope._Evidence) -> tuple[object, ...]:
    return ev.scores, ev.quotes, ev.regions


def _check(text: str) -> None:
    v = scope._vocab()
    full = scope._read(text, "", None, v)
    places = scope._read(text, "", None, v, levels=False)
    assert _places(places) == _places(full)
    for level in (None, "municipal", "national"):
        judged = [
            scope.find_scope(text[: len(text) // 3], level=level, _context_evidence=around)
            for around in (full, places)
        ]
        assert judged[0] == judged[1]


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_context_read_gives_the_places_of_a_full_read(text: str) -> None:
    _check(text)


def test_context_read_on_the_samples() -> None:
    for view in sample_views():
        _check(scope._GLOSS.sub("", scope._window(view)))
