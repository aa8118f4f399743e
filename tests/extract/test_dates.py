"""The date grammar: case files ``cases/dates_*.yaml`` (one per phenomenon), resolution, properties.

Each case text is cleaned text; it goes through ``match_view`` (traditional → simplified,
full-width → half-width) like a real document, then ``find_dates``. A case passes only when the
mentions found are exactly the expected ones: a missed date, a span cut short or too long, an extra
reading and a wrong value all fail.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
from typing import Any

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import given, settings

from reminder.errors import DataFileError
from reminder.extract import _dates_grammar
from reminder.extract.dates import DateMention, DatePoint, find_dates
from reminder.extract.normalize import clean, match_view

HERE = os.path.dirname(__file__)
CASE_FILES = sorted(glob.glob(os.path.join(HERE, "cases", "dates_*.yaml")))
SEEDS = "/work/shared/seeds"
GOLD = "/work/shared/gold/seeds.json"


def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _positive_cases() -> list[Any]:
    out = []
    for path in CASE_FILES:
        data = _load(path)
        name = os.path.basename(path)[: -len(".yaml")]
        year = data["now"].year
        for i, example in enumerate(data["examples"] or []):
            for j, text in enumerate(example["texts"]):
                out.append(pytest.param(text, example["expect"], year, id=f"{name}-{i}-{j}"))
    return out


def _negative_cases() -> list[Any]:
    out = []
    for path in CASE_FILES:
        name = os.path.basename(path)[: -len(".yaml")]
        for i, text in enumerate(_load(path).get("negative") or []):
            out.append(pytest.param(text, id=f"{name}-neg-{i}"))
    return out


def fmt(p: DatePoint) -> str:
    """The case-file notation: ``2025-03-28``, ``*-03-10 16:00`` (no year), ``*-09 end``, ``2025-03-28 17h``."""
    out = f"{p.year if p.year is not None else '*'}-{p.month:02d}"
    if p.day is not None:
        out += f"-{p.day:02d}"
    if p.part is not None:
        out += f" {p.part}"
    if p.hour is not None:
        out += f" {p.hour:02d}:{p.minute:02d}" if p.minute is not None else f" {p.hour:02d}h"
    return out


def fmt_resolved(p: DatePoint, year: int) -> str:
    date, time, grain = p.resolve(year)
    when = date.isoformat() + (f"T{time:%H:%M}" if time is not None else "")
    return f"{when} {grain}"


def describe(m: DateMention, expect: dict[str, Any], year: int) -> dict[str, Any]:
    """The mention in the shape of an expected one (only the keys the case gives, beyond text/start)."""
    got: dict[str, Any] = {"text": m.text, "start": fmt(m.start)}
    if m.end is not None or "end" in expect:
        got["end"] = fmt(m.end) if m.end is not None else None
    if m.latent or "latent" in expect:
        got["latent"] = m.latent
    if "at" in expect:
        got["at"] = fmt_resolved(m.start, year)
    if m.start.rel_year is not None or "rel" in expect:
        got["rel"] = m.start.rel_year
    if m.low_confidence or "low_confidence" in expect:
        got["low_confidence"] = m.low_confidence
    return got


@pytest.mark.parametrize(("text", "expect", "year"), _positive_cases())
def test_case(text: str, expect: dict[str, Any], year: int) -> None:
    view = match_view(text)
    mentions, failures = find_dates(view)
    wanted = expect.get("mentions") or []
    got = [describe(m, w, year) for m, w in zip(mentions, wanted, strict=False)]
    got += [describe(m, {}, year) for m in mentions[len(wanted) :]]
    assert got == wanted
    assert [f.quote for f in failures] == (expect.get("failures") or [])
    for m in mentions:
        assert view[m.span[0] : m.span[1]] == m.text


@pytest.mark.parametrize("text", _negative_cases())
def test_negative(text: str) -> None:
    mentions, failures = find_dates(match_view(text))
    assert [m.text for m in mentions] == []
    assert failures == []


def test_case_files_cover_every_phenomenon() -> None:
    names = {os.path.basename(p) for p in CASE_FILES}
    phenomena = ("full", "no_year", "numerals", "time", "ranges", "month_parts", "lists", "roc")
    for phenomenon in (*phenomena, "roc_numerals", "compact", "relative_year", "hours", "colons"):
        assert f"dates_{phenomenon}.yaml" in names
    assert {"dates_month_only.yaml", "dates_impossible.yaml", "dates_negative.yaml"} <= names


def test_failure_reason_is_bilingual() -> None:
    _, failures = find_dates("申报时间为4月15日至3月1日,请于2025年2月30日前提交")
    assert [f.quote for f in failures] == ["4月15日至3月1日", "2025年2月30日"]
    for f in failures:
        assert " / " in f.reason
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.reason.split(" / ")[0])


def test_rule_names_say_which_form_matched() -> None:
    mentions, _ = find_dates("2025年3月28日;3月10日;2025-03-28;3月15日至4月15日;9月底;114年3月31日;6月")
    assert [m.rule for m in mentions] == [
        "full_date",
        "month_day",
        "numeric_date",
        "month_day_range",
        "month_part",
        "roc_full_date",
        "month_only",
    ]


# --- resolution ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "year", "expected"),
    [
        (DatePoint(None, 3, 10), 2025, (dt.date(2025, 3, 10), None, "day")),
        (DatePoint(2024, 3, 10), 2025, (dt.date(2024, 3, 10), None, "day")),
        (DatePoint(None, 2, None, part="end"), 2024, (dt.date(2024, 2, 29), None, "month")),
        (DatePoint(None, 9, None, part="early"), 2025, (dt.date(2025, 9, 10), None, "month")),
        (DatePoint(None, 9, None, part="mid"), 2025, (dt.date(2025, 9, 20), None, "month")),
        (DatePoint(None, 9, None, part="late"), 2025, (dt.date(2025, 9, 30), None, "month")),
        (DatePoint(None, 6, None), 2025, (dt.date(2025, 6, 30), None, "month")),
        (DatePoint(None, 3, 10, hour=16), 2025, (dt.date(2025, 3, 10), dt.time(16, 0), "hour")),
        (DatePoint(None, 3, 10, hour=16, minute=30), 2025, (dt.date(2025, 3, 10), dt.time(16, 30), "minute")),
    ],
)
def test_resolve(point: DatePoint, year: int, expected: tuple[Any, ...]) -> None:
    assert point.resolve(year) == expected


def test_resolve_raises_for_a_day_the_year_lacks() -> None:
    (mention,), _ = find_dates("2月29日")
    assert mention.start.resolve(2024)[0] == dt.date(2024, 2, 29)
    with pytest.raises(ValueError):
        mention.start.resolve(2025)


def test_yearless_range_across_new_year_ends_next_year() -> None:
    (mention,), _ = find_dates("受理时间为12月1日至1月31日")
    start, end = mention.resolve(2024)
    assert start[0] == dt.date(2024, 12, 1)
    assert end is not None and end[0] == dt.date(2025, 1, 31)


def test_yearless_range_within_a_year_keeps_the_year() -> None:
    (mention,), _ = find_dates("3月15日至4月15日")
    assert mention.resolve(2025) == ((dt.date(2025, 3, 15), None, "day"), (dt.date(2025, 4, 15), None, "day"))


# --- vocabulary file ----------------------------------------------------------------------------


def _table_with(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    real = _dates_grammar.load_table("dates", _dates_grammar._KEYS)
    monkeypatch.setattr(_dates_grammar, "load_table", lambda name, allowed: {**real, **changes})


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"month_parts": {"底": "bottom"}}, "month_parts"),
        ({"time_of_day": {"下午": "evening"}}, "time_of_day"),
        ({"range_connectors": []}, "range_connectors"),
        ({"roc_bare_years": [199, 80]}, "roc_bare_years"),
        ({"numeral_digits": {"一": "one"}}, "numeral_digits"),
    ],
)
def test_malformed_vocabulary_names_the_key(
    monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any], key: str
) -> None:
    _table_with(monkeypatch, **changes)
    with pytest.raises(DataFileError, match=f"dates.yaml.*{key}"):
        _dates_grammar.load_vocab.__wrapped__()


def test_vocabulary_file_has_only_known_keys() -> None:
    data = _load(os.path.join(os.path.dirname(_dates_grammar.__file__), "data", "dates.yaml"))
    assert set(data) == set(_dates_grammar._KEYS)


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("二〇二五", 2025),
        ("二○二五", 2025),
        ("二零二五", 2025),
        ("十", 10),
        ("十二", 12),
        ("二十八", 28),
        ("三十一", 31),
        ("廿一", 21),
        ("一百一十四", 114),
        ("一一四", 114),
    ],
)
def test_chinese_numbers(token: str, value: int) -> None:
    assert _dates_grammar.load_vocab().chinese_number(token) == value


# --- the seeds ----------------------------------------------------------------------------------


def _gold_deadlines() -> list[Any]:
    if not os.path.exists(GOLD):
        return []
    with open(GOLD, encoding="utf-8") as fh:
        gold = json.load(fh)
    out = []
    for doc in gold["documents"]:
        for notice in doc["notices"]:
            for d in notice["deadlines"] + notice.get("optional_deadlines", []):
                if (
                    d.get("date") and "工作日" not in d["quote"]
                ):  # 提前10个工作日: computed, see test_workdays
                    out.append(
                        pytest.param(
                            d["quote"], d["date"], d.get("time"), id=f"{doc['file'][:3]}-{d['date']}"
                        )
                    )
    return out


@pytest.mark.parametrize(("quote", "date", "time"), _gold_deadlines())
def test_every_gold_deadline_date_is_read(quote: str, date: str, time: str | None) -> None:
    mentions, failures = find_dates(match_view(quote))
    year = int(date[:4])
    read = set()
    for m in mentions:
        start, end = m.resolve(year)
        for r in (start, end):
            if r is not None:
                read.add((r[0].isoformat(), r[1].strftime("%H:%M") if r[1] else None))
    assert (date, time) in read
    assert failures == []


@pytest.mark.skipif(not os.path.isdir(SEEDS), reason="seed documents not available")
def test_seeds_yield_no_failures_and_consistent_spans() -> None:
    total = 0
    for path in sorted(glob.glob(os.path.join(SEEDS, "*.txt"))):
        with open(path, encoding="utf-8") as fh:
            view = match_view(clean(fh.read()))
        mentions, failures = find_dates(view)
        assert failures == [], path
        _check_spans(view, mentions, failures)
        total += len(mentions)
    assert total >= 40


# --- properties ---------------------------------------------------------------------------------

_DATE_ALPHABET = list(
    "0123456789年月日号时点分:-./~至到起止次旬底末份民国华〇○零一二三四五六七八九十廿卅两上下中午晚半整、和()星期周 \t\n"
)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(_DATE_ALPHABET), max_size=80)
    | st.text(max_size=200)
    | st.lists(
        st.sampled_from(["2025年", "3月", "10日", "至", "16:00", "下午", "民国", "114年", " ", "、", "底"])
    ).map("".join)
)
def test_never_raises_and_spans_are_sound(text: str) -> None:
    mentions, failures = find_dates(text)
    _check_spans(text, mentions, failures)


def test_long_line_with_control_characters() -> None:
    text = ("\x00\x1b2025年3月\u200b10日\x7f" + "数" * 50 + "3月10日16:00\r") * 2000
    mentions, failures = find_dates(text)
    _check_spans(text, mentions, failures)
    assert len(mentions) == 4000
    assert {m.text for m in mentions} == {"2025年3月", "3月10日16:00"}


def _check_spans(text: str, mentions: list[DateMention], failures: list[Any]) -> None:
    spans = sorted([m.span for m in mentions] + [f.span for f in failures])
    for (_a, b), (c, _) in zip(spans, spans[1:], strict=False):
        assert b <= c
    for m in mentions:
        assert 0 <= m.span[0] < m.span[1] <= len(text)
        assert text[m.span[0] : m.span[1]] == m.text
    assert [m.span for m in mentions] == sorted(m.span for m in mentions)
    for f in failures:
        assert text[f.span[0] : f.span[1]] == f.quote
