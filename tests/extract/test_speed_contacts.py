"""Contacts' shortcut answers what the plain regex call answers: offices before phones
(:func:`contacts._office_phones`) found only before the phones' first digits, against
``office_phone.finditer`` over the whole lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_views

from reminder.extract import contacts
from reminder.extract.contacts_data import contact_vocab

# office names and their suffixes, long runs of Chinese, what stands between a name and its phone
_PIECES = [
    "高新科", "农业科", "办公室", "委员会", "科", "室", "中心", "局", "处", "市科学技术局", "经济发展",
    "联系人", "张三", "电话", "：", ":", " ", "\n", "(", ")", "0571", "5820679", "0", "12", "-", ",",
    "、", "。", "a", "中华人民共和国科学技术部火炬高技术产业开发中心",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def _check(text: str, l0: int = 0, l1: int | None = None) -> None:
    v = contact_vocab()
    l1 = len(text) if l1 is None else l1
    fast = [(m.span(), m.group("dept")) for m in contacts._office_phones(text, l0, l1, v)]
    assert fast == [(m.span(), m.group("dept")) for m in v.office_phone.finditer(text, l0, l1)], text


@settings(max_examples=600, deadline=None)
@given(_TEXTS, st.integers(0, 6), st.integers(0, 6))
def test_office_phones_is_finditer(text: str, cut0: int, cut1: int) -> None:
    _check(text, min(cut0, len(text)), max(min(cut0, len(text)), len(text) - cut1))


@pytest.mark.parametrize(
    "text",
    [
        "高新科5820679 农业科5820676",
        "中华人民共和国科学技术部火炬高技术产业开发中心 : (0571)5820679",
        "市科学技术局办公室0571-1234567科0571",
        "联系人：张三，科技局 0571",
    ],
)
def test_office_phones_examples(text: str) -> None:
    _check(text)


def test_office_phones_on_the_samples() -> None:
    for view in sample_views():
        _check(view)
