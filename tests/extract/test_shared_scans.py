"""Scans shared between readers, and regexes run only near their anchors, find what the plain scans find.

Scope reads region names, 本市/我区 words, national offices and 管委会/管理委员会 from one automaton
pass; the bare-zone regex (高新区管委会) runs only just before those last words. Each is checked against the plain way on
the bundled sample notices and on random texts built from the words involved.
"""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import ahocorasick_rs
from sample_notices import sample_paths, sample_views

from reminder.extract import scope
from reminder.extract._data import alternation, load_table
from reminder.extract.facts_text import anchor_hits, near
from reminder.extract.normalize import match_view
from reminder.extract.word_lists import WordScan, literal_words
from reminder.rules.regions import ancestors


def _scope_texts(seed: int, extra: list[str]) -> list[str]:
    """The samples and random texts of region names, own-area and office words and ``extra``."""
    v = scope._vocab()
    raw = load_table("region_scope", scope._KEYS)
    offices = literal_words("|".join(raw["national_issuers"])) or []
    rng = random.Random(seed)
    words = [*rng.sample(list(v.names), 300), *v.own_area, *offices, *extra, "市", "区", "的", "国家", "部"]
    texts = []
    for _ in range(3000):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 10))]
        texts.append("".join(p[: rng.randint(1, len(p))] if rng.random() < 0.2 else p for p in parts))
    return sample_views() + texts


def test_one_pass_gives_the_own_area_office_and_zone_office_words_their_scans_find() -> None:
    raw = load_table("region_scope", scope._KEYS)
    v = scope._vocab()
    assert v.in_pass == (True, True)  # (else the words are scanned apart: nothing to compare)
    national = re.compile("|".join(raw["national_issuers"]))
    own = re.compile(alternation(list(v.own_area)))
    zones = 0
    for text in _scope_texts(15, [*scope._ZONE_OFFICES, "管理"]):
        found = scope._found(text, v)
        own_spans, national_spans = scope._scanned(found)
        assert own_spans == [m.span() for m in own.finditer(text)], text
        assert national_spans == [m.span() for m in national.finditer(text)], text
        assert found.zone_offices == anchor_hits(scope._ZONE_OFFICES, text, 0, len(text)), text
        assert scope._mentions(text, v, found) == scope._mentions(text, v), text
        zones += len(found.zone_offices)
    assert zones > 100  # (the texts do hold them)


def test_leftmost_first_spans_from_an_overlapping_pass_on_words_that_prefix_each_other() -> None:
    """The vocabulary's words prefix no other today, so the rank at one start is checked here."""
    lists = (["ab", "abc", "bcd", "c"], ["abcd", "bc", "b", "dab"])
    words = list(dict.fromkeys(lists[0] + lists[1]))
    ranks: dict[int, list[tuple[int, int]]] = {}
    for which, listed in enumerate(lists):
        for rank, word in enumerate(listed):
            ranks.setdefault(words.index(word), []).append((which, rank))
    v = SimpleNamespace(
        scan=WordScan(words),
        words=[((), False, False, tuple(ranks.get(i, ()))) for i in range(len(words))],
    )
    firsts = [ahocorasick_rs.AhoCorasick(w, matchkind=ahocorasick_rs.MatchKind.LeftmostFirst) for w in lists]
    rng = random.Random(17)
    for _ in range(3000):
        text = "".join(rng.choice("abcd") for _ in range(rng.randint(1, 14)))
        got = scope._scanned(scope._found(text, v))  # type: ignore[arg-type]
        assert list(got) == [[(s, e) for _, s, e in a.find_matches_as_indexes(text)] for a in firsts], text


def test_region_names_are_not_read_from_own_area_or_office_words() -> None:
    v = scope._vocab()
    assert [(m.start, m.end) for m in scope._mentions("本市科学技术部和我区", v)] == []
    text = "国务院、杭州市全市"
    assert [text[m.start : m.end] for m in scope._mentions(text, v)] == ["杭州市"]


