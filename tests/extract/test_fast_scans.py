"""The scanning shortcuts find exactly what the plain regex scan finds (they only skip positions)."""

from __future__ import annotations

import random
import re

import pytest

from reminder.extract._dates_grammar import grammar
from reminder.extract.benefits_data import _NUM, benefit_vocab
from reminder.extract.contacts_data import contact_vocab
from reminder.extract.dates import _search, find_dates
from reminder.extract.facts_text import NUM, literal_finditer

_DATE_TEXTS = [
    "2025年度计划:于2025年3月10日前报送,2025 年 9 月 15 日截止",
    "每年3月、本月底、三个月内,二O二五年六月底前完成",
    "中华民国114年3月31日、民国 一一四 年 4 月 1 日、114年5月2日",
    "今年10月、明年1月底;2025年年底;2025年末",
    "12 月 1 日至 1 月 31 日,2025-03-28,2025/3/28 17:00",
    "第20243年度、2024年的、1990年以来、二〇二四年度、统一月度",
]


def _leftmost(text: str, pos: int) -> tuple[int, int] | None:
    m = grammar().date.search(text, pos)
    return m.span() if m else None


@pytest.mark.parametrize("text", _DATE_TEXTS)
def test_anchored_date_search_finds_the_leftmost_date(text: str) -> None:
    pos = 0
    while (m := _search(text, pos, grammar())) is not None:
        assert m.span() == _leftmost(text, pos)
        pos = m.start() + 1
    assert _leftmost(text, pos) is None


def test_anchored_date_search_on_random_date_fragments() -> None:
    rng = random.Random(7)
    alphabet = list("0123456789年月日 一二三四五六七八九十〇O零百两至-./:底末度个每本今中华民国") + [
        "2025年",
        "3月",
        "15日",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(3, 30)))
        pos = 0
        while (m := _search(text, pos, grammar())) is not None:
            assert m.span() == _leftmost(text, pos), text
            pos = m.start() + 1
        assert _leftmost(text, pos) is None, text


def test_year_of_a_plan_is_no_date_but_its_deadline_is() -> None:
    mentions, _ = find_dates("2025年度项目于2025年3月10日前申报")
    assert [m.text for m in mentions] == ["2025年3月10日"]


def test_heading_matches_found_from_their_first_characters() -> None:
    v = contact_vocab()
    text = "四、联系与咨询电话\n联系人：张三\n咨询电话：0571-1234567\n联系及咨询方式\n联络人、咨询"
    expected = [m.span() for m in v.heading.finditer(text, 2, len(text))]
    assert expected
    assert [m.span() for m in literal_finditer(v.heading, v.heading_firsts, text, 2, len(text))] == expected


def test_money_numbers_never_backtrack_yet_read_the_same() -> None:
    money = benefit_vocab().money
    plain = re.compile(money.pattern.replace(_NUM, NUM))
    assert plain.pattern != money.pattern
    texts = [
        "补助12345678901234567890",
        "三千万元至五千万元",
        "1,000.5万元",
        "五百万元、两千元、一亿元",
        "2024年3万",
    ]
    for text in texts:
        assert [(m.span(), m.groups()) for m in money.finditer(text)] == [
            (m.span(), m.groups()) for m in plain.finditer(text)
        ]
