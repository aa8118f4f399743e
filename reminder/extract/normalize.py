"""Text normalisation: from loader output to the cleaned text, and its aligned "match view".

Two texts per document:

* ``clean(raw)`` is what users see and quotes come from: line breaks inside sentences re-joined
  (PDF extraction breaks lines every ~25 characters), page-number lines and inline page markers
  (``—2—``) dropped, everything else verbatim (traditional characters, spaces, full-width digits).
* ``match_view(cleaned)`` is what rules read: traditional → simplified (OpenCC t2s), full-width ASCII
  → half-width. It has exactly the same length as its input, so a span found in the match view is
  the same span in the cleaned text and the quote can be cut from there.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
import unicodedata
from typing import TYPE_CHECKING

from reminder.extract.page_data import CHROME_LINE_MAX, page_vocab
from reminder.extract.regex_shortcuts import first_char_test
from reminder.extract.simplify import changing_units, to_simplified

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import numpy.typing as npt

__all__ = ["clean", "is_table_row", "match_view", "to_simplified"]

# A line that is only a page number: "12", "- 3 -", "—2—", "第 3 页", "3/12".
_PAGE_LINE = re.compile(r"^\s*(?:[-—–]\s*)?(?:第\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*页)?(?:\s*[-—–])?\s*$")
# An inline page marker left inside a sentence by PDF extraction: "首筆—2—合作".
_INLINE_PAGE = re.compile(r"[—–]\s?\d{1,3}\s?[—–]")
# A line that starts a new block: numbered item, Chinese ordinal heading, bracketed heading.
_BLOCK_START = re.compile(
    r"""^\s*(?:
        \d{1,2}\s*[\.、．](?!\d)            # 1.  14、
      | [一二三四五六七八九十]{1,3}\s*[、.．]  # 一、
      | [(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]  # (一) （1）
      | 第[一二三四五六七八九十\d]{1,3}[条章节]    # 第三条
      | 【                                 # 【申报条件】
      | 附件\s*\d*\s*[:：]?\s*$
      | (?:申[请請报報]|受理|[联聯][系繫]|咨[询詢]|截止|[报報]名)[\u4e00-\u9fff]{0,6}\s*[:：]  # 申請對象：
    )""",
    re.VERBOSE,
)
# A line opening with a short label and its colon (形式审查：5月1日至10日): two such lines in a row are
# items of a list (a schedule, a table of particulars), never one sentence wrapped (_should_join).
_LABEL_LINE = re.compile(r"[\u4e00-\u9fff]{2,6}[:：]")
# the colons it ends with, and where they stand at the latest after the line's first character
_LABEL_COLONS = ":："
_LABEL_REACH = 6
# A table-of-contents line: dot leaders then a page number.
_TOC_LEADER = re.compile(r"(?:\.{3,}|…{2,}|·{3,})\s*\d+\s*$")
# A title line ends where it ends even when it is as long as wrapped text: "…关于…的通知".
_TITLE_ENDS = "通知 公告 通告 指南 函 意见 意見 办法 辦法 细则 細則 方案 公示 启事 啟事 簡章 简章".split()
_TITLE_LINE = re.compile(r"^[^《〈<]*(?:[关關][于於]|[转轉][发發]).{4,}(?:" + "|".join(_TITLE_ENDS) + ")$")
# A date cut by a line break: "2025年8月" + "15日前…" (the first line ends with a digit, 年 or 月).
_DATE_HEAD = re.compile(r"^\d{1,2}\s*[日号號月]")
# Characters after which a line really ends.
_LINE_END = "。！？；：:;!?」』”）)】》"
# A line ending with a digit or one of these may go on with the day of a date (_DATE_HEAD).
_DATE_ENDS = "年月"
# A page number line ends with a digit or one of _PAGE_ENDS and starts with one or one of
# _PAGE_STARTS (what _PAGE_LINE needs at both ends of a line, tested before it).
_PAGE_ENDS = "页-—–"
_PAGE_STARTS = "-—–第"
# The dot leaders _TOC_LEADER needs (one of them), and the words _TITLE_LINE needs (关于/關於/转发/轉發).
_LEADERS = ".…·"
_ABOUT = "关關转轉"
# Lines this short and unpunctuated are usually headings or table cells, not wrapped text.
_MIN_WRAPPED = 14
# A metadata label or a bare page date starts its own line: never join it onto the title above
# (发布时间:… or 2023-07-24 16:32 under a title).
_META_START = re.compile(
    r"^(?:[-•·]\s*)?[\[【]?\s*(?:索\s*引\s*[号號]|[发發][布文](?:时间|時間|日期|机构|機構|单位|單位|部门|部門)"
    r"|[来來]源\s*[:：]|成文日期|生成日期|政策[级級][别別]|名\s*[称稱]\s*[:：]|文\s*[号號]\s*[:：]|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?:\s|$))"
)
# A line of these only (:::, | | |, ----) is layout, not text.
_SEPARATORS = " \t|:：-—=_*·•"
# Pinyin glosses injected by mirror sites after characters: 企業(yè), 創(chuàng )新. A tone mark is required,
# so (pdf), (ppt) and the like stay.
# (The bracket comes first and the character before it is checked behind it: a pattern that starts
# with a literal class is scanned for at C speed, one that starts with a lookbehind is tried everywhere.
# The same holds for the sentence-end patterns below: _SENTENCE_ITEM keeps its punctuation as group 1,
# _ITEM_BREAK and _SIGNATURE_BREAK, which a group at their start made twice as slow, as their first
# character.)
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_GLOSS = re.compile(rf"[(（](?<=[\u3400-\u9fff][(（])\s?[a-zü]*[{_TONES}][a-zü]*\s?[)）]")


def _has_tone(text: str) -> bool:
    """Whether ``text`` holds a tone-marked vowel (a gloss needs one: most texts have none). One ``in``
    per vowel: str.find runs memchr over the text, ~1 instruction a character, where the engine's
    search for a class of them tests each character at ~60."""
    return any(vowel in text for vowel in _TONES)


# A whole notice on one line (web pages that lost their paragraphs) is broken up again: after the
# addressee, before numbered items and contact lines, and before a trailing signature date.
_REFLOW_MIN = 120
_ADDRESSEE = re.compile(
    r"^(?![一二三四五六七八九十\d(（])[^。:：\n]{2,100}?"
    r"(?:单位|單位|企业|企業|部门|部門|局|委|政府|机构|機構|公司|高校|院所)[:：](?=.)"
)
# where an _ADDRESSEE match's colon can stand at the latest (100 characters, a word, the colon)
_ADDRESSEE_REACH = 110
# (the class in the first lookahead holds the first characters of the second's alternatives: most
# punctuation marks are followed by none of them, and one class test turns them down)
_ITEM_MARKS = "。;；:：,，!！?？"
_ITEM_AFTER_MARK = (
    r"\s*(?=[一二三四五六七八九十(（\d附联聯])(?=(?:[一二三四五六七八九十]{1,3}[、．.]|[(（][一二三四五六七八九十]{1,3}[)）]"
    r"|\d{1,2}[、．](?!\d)|\d{1,2}\.(?!\d)|附件\s*[:：\d]|[联聯][系係](?:人|方式|[电電][话話])))"
)
_ITEM_BREAK = re.compile(f"[{_ITEM_MARKS}]" + _ITEM_AFTER_MARK)
# what may follow a signature date at the end of a flattened notice (with whitespace, see _ends_with_day)
_SIGNATURE_TRAIL = ",，。."
_SIGNATURE_TAIL = re.compile(r"(\n(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[\s,，。.]+$")
# In lines of any length, a numbered item right after a sentence end starts a line of its own.
_SENTENCE_ENDS = "。;；"
_ITEM_AFTER_END = r"[ \t]*(?=(?:\d{1,2}[、．.](?!\d)|[(（][一二三四五六七八九十\d]{1,3}[)）])\S)"
_SENTENCE_ITEM = re.compile(f"([{_SENTENCE_ENDS}])" + _ITEM_AFTER_END)


# A break pattern ``[marks]`` + after, one pattern per mark (_by_mark): each opens with a literal, which
# the engine scans for like a find (~5 instructions a character), where it tests a class at every
# character (~60); a mark the text does not hold (``in``, memchr) is not scanned for at all.
_ByMark = tuple[tuple[str, re.Pattern[str]], ...]


def _by_mark(marks: str, after: str) -> _ByMark:
    return tuple((mark, re.compile(re.escape(mark) + after)) for mark in marks)


_ITEM_BREAK_BY_MARK = _by_mark(_ITEM_MARKS, _ITEM_AFTER_MARK)
_SENTENCE_ITEM_BY_END = _by_mark(_SENTENCE_ENDS, _ITEM_AFTER_END)
_SIGNATURE_BREAK = re.compile(
    r"[局厅廳委府室心组組院会會部处處科]\s*(?=(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[\s,，。.]*$)"
)


@functools.cache
def _control_chars() -> re.Pattern[str]:
    """Control, format, surrogate, private-use and unassigned characters (Unicode category C*) except
    tab and newline: one character class, so cleaning runs at regex speed rather than per character."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x110000 if _FULL_SCAN else 0x10000):
        if chr(code) not in "\n\t" and unicodedata.category(chr(code))[0] == "C":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    if not _FULL_SCAN:
        # beyond the BMP: format characters (tags, musical/shorthand controls) and the private-use planes
        ranges += [
            (0x110BD, 0x110BD),
            (0x1BCA0, 0x1BCA3),
            (0x1D173, 0x1D17A),
            (0xE0000, 0xE0FFF),
            (0xF0000, 0x10FFFF),
        ]
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )
    return re.compile(f"[{body}]+")