def test_bare_zones_are_found_near_their_office_words_as_everywhere() -> None:
    """Both ways the regex runs near 管委会: from the words' own scan (:func:`near`), and from where the
    automaton's pass found them (scope)."""
    v = scope._vocab()
    words = [*v.bare_zones, "管委会", "管理委员会", "管理", "管委", "高新", "经", "开", "杭州", "区", "会"]
    rng = random.Random(16)
    texts = ["".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    matched = 0
    for text in sample_views() + texts:
        found = near(v.bare_zone_rx, scope._ZONE_OFFICES, text, 0, len(text), v.bare_zone_chars, 0)
        plain = list(v.bare_zone_rx.finditer(text))
        assert [m.span() for m in found] == [m.span() for m in plain], text
        passed = scope._bare_zone_hits(text, v, scope._found(text, v).zone_offices)
        assert [m.span() for m in passed] == [m.span() for m in plain], text
        matched += len(plain)
    assert matched > 100  # the texts do hold zones: the check compared something


def test_bare_zones_keep_the_codes_of_the_divisions_around_them() -> None:
    """The zone a bare 高新区管委会 means is picked by the divisions around it, kept with it once."""
    for zones in scope._vocab().bare_zones.values():
        assert zones
        for zone, outer in zones:
            assert outer == tuple(a.code for a in ancestors(zone)[1:]), zone


def test_a_notice_read_once_is_judged_as_when_read_afresh() -> None:
    """attach_scopes reads a compilation's notice once for both looks (alone, then with the document)."""
    from reminder.extract import extract_text

    compared = 0
    for path in sample_paths():
        doc = extract_text(path.read_text(encoding="utf-8"))
        view = match_view(doc.text)
        document = scope._read(scope._GLOSS.sub("", scope._window(view)), "", None, scope._vocab())
        for n in doc.notices:
            text = view[n.span[0] : n.span[1]]
            args = {"title": n.title, "issuer": n.issuer, "level": n.level, "conditions": n.conditions}
            own = scope._reading(text, n.title, n.issuer)
            before = repr(own.evidence)
            for context in (None, document):
                plain = scope.find_scope(text, **args, _context_evidence=context)  # type: ignore[arg-type]
                assert scope.find_scope(text, **args, _context_evidence=context, _own=own) == plain  # type: ignore[arg-type]
                assert repr(own.evidence) == before  # (judging works on a copy)
                compared += 1
    assert compared >= 20


def test_an_anchor_regex_of_words_is_found_where_the_regex_finds_it() -> None:
    from reminder.extract import how_to_apply
    from reminder.extract.apply_data import apply_vocab
    from reminder.extract.benefits_data import benefit_vocab
    from reminder.extract.facts_text import _word_scan, anchor_hits
    from reminder.extract.word_lists import literal_words

    v = apply_vocab()
    places = benefit_vocab().currency_places  # (notice_currency reads its words this way)
    anchors = [
        v.system_anchor,
        v.recommend_anchor,
        how_to_apply._ADDRESS_ANCHOR,
        places,
        re.compile("ab|a(?:bc)?|b"),
    ]
    assert all(_word_scan(rx) is not None for rx in anchors)  # (else the regex scans: nothing to compare)
    rng = random.Random(18)
    for rx in anchors:
        words = [*(literal_words(rx.pattern) or []), "的", "\n", "a", "c"]
        for text in [
            *sample_views(),
            *("".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(1500)),
        ]:
            start = rng.randint(0, len(text))
            end = rng.randint(start, len(text))
            assert anchor_hits(rx, text, start, end) == [m.span() for m in rx.finditer(text, start, end)], (
                text
            )


def test_an_anchor_regex_that_is_no_list_of_words_is_scanned_by_the_regex() -> None:
    from reminder.extract.facts_text import _word_scan, anchor_hits

    assert _word_scan(re.compile(r"地址\d")) is None
    assert _word_scan(re.compile("地址", re.I)) is None
    assert anchor_hits(re.compile(r"地址\d|邮寄"), "地址1和邮寄地址", 0, 8) == [(0, 3), (4, 6)]


def test_positions_inside_cited_titles_are_those_the_plain_check_finds() -> None:
    rng = random.Random(19)
    texts = [*sample_views(), "《", "》《", "《" + "字" * 100]
    for _ in range(2000):
        weights = rng.choice([(1, 1, 30), (1, 1, 2), (3, 1, 60)])
        texts.append("".join(rng.choices("《》字", weights, k=rng.randint(0, 300))))
    inside = 0
    for text in texts:
        quoted = scope._quoted_spans(text)
        assert (quoted is None) == ("《" not in text)
        for pos in range(len(text) + 1):
            plain = scope._quoted(text, pos)
            assert (quoted is not None and scope._in_quotes(quoted, pos)) == plain, (text, pos)
            inside += plain
    assert inside > 1000  # (the texts do cite titles)


def test_anchor_scans_of_one_notice_share_its_text_but_never_another_texts() -> None:
    from reminder.extract.facts_text import anchor_hits

    address, mail = re.compile("地址|邮寄"), re.compile("邮寄|邮箱")
    one = "前言。地址:某路1号,邮寄至某处。"
    other = "前言。邮箱:某处,地址在某路。" + "x"  # (another string with the same span)
    assert anchor_hits(address, one, 3, 18) == [(3, 5), (11, 13)]
    assert anchor_hits(mail, one, 3, 18) == [(11, 13)]
    assert anchor_hits(address, other, 3, 18) == [(9, 11)]
    assert anchor_hits(mail, other, 3, 18) == [(3, 5)]
    assert anchor_hits(address, one, 4, 18) == [(11, 13)]
