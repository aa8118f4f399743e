"""The match view's traditional → simplified step converts only lines holding a character t2s may
change (issue 15): it must say exactly what OpenCC says over the whole text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_notices import sample_paths

from reminder.extract import simplify
from reminder.extract.normalize import clean

GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold" / "dev.json"


def _plain(text: str) -> str:
    """to_simplified as it was: the whole text through OpenCC, per character if the length changed."""
    converted = simplify._t2s(text)
    if len(converted) != len(text):
        converted = "".join(simplify._t2s(ch) if len(simplify._t2s(ch)) == 1 else ch for ch in text)
    return converted


def test_the_character_list_is_read_from_the_installed_dictionaries() -> None:
    assert simplify._changing() is not None, "data/t2s_changing.txt does not match the installed OpenCC"


def test_the_character_list_is_what_the_dictionaries_change() -> None:
    folder = simplify._share_dir()
    if folder is None or not (folder.parent.parent / "bin" / "opencc_dict").exists():
        pytest.skip("OpenCC's opencc_dict tool is not installed beside its dictionaries")
    stored = (Path(simplify.__file__).parent / "data" / "t2s_changing.txt").read_text("utf-8")
    assert stored == simplify.stored_text(folder)


def _texts() -> list[str]:
    texts = [clean(p.read_text(encoding="utf-8")) for p in sample_paths()]
    if GOLD.exists():  # the shared gold set (read at run time, never copied here)
        texts += [clean(d["text"]) for d in json.loads(GOLD.read_text())["documents"] if "text" in d]
    return texts


def test_real_notices_convert_as_a_whole() -> None:
    texts = _texts()
    skipped = 0
    for text in texts:
        assert simplify.to_simplified(text) == _plain(text)
        skipped += simplify._changing().search(text) is None  # type: ignore[union-attr]
    assert skipped, "no notice took the shortcut"


# traditional characters that phrases change (覆, 乾, 著, 於, 麼…), phrases (反覆, 乾隆, 一目瞭然),
# compatibility ideographs, characters beyond the BMP, simplified text, line breaks and punctuation
_PIECES = [
    "反覆", "覆蓋", "乾隆", "乾燥", "一目瞭然", "著作", "顯著", "於是", "什麼", "么麼", "么", "麽", "企業",
    "申報", "申报", "通知", "\n", "\n\n", "。", ",", " ", "2025年", "\uf900", "\ufa0e", "𠀀", "𡎴", "\U00020b9f",
    "臺灣", "台湾", "後", "后", "髮", "發", "云", "雲", "\r", "\t", "(", "a",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_random_texts_convert_as_a_whole(text: str) -> None:
    assert simplify.to_simplified(text) == _plain(text)