# Scanning all 1.1M code points costs ~0.5 s at first use; the BMP plus known astral ranges is enough.
_FULL_SCAN = False


def _printable(text: str) -> bool:
    """Whether ``text`` holds no character _control_chars removes (a cheap C-speed test: str.isprintable
    is False for every category C* character, and for separators, of which only newline, tab and the
    ideographic space are common). Tabs and ideographic spaces are looked for only in a text that is
    not printable without them (most texts hold neither)."""
    spaced = text.replace("\n", " ")
    return spaced.isprintable() or spaced.replace("\t", " ").replace("\u3000", " ").isprintable()


# What clean asks of every character before the line loop (may NFC change it? printable? a tone mark?
# a chrome trigger? a line break?), looked up for all characters at once: numpy over the text's UTF-16
# code units, ~20 instructions a character where the engine's search for a class costs ~60,
# str.isprintable ~28 and unicodedata's NFC test ~26. A class only says where to look: the plain
# test still answers for a text that holds one (most hold none).
_NOT_PRINTABLE, _TONE, _TRIGGER, _NEWLINE, _NOT_NFC = 1, 2, 4, 8, 16
# numpy's calls cost ~100,000 instructions a text: more than the look-up saves on a shorter one
_CLASSES_FROM = 2000


@functools.cache
def _bmp() -> str:
    """Every BMP code point in order: what the look-up tables are built over."""
    return "".join(map(chr, range(0x10000)))


