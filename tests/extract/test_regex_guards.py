"""The word tests run before costly regexes (issue 15) never skip a text the regex would match: a wrong
guard would silently drop a call cue, a news signal or page chrome."""

from __future__ import annotations

import re

import pytest
from sample_notices import sample_paths

from reminder.extract._data import needed_words, word_guard
from reminder.extract.normalize import clean, match_view
from reminder.extract.page_data import page_vocab
from reminder.extract.segment_data import vocab


def _texts() -> list[str]:
    """Sample notices (cleaned and as the match view), line by line and whole, plus lines written to
    trip each guarded pattern."""
    out = [
        "当前位置：首页 > 通知公告",
        "字号：大 中 小",
        "【打印本页】【关闭窗口】",
        "扫一扫在手机打开当前页 二维码",
        "浏览次数：120",
        "申报材料请于2025年3月1日前报送。",
        "具体申报时间另行通知。",
        "各省、自治区、直辖市科技厅(委、局):",
        "(新华社讯)",
        "本报记者 张三 报道",
    ]
    for path in sample_paths():
        cleaned = clean(path.read_text(encoding="utf-8"))
        for text in (cleaned, match_view(cleaned)):
            out.append(text)
            out += text.split("\n")
    return out


TEXTS = _texts()


def test_a_guarded_call_or_news_cue_finds_what_its_regex_finds() -> None:
    v = vocab()
    cues = [*v.call_cues, *v.news_rules]
    assert any(c.needs for c in cues), "no cue is guarded: the test would prove nothing"
    for cue in cues:
        for text in TEXTS:
            assert bool(cue.search(text)) == bool(cue.regex.search(text)), (cue.name, text[:80])


def test_the_chrome_guard_passes_every_line_chrome_matches() -> None:
    v = page_vocab()
    assert v.chrome_guard is not None
    hits = [t for t in TEXTS if v.chrome.search(t)]
    assert hits, "no text holds chrome: the test would prove nothing"
    assert all(v.chrome_guard.search(t) for t in hits)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(?:申报|受理)[^。]{0,30}另行通知", ("另行通知",)),
        ("二[维維]码", ("二維码", "二维码")),  # small classes spelled out
        ("(?:截止|截至)(?:日期)?", ("截止", "截至")),
        ("请[^。]{0,12}(?:于|在)", ("请",)),
        ("(?:开始)?申报", ("申报",)),  # an optional part requires nothing
        ("(?:申报)*材料", ("材料",)),
        ("(?=通知)关于", ("关于",)),  # a lookahead is not part of the match
        ("[^。]+", None),
        ("(?i)apply", None),  # case-insensitive: no literal word
        ("a|b|c|d", None),  # more words than are worth testing one by one
    ],
)
def test_needed_words(pattern: str, words: tuple[str, ...] | None) -> None:
    assert needed_words(re.compile(pattern)) == words


def test_word_guard_takes_the_rarest_words_of_each_alternative() -> None:
    guard = word_guard(re.compile("(?:手机页面)?二[维維]码|扫一扫|分享到\\s*:"))
    assert guard is not None
    assert [bool(guard.search(x)) for x in ("二维码", "扫一扫", "分享到:", "二等奖", "分享")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert word_guard(re.compile("通知|[^。]+")) is None  # one alternative requires no word