def _where(test: Callable[[str], object]) -> npt.NDArray[np.bool_]:
    """Whether ``test`` holds for each BMP code point: mapped over them at C speed (a table is built
    at a process's first long text; a Python loop over 65,536 characters per test cost ~0.1 s of a
    one-file ``reminder extract``)."""
    import numpy as np

    return np.fromiter(map(bool, map(test, _bmp())), dtype=np.bool_, count=0x10000)


@functools.cache
def _class_table() -> npt.NDArray[np.uint8]:
    """Code unit → its classes, read from the tests they stand for (_printable, _TONES, the trigger,
    unicodedata); a few ms once per process."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint8)
    # (str.isprintable first: _printable lets through only some of the characters it turns down)
    unprintable = np.flatnonzero(~_where(str.isprintable)).tolist()
    table[[u for u in unprintable if not _printable(chr(u))]] |= _NOT_PRINTABLE
    table[[ord(vowel) for vowel in _TONES]] |= _TONE
    table[_matching(page_vocab().chrome_trigger)] |= _TRIGGER
    table[ord("\n")] |= _NEWLINE
    # what NFC may change: a character not NFC alone, one that is reordered (its combining class) or
    # composed with the one before it (it follows another in a decomposition), a surrogate
    nfd = functools.partial(unicodedata.normalize, "NFD")
    decomposed = np.flatnonzero(np.fromiter(map(len, map(nfd, _bmp())), dtype=np.intp, count=0x10000) > 1)
    tails = {tail for u in decomposed.tolist() for tail in nfd(chr(u))[1:]}
    table[[ord(tail) for tail in tails]] |= _NOT_NFC
    table[_where(unicodedata.combining)] |= _NOT_NFC
    table[~_where(functools.partial(unicodedata.is_normalized, "NFC"))] |= _NOT_NFC
    table[0xD800:0xE000] |= _NOT_NFC
    return table


def _char_classes(text: str) -> npt.NDArray[np.uint8] | None:
    """The _class_table classes of each character of ``text``; None for a short text (_CLASSES_FROM)
    or one beyond the BMP (its code units are not its characters): the plain tests answer there."""
    if len(text) < _CLASSES_FROM or (units := _code_units(text)) is None:
        return None
    return _class_table().take(units)


def _code_units(text: str) -> npt.NDArray[np.uint16] | None:
    """The UTF-16 code units of ``text``, one per character, that the look-up tables are read with;
    None beyond the BMP (a character there is two units)."""
    import numpy as np

    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return units if len(units) == len(text) else None


def _may_hold(classes: npt.NDArray[np.uint8] | None, bit: int) -> bool:
    """Whether a character of ``classes`` is of the class ``bit`` (True without classes)."""
    return classes is None or bool((classes & bit).any())


def _classes_of(
    text: str, before: str, classes: npt.NDArray[np.uint8] | None
) -> npt.NDArray[np.uint8] | None:
    """The _char_classes of ``text``: ``classes`` (those of ``before``) if a step left it as it was."""
    return classes if text is before else _char_classes(text)


def _wide_at(wrap_width: int) -> float:
    """The length from which a line counts as wrapped: it runs close to the page width."""
    return max(min(_MIN_WRAPPED, wrap_width - 4), wrap_width * 0.6)


def _should_join(p: str, n: str, wide_at: float) -> bool:
    """Whether line ``n`` continues the sentence that line ``p`` left unfinished (``p`` right-stripped,
    ``n`` stripped, both non-empty; ``wide_at``: _wide_at of the text's wrap width)."""
    last = p[-1]
    # A wrapped line runs close to the page width; a short one ends a heading or cell.
    if len(p) < wide_at and not (_date_end(last) and _DATE_HEAD.match(n)):
        return False  # whatever the tests below say (they only veto a join): the cheap answer first
    if last in _LINE_END or "|" in p:  # table rows do not wrap
        return False
    # what _TOC_LEADER needs (a final digit, a leader character) is tested before it
    if last.isdecimal() and _holds(p, _LEADERS) and _TOC_LEADER.search(p):
        return False
    # a row of cells is a line of its own, as is the row after it (is_table_row, inline: every line)
    if "\t" in n or ("\t" in p and "\t" in p.strip()):
        return False
    # (each pattern is tried only on a line whose first character can start it: most cannot)
    if (_NEXT_MAY[n[0]] and _NEXT_BREAK.match(n)) or (_META_MAY[p[0]] and _META_START.match(p)):
        return False
    # 形式审查：… under 申报受理：…: one item of a list under another
    if _labeled(n) and _labeled(p.lstrip()):
        return False
    # 关于/關於/转发/轉發: a title line ends where it ends
    return not (_holds(p, _ABOUT) and _title_line(p))


def _labeled(line: str) -> bool:
    """Whether the stripped ``line`` opens with a short label and its colon (_LABEL_LINE)."""
    head = line[2 : _LABEL_REACH + 1]
    return _holds(head, _LABEL_COLONS) and _LABEL_LINE.match(line) is not None


def _holds(line: str, chars: str) -> bool:
    """Whether ``line`` holds one of ``chars`` (one ``in`` each, C speed)."""
    return any(ch in line for ch in chars)


def _title_line(line: str) -> bool:
    """Whether ``line`` is a title (_TITLE_LINE, after its item number and tag)."""
    return _TITLE_LINE.match(_strip_numbering(line)) is not None


# _BLOCK_START or _META_START: the line after a break starts a block of its own (one match, not two)
_NEXT_BREAK = re.compile(f"(?x:{_BLOCK_START.pattern})|(?:{_META_START.pattern})")
# the characters each can start with (first_char_test; a pattern matching anywhere if it cannot say)
_NEXT_FIRST = first_char_test(_NEXT_BREAK) or re.compile("")
_META_FIRST = first_char_test(_META_START) or re.compile("")


class _FirstCharTest(dict[str, bool]):
    """``test.match(ch) is not None`` for a one-character pattern ``test``, remembered per character: a
    dict lookup, where an engine call costs ~1,500 instructions (_should_join asks twice a line)."""

    def __init__(self, test: re.Pattern[str]) -> None:
        super().__init__()
        self.test = test

    def __missing__(self, ch: str) -> bool:
        self[ch] = found = self.test.match(ch) is not None
        return found


_NEXT_MAY = _FirstCharTest(_NEXT_FIRST)
_META_MAY = _FirstCharTest(_META_FIRST)


def is_table_row(line: str) -> bool:
    """Whether ``line`` is a row of table cells: a tab between two of its cells (spreadsheets, Word
    and web tables are loaded one row a line, cells tab-separated). A row ends where it ends: it is
    never joined to the line before or after it.

    >>> is_table_row("1\\t申报要求\\t申报截止时间为2025年4月21日。"), is_table_row("\\t申报截止时间为4月21日。")
    (True, False)
    """
    return "\t" in line and "\t" in line.strip()


_NUMBERING = re.compile(r"^\s*(?:\d{1,3}\s*[.、．]\s*)?(?:【[^】]{0,20}】\s*)?")


def _strip_numbering(line: str) -> str:
    """The line without a leading item number and 【tag】: "2.【省级】关于…" → "关于…"."""
    # anchored at the start: one match there (a sub would try every position of the line)
    numbering = _NUMBERING.match(line)
    return line[numbering.end() :] if numbering else line


def _wrap_width(stripped: list[str]) -> int:
    """The typical width of wrapped lines (the 80th percentile of the lengths of the stripped lines)."""
    lengths = sorted(filter((4).__lt__, map(len, stripped)))  # (no Python-level loop)
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.8)]


def _drop_chrome(text: str, classes: npt.NDArray[np.uint8] | None = None) -> str:
    """The text without page chrome (navigation, 字号 大 中 小, 分享到, 浏览次数…) and without lines
    left holding only separators. Chrome sits on short lines holding one of the trigger characters;
    only those are searched (``classes``: the _char_classes of ``text``, else the engine finds them)."""
    v = page_vocab()
    if classes is not None:
        spans = _classed_trigger_lines(text, classes)
    else:
        spans = _trigger_lines(text, v.chrome_trigger)
    lines = [text[start:end] for start, end in spans]
    # the words chrome needs are looked for in all those lines at once (most hold none)
    guarded = range(len(lines)) if v.chrome_guard is None else sorted(_lines_hit(v.chrome_guard, lines=lines))
    emptied = False
    for i in guarded:
        stripped = v.chrome.sub("", lines[i])
        if stripped != lines[i] and v.residue.match(stripped):
            emptied = True
            stripped = "\x00"  # (clean removed the control characters: no other line is a NUL)
        lines[i] = stripped
    out = _sub_lines(text, spans, lines)
    return out if not emptied else "\n".join(ln for ln in out.split("\n") if ln != "\x00")


def _trigger_lines(text: str, trigger: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where the lines of at most CHROME_LINE_MAX characters that hold a ``trigger`` character start and
    end, in order (what ``page_vocab().chrome_line`` finds, but the regex engine only looks for
    trigger characters instead of trying a line start at every position)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (hit := trigger.search(text, pos)) is not None:
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.start())
        if end == -1:
            end = len(text)
        if end - start <= CHROME_LINE_MAX:
            spans.append((start, end))
        pos = end + 1
    return spans


def _classed_trigger_lines(text: str, classes: npt.NDArray[np.uint8]) -> list[tuple[int, int]]:
    """_trigger_lines(text, page_vocab().chrome_trigger) read from the _char_classes of ``text`` (one
    code unit a character): the triggers and line breaks are found at once, each trigger's line is
    the number of line breaks before it."""
    import numpy as np

    at = np.flatnonzero((classes & (_TRIGGER | _NEWLINE)) != 0)
    is_break = (classes.take(at) & _NEWLINE) != 0
    if is_break.all():
        return []
    breaks = at[is_break]
    lines = np.unique(np.cumsum(is_break)[~is_break])
    starts = np.concatenate(([-1], breaks)).take(lines) + 1
    ends = np.concatenate((breaks, [len(text)])).take(lines)
    short = ends - starts <= CHROME_LINE_MAX
    return list(zip(starts[short].tolist(), ends[short].tolist(), strict=True))


def _sub_lines(text: str, spans: list[tuple[int, int]], lines: list[str]) -> str:
    """``text`` with the line at each of ``spans`` (in order) replaced by the line of ``lines`` there."""
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for (start, end), line in zip(spans, lines, strict=True):
        parts += (text[last:start], line)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _reflow(line: str) -> str:
    """A very long line broken where its paragraphs were (addressee, items, contacts, signature date)."""
    if len(line) < _REFLOW_MIN:
        return line
    return _break_signature(_ITEM_BREAK.sub(_break_after_first, _break_addressee(line)))


def _reflow_lines(lines: list[str]) -> list[str]:
    """``[_reflow(x) if not is_table_row(x) else x for x in lines]`` (in place), the item breaks looked
    for in all the long lines at once (_lines_holding): most lines hold none, and are not searched one
    by one."""
    at = [i for i, x in enumerate(lines) if len(x) >= _REFLOW_MIN and not is_table_row(x)]
    heads = [_break_addressee(lines[i]) for i in at]
    holding = _lines_holding(_ITEM_BREAK_BY_MARK, heads)
    for k, (i, line) in enumerate(zip(at, heads, strict=True)):
        lines[i] = _break_signature(_ITEM_BREAK.sub(_break_after_first, line) if k in holding else line)
    return lines


def _break_addressee(line: str) -> str:
    """The long ``line`` broken after the addressee it opens with."""
    # (a match ends with the line's first colon, within its first _ADDRESSEE_REACH characters: most
    # long lines have none there, and the lazy run is not tried)
    head = line[:_ADDRESSEE_REACH]
    if ":" in head or "：" in head:
        return _ADDRESSEE.sub(lambda m: m.group(0) + "\n", line, count=1)
    return line


def _break_signature(line: str) -> str:
    """The long ``line`` broken before the signature date it ends with."""
    if not _ends_with_day(line):
        return line  # neither signature pattern can match
    line = _SIGNATURE_BREAK.sub(_break_after_first, line)
    # the signature date now ends the notice: stray punctuation after it is the flattening's
    return _SIGNATURE_TAIL.sub(r"\1", line) if "\n" in line else line


def _sub_by_mark(patterns: _ByMark, text: str) -> str:
    """What the break pattern ``patterns`` come from (_by_mark) subs in ``text`` with
    _break_after_first, one mark after the other. A match is a mark and the whitespace after it, and
    what a match reads beyond that holds no mark followed by whitespace, except as its last character:
    no mark's line break changes another's matches."""
    for mark, pattern in patterns:
        if mark in text:
            text = pattern.sub(_break_after_first, text)
    return text


def _lines_holding(patterns: _ByMark, lines: list[str]) -> set[int]:
    """The indexes of the ``lines`` in which the break pattern ``patterns`` come from (_by_mark) matches,
    found in one scan per mark over the lines joined by NUL. A match in a line is one in the joined
    text: what a match reads stays within the line (NUL is no digit, as the line's end is not), and
    no match reads past a NUL (it is no whitespace: a paragraph's last mark is not read as followed by
    the item the next line starts with)."""
    joined = "\0".join(lines)
    return _lines_hit(*(pattern for mark, pattern in patterns if mark in joined), lines=lines, joined=joined)


def _lines_hit(*patterns: re.Pattern[str], lines: list[str], joined: str | None = None) -> set[int]:
    """The indexes of the ``lines`` in which one of ``patterns`` matches at least once, found in the
    lines joined by NUL (``joined``, else joined here): what a pattern matches must hold no NUL."""
    joined = "\0".join(lines) if joined is None else joined
    found: set[int] = set()
    starts: list[int] = []  # where each line after the first starts
    for pattern in patterns:
        for m in pattern.finditer(joined):
            starts = starts or list(itertools.accumulate(len(x) + 1 for x in lines))
            found.add(bisect.bisect_right(starts, m.start()))
    return found


def _break_after_first(m: re.Match[str]) -> str:
    """The match's first character (its punctuation or issuer's last character), then a line break
    instead of the spaces after it (_ITEM_BREAK, _SIGNATURE_BREAK: starting with a class rather than a
    group, they are scanned for at C speed, twice as fast on long lines)."""
    return m.group()[0] + "\n"


def _ends_with_day(line: str) -> bool:
    """Whether ``line`` ends with 日 followed only by whitespace and ,，。. (as a signature date does)."""
    while (stripped := line.rstrip().rstrip(_SIGNATURE_TRAIL)) != line:
        line = stripped
    return line.endswith("日")


def _prepared(raw: str) -> str:
    """``raw`` before its lines are joined: NFC, line breaks ``\\n``, without control characters, inline
    page markers, pinyin glosses and page chrome. The tests for characters read _char_classes, found
    again only after a step that changed the text (most steps change nothing)."""
    text = raw.lstrip("\ufeff")
    classes = _char_classes(text)
    before = text
    if _may_hold(classes, _NOT_NFC):
        text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    classes = _classes_of(text, before, classes)
    # (zero-width spaces and joiners, U+2060 and U+FEFF are format characters: _control_chars takes them)
    before = text
    if _may_hold(classes, _NOT_PRINTABLE) and not _printable(text):
        text = _control_chars().sub("", text)
    text = _drop_inline_pages(text)
    classes = _classes_of(text, before, classes)
    if _may_hold(classes, _TONE) and _has_tone(text):
        before, text = text, _GLOSS.sub("", text)
        classes = _classes_of(text, before, classes)
    return _drop_chrome(text, classes)


def clean(raw: str) -> str:
    """Cleaned text: lines re-joined, page numbers dropped, characters otherwise verbatim.

    Web-page text also loses its chrome and injected pinyin glosses, and a notice written on one
    line is broken into paragraphs again.

    >>> clean("职工总数不超过 500 人、年销售收入不超过 2 亿元、\\n2\\n资产总额不超过 2 亿元。")
    '职工总数不超过 500 人、年销售收入不超过 2 亿元、资产总额不超过 2 亿元。\\n'
    """
    lines, stripped = _lines_of(_prepared(raw))
    wide_at = _wide_at(_wrap_width(stripped))
    out = _joined_at_once(lines, stripped, wide_at)
    if out is None:
        out = _joined(lines, stripped, wide_at)
    text = "\n".join(_reflow_lines(out))
    return _break_items(text).strip() + "\n"


def _lines_of(text: str) -> tuple[list[str], list[str]]:
    """The lines of ``text`` right-stripped, and stripped."""
    # table rows keep their cells but lose the bars at their edges (关于…的通知 | |||)
    lines = list(map(str.rstrip, text.split("\n")))  # (map: no Python-level loop)
    if "|" in text:
        lines = [ln.rstrip(" \t|").rstrip() if ln.endswith("|") else ln for ln in lines]
    return lines, list(map(str.strip, lines))


def _joined(lines: list[str], stripped: list[str], wide_at: float) -> list[str]:
    """The paragraphs of ``lines`` (right-stripped; ``stripped``: the same stripped): page number lines
    dropped, each line that continues the one above (_should_join) joined onto it, blank and separator
    lines only ending a paragraph."""
    out: list[str] = []
    last = ""  # the last physical line kept: its width tells whether it wrapped
    last_end = ""  # its last character (read once: each s[-1] of a CJK character is a new string)
    for line, s in zip(lines, stripped, strict=True):
        end = s[-1:]
        if s and _page_end(end) and _page_start(s[0]) and _PAGE_LINE.match(line):
            continue
        if line[:1] in _SEPARATORS and not line.strip(_SEPARATORS):
            s = ""  # a separator row breaks paragraphs like a blank line
        if not s:
            last = ""
            if out and out[-1] != "":
                out.append("")
            continue
        # (what _should_join answers first, inline: a short line ends where it ends, unless a date
        # goes on; most short lines are decided without the call)
        if (
            last
            and (len(last) >= wide_at or _date_end(last_end))
            and last_end not in _LINE_END
            and _should_join(last, s, wide_at)
        ):
            out[-1] += s
        else:
            out.append(_unbarred(s))
        last, last_end = line, end
    return [x for x in out if x]


def _page_end(ch: str) -> bool:
    """Whether a page number line may end with ``ch``."""
    return ch.isdecimal() or ch in _PAGE_ENDS


def _page_start(ch: str) -> bool:
    """Whether a page number line may start with ``ch`` (after its spaces)."""
    return ch.isdecimal() or ch in _PAGE_STARTS


def _date_end(ch: str) -> bool:
    """Whether a line ending with ``ch`` may go on with the day of a date (_DATE_HEAD)."""
    return ch.isdecimal() or ch in _DATE_ENDS


def _unbarred(s: str) -> str:
    """The stripped line ``s`` as a paragraph starts with it: without the bars a table row opens with."""
    return s.lstrip(" \t|").lstrip() if s[:1] == "|" else s


# What _joined asks of the characters that start and end each line (and its patterns need there),
# looked up for all lines at once (_line_table): a Python statement a line costs ~300 instructions
# even in a C-level map, a numpy call ~7,000 whatever the number of lines.
_L_LINE_END, _L_DATE_END, _L_DECIMAL, _L_PAGE_END, _L_PAGE_START, _L_SEPARATOR, _L_NEXT, _L_META = (
    1 << bit for bit in range(8)
)
_L_TITLE_END, _L_BAR, _L_SPACE = 1 << 8, 1 << 9, 1 << 10
# below this many lines numpy's calls cost more than the Python loop they replace
_JOIN_AT_ONCE_FROM = 64


@functools.cache
def _line_table() -> npt.NDArray[np.uint16]:
    """Code unit → the _L_ classes of its character, read from the tests they stand for."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint16)
    decimal, space = _matching(re.compile(r"\d")), _matching(re.compile(r"\s"))  # (sre: isdecimal, isspace)
    classes: list[tuple[int, list[int]]] = [
        (_L_LINE_END, _code_points(_LINE_END)),
        (_L_DATE_END, decimal + _code_points(_DATE_ENDS)),  # (_date_end)
        (_L_DECIMAL, decimal),
        (_L_PAGE_END, decimal + _code_points(_PAGE_ENDS)),  # (_page_end)
        (_L_PAGE_START, decimal + _code_points(_PAGE_STARTS)),  # (_page_start)
        (_L_SEPARATOR, _code_points(_SEPARATORS)),
        (_L_NEXT, _matching(_NEXT_MAY.test)),  # (what _NEXT_MAY remembers per character)
        (_L_META, _matching(_META_MAY.test)),
        (_L_TITLE_END, _code_points("".join(word[-1] for word in _TITLE_ENDS))),
        (_L_BAR, _code_points("|")),
        (_L_SPACE, space),
    ]
    for bit, points in classes:
        table[points] |= bit
    return table


def _code_points(chars: str) -> list[int]:
    return [ord(ch) for ch in chars]


def _matching(test: re.Pattern[str]) -> list[int]:
    """The BMP code points a one-character pattern matches (the empty one: all), in one scan."""
    return [m.start() for m in test.finditer(_bmp()) if m.start() < 0x10000]


def _joined_at_once(lines: list[str], stripped: list[str], wide_at: float) -> list[str] | None:
    """_joined(lines, stripped, wide_at), each line's tests read from the _line_table classes of the
    characters that start and end it, for all lines at once (numpy): the patterns are tried only on
    the few lines whose characters let them match. None for few lines (_JOIN_AT_ONCE_FROM), characters
    beyond the BMP (their code units are not characters) or an empty text: _joined answers there."""
    if len(lines) < _JOIN_AT_ONCE_FROM:
        return None
    import numpy as np

    at = _LineClasses.of(lines, stripped)
    if at is None:
        return None
    # page number lines are dropped (they do not break a paragraph)
    page = np.flatnonzero(at.has(at.last, _L_PAGE_END) & at.has(at.first, _L_PAGE_START)).tolist()
    kept = np.flatnonzero(~at.marks([i for i in page if _PAGE_LINE.match(lines[i])]))
    # a blank line or a separator row (it starts and ends with a separator) breaks paragraphs
    seps = np.flatnonzero(at.has(at.opening, _L_SEPARATOR) & at.has(at.last, _L_SEPARATOR)).tolist()
    blank = ~at.nonblank | at.marks([i for i in seps if not lines[i].strip(_SEPARATORS)])
    # what line p (kept) must be for line n (the next kept one) to join it, the patterns aside (a blank
    # line n is no paragraph's, and joins none: it is line p of the next pair)
    p, n = kept[:-1], kept[1:]
    wide = at.lengths >= wide_at
    may = ~blank[p] & ~at.has(at.last, _L_LINE_END)[p]
    if "|" in at.body:
        may &= ~at.holding("|")[p]
    if "\t" in at.body:
        row = at.holding("\t", after_spaces=True)
        may &= ~row[p] & ~row[n]
    dated = np.flatnonzero(may & ~wide[p] & at.has(at.last, _L_DATE_END)[p]).tolist()
    may &= wide[p]
    may[[k for k in dated if _DATE_HEAD.match(stripped[n[k]])]] = True
    # the patterns, each tried only on the lines whose characters let it match (the cheap ones first)
    for side, can_match, veto in (
        (n, at.has(at.first, _L_NEXT), lambda i: _NEXT_BREAK.match(stripped[i])),
        (p, at.has(at.opening, _L_META), lambda i: _META_START.match(lines[i])),
        (
            p,
            at.has(at.last, _L_DECIMAL),
            lambda i: _holds(lines[i], _LEADERS) and _TOC_LEADER.search(lines[i]),
        ),
        (p, at.has(at.last, _L_TITLE_END), lambda i: _holds(lines[i], _ABOUT) and _title_line(lines[i])),
    ):
        tried = np.flatnonzero(may & can_match[side]).tolist()
        may[[k for k in tried if veto(side[k])]] = False
    if _holds(at.body, _LABEL_COLONS):  # a labeled line under another (_should_join)
        label = at.colon_within(_LABEL_COLONS, 2, _LABEL_REACH)
        tried = np.flatnonzero(may & label[n] & label[p]).tolist()
        may[[k for k in tried if _labeled(stripped[n[k]]) and _labeled(stripped[p[k]])]] = False
    # the stripped lines kept and not blank, a line break before each that does not join the one
    # before it (the first one: the text opens with one)
    nonblank = kept[~blank[kept]]
    if not len(nonblank):
        return []
    opening = np.flatnonzero(~at.marks(n[may])[nonblank])
    order = np.insert(nonblank, opening, len(stripped)).tolist()
    paragraphs = "".join(operator.itemgetter(*order)([*stripped, "\n"])).split("\n")[1:]
    if "|" in at.body:  # (the bars a paragraph opens with: _joined never joins onto a line with one)
        paragraphs = list(filter(None, map(_unbarred, paragraphs)))
    return paragraphs


class _LineClasses:
    """Where each of a text's lines ends, and the _line_table classes of the characters it starts
    with (``first``, after its leading spaces; ``opening``, before them) and ends with (``last``); 0
    for a blank line. Read from the text's code units (``body``: the lines joined by line breaks)."""

    def __init__(self, body: str, units: npt.NDArray[np.uint16], stripped: list[str]) -> None:
        import numpy as np

        self.body, self.units = body, units
        table = _line_table()
        self.ends = np.append(np.flatnonzero(units == ord("\n")), len(units))
        starts = np.insert(self.ends[:-1] + 1, 0, 0)
        self.lengths = self.ends - starts
        self.nonblank = self.lengths > 0  # (right-stripped lines: a character is no space)
        blank = ~self.nonblank
        self.opening = table.take(units.take(starts, mode="clip"))
        self.last = table.take(units.take(self.ends - 1, mode="clip"))
        self.opening[blank] = self.last[blank] = 0
        # (few lines open with spaces: their first characters are looked for one by one)
        self.first_at, self.first = starts, self.opening
        spaced = np.flatnonzero(self.opening & _L_SPACE).tolist()
        if spaced:
            self.first_at, self.first = starts.copy(), self.opening.copy()
            for i in spaced:
                self.first_at[i] = self.ends[i] - len(stripped[i])
            self.first[spaced] = table.take(units.take(self.first_at[spaced]))

    @classmethod
    def of(cls, lines: list[str], stripped: list[str]) -> _LineClasses | None:
        """The classes of ``lines`` (right-stripped; ``stripped``: stripped), None beyond the BMP or
        for no character at all."""
        body = "\n".join(lines)
        units = _code_units(body)
        return cls(body, units, stripped) if units is not None and body else None

    @staticmethod
    def has(classes: npt.NDArray[np.uint16], bit: int) -> npt.NDArray[np.bool_]:
        """Whether each of ``classes`` holds ``bit``."""
        return (classes & bit).astype(bool)

    def marks(self, lines: list[int] | npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """True at the given line indexes."""
        import numpy as np

        marked = np.zeros(len(self.ends), dtype=bool)
        marked[lines] = True
        return marked

    def colon_within(self, colons: str, lo: int, hi: int) -> npt.NDArray[np.bool_]:
        """Whether each line holds one of ``colons`` ``lo`` to ``hi`` characters after its first one
        (after its leading spaces)."""
        import numpy as np

        hit = self.units == ord(colons[0])
        for ch in colons[1:]:
            hit |= self.units == ord(ch)
        at = np.flatnonzero(hit)
        if not len(at):
            return np.zeros(len(self.ends), dtype=bool)
        nxt = np.searchsorted(at, self.first_at + lo)
        found = nxt < len(at)
        pos = at[np.minimum(nxt, len(at) - 1)]
        within: npt.NDArray[np.bool_] = found & (pos - self.first_at <= hi) & (pos < self.ends)
        return within

    def holding(self, ch: str, after_spaces: bool = False) -> npt.NDArray[np.bool_]:
        """Whether each line holds ``ch`` (after its leading spaces)."""
        import numpy as np

        found = np.flatnonzero(self.units == ord(ch))
        line = np.searchsorted(self.ends, found)
        return self.marks(line[found >= self.first_at.take(line)] if after_spaces else line)


def _drop_inline_pages(text: str) -> str:
    """``_INLINE_PAGE.sub("", text)``. Every match starts with a dash: the pattern is tried only where a
    dash stands (str.find, C speed; a text has a few), where the engine would test every character.
    A text of many dashes (separator rows) is left to the engine."""
    dashes = _dash_positions(text)
    if dashes is None:
        return _INLINE_PAGE.sub("", text)
    parts: list[str] = []
    last = 0
    for at in dashes:
        if at < last:
            continue  # inside the page marker just dropped (re.sub resumes after a match too)
        m = _INLINE_PAGE.match(text, at)
        if m is not None:
            parts.append(text[last:at])
            last = m.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


# above this many dashes the engine's own scan is the faster way
_FEW_DASHES = 64


def _dash_positions(text: str) -> list[int] | None:
    """Where the dashes of ``text`` stand, in order; None when there are more than _FEW_DASHES (found
    by str.find, which runs memchr: str.count compares every character)."""
    found: list[int] = []
    for dash in "—–":
        at = text.find(dash)
        while at >= 0:
            if len(found) == _FEW_DASHES:
                return None
            found.append(at)
            at = text.find(dash, at + 1)
    return sorted(found)


def _break_items(text: str) -> str:
    """``text`` with a numbered item after a sentence end put on a line of its own, except inside a
    table row (its cells stay on its line)."""
    if "\t" not in text:
        return _sub_by_mark(_SENTENCE_ITEM_BY_END, text)  # (most texts hold no such item: three scans)
    return "\n".join(x if is_table_row(x) else _SENTENCE_ITEM.sub("\\1\n", x) for x in text.split("\n"))


# Full-width ASCII → half-width, ideographic space → space; both one character to one.
_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# str.translate with a dict looks up every character; only runs of the characters it maps are
# translated (the rest is copied at regex speed).
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF = {chr(k): chr(v) for k, v in _WIDTH.items()}


def _half_width(text: str) -> str:
    if not _may_hold_full_width(text):
        return text  # (most texts: the class search below tests every character at ~60 instructions)
    # a text uses a handful of them: one str.replace (C speed) per character present
    for ch in set(_FULL_WIDTH.findall(text)):
        text = text.replace(ch, _HALF[ch])
    return text


def _may_hold_full_width(text: str) -> bool:
    """False when ``text`` holds none of the characters _WIDTH maps, found at ~10 instructions a
    character: U+3000 by ``in``, U+FF01–FF5E by their byte 0xFF. In UTF-32-LE a character's second
    byte is 0xFF only for U+xFFxx; another 0xFF byte (U+xxFF) is skipped. (True may also mean a
    character U+xFFxx that _WIDTH does not map.)"""
    if "\u3000" in text:
        return True
    data = text.encode("utf-32-le", "surrogatepass")
    at = data.find(b"\xff")
    while at >= 0:
        if at % 4 == 1:
            return True
        at = data.find(b"\xff", at + 1)
    return False


# What match_view asks of every character (full width? may t2s change it once half-width?), looked
# up for all characters at once as clean does (_char_classes): one pass for both questions, where
# each was one over the text (the UTF-32 bytes for the first, the engine's class search for the
# second, ~60 instructions a character).
_WIDE, _CHANGING = 1, 2
# (numpy's calls cost more than the look-up saves on a shorter text)
_VIEW_TABLE_FROM = 1000


@functools.cache
def _view_table() -> npt.NDArray[np.uint8] | None:
    """Code unit → its match_view classes; None when t2s is not read from the stored characters."""
    if (changing := changing_units()) is None:
        return None
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint8)
    half = np.arange(0x10000)
    half[list(_WIDTH)] = list(_WIDTH.values())
    table[list(_WIDTH)] |= _WIDE
    table[changing.take(half)] |= _CHANGING
    return table


def _view_classes(text: str) -> npt.NDArray[np.uint8] | None:
    """The _view_table classes of each character of ``text``; None for a short text, one beyond the BMP
    (its code units are not its characters) or without the table."""
    if len(text) < _VIEW_TABLE_FROM or (table := _view_table()) is None:
        return None
    units = _code_units(text)
    return None if units is None else table.take(units)


def match_view(cleaned: str) -> str:
    """The text rules read: simplified, half-width; same length as ``cleaned``.

    >>> match_view("協議約定的總合作經費不低于３００萬元")
    '协议约定的总合作经费不低于300万元'
    """
    classes = _view_classes(cleaned)
    if classes is None:
        view = to_simplified(_half_width(cleaned))
    else:
        half = _half_width(cleaned) if (classes & _WIDE).any() else cleaned
        view = to_simplified(half, ((classes & _CHANGING) != 0).nonzero()[0])
    assert len(view) == len(cleaned)
    return view
