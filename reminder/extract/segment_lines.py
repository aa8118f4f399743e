"""What one line of a document is: a notice title, a section heading, a table-of-contents entry, or text.

Each reader looks at a line of the match view on its own (titles may borrow up to two following lines
when a layout broke them); deciding which candidates really open a notice is
:mod:`reminder.extract.segment`'s job, because that needs the context.

    Line ── TitleHit    1.关于组织申报…的通知 / 14、【重大专项】關于…的通知 / ★ 关于… / 【揭榜挂帅】…工作启动
        ├── HeadingHit  国家级可申报项目 / 二月政策汇编 / 浙江省 / 上城区
        └── TOC         …的通知 ........ 4
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from itertools import accumulate, count, repeat
from typing import NamedTuple

from reminder.extract.normalize import is_table_row
from reminder.extract.page_data import page_vocab
from reminder.extract.segment_data import SegmentVocab

__all__ = [
    "Line",
    "TitleHit",
    "HeadingHit",
    "split_lines",
    "read_title",
    "read_titles",
    "read_heading",
    "read_headings",
    "title_key",
    "toc_key",
    "toc_keys",
    "is_toc_line",
    "marker_style",
]

# Sentence punctuation: a title never contains it (a body sub-item usually does).
_SENTENCE = re.compile(r"[。;；:：,，]")
_LINE_END_PUNCT = "。;；:：,，、!?！？"
_KEY_DROP = re.compile(r"[\s\W_]+")
# A document number line (东科函〔2017〕181号) never starts a title, though a title may follow it.
_DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,16}\s*[〔\[(【]\s*\d{4}\s*[〕\])】]\s*\d{1,4}\s*号$")
_SOURCE_PREFIX = re.compile(r"[\u4e00-\u9fff]{2,8}[:丨|](?=关于)")
_DATE_ONLY = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?[\s\d:]*$")
# A title may be broken over at most this many extra lines, each at most this long.
_MAX_JOIN = 2
_JOIN_MAX_CHARS = 60


class Line(NamedTuple):
    """One line of the cleaned text; ``text`` is its match view. (A named tuple: a document has
    thousands of lines, and a frozen dataclass takes twice as long to make.)"""

    #: the line's place among the document's lines (0-based; ``index`` is a tuple method)
    row: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TitleHit:
    """A line (possibly with continuation lines) that looks like a notice title."""

    #: "strong": ends like a title (…的通知, …工作启动); "weak": a numbered, unpunctuated line
    strength: str
    #: item numbering style ("num_dot", "num_comma", …) or None for an unnumbered line
    style: str | None
    number: int | None
    tag: str | None
    #: offsets of the title words (after number and tag) in the cleaned text
    span: tuple[int, int]
    #: index of the last line the title uses
    last_line: int
    #: a TOC entry whose page number got glued on (…的通知1)
    toc: bool
    #: the title's text with whitespace and punctuation removed, to spot TOC duplicates
    key: str


@dataclass(frozen=True)
class HeadingHit:
    """A compilation section heading."""

    #: national / provincial / municipal / district, or None
    level: str | None
    #: True for a policy section, False for a call section, None when the heading says neither
    policy: bool | None
    #: a bare region name (浙江省) rather than a 国家级/省级 heading
    region: bool
    #: recognised even when no item title follows (…篇, …汇编, 可申报项目)
    standalone: bool
    #: 暂无最新: the section has nothing
    empty: bool = False


def split_lines(view: str) -> list[Line]:
    """The lines of ``view`` with their offsets (the cleaned text has the same offsets).

    >>> split_lines("一\\n\\n关于")
    [Line(row=0, start=0, end=1, text='一'), Line(row=1, start=2, end=2, text=''), Line(row=2, start=3, end=5, text='关于')]
    """
    texts = view.split("\n")
    starts = list(accumulate([len(t) + 1 for t in texts], initial=0))
    ends = [start + len(t) for start, t in zip(starts, texts, strict=False)]
    # tuple.__new__ makes each Line at C speed (Line(...) runs the named tuple's Python __new__)
    return list(map(tuple.__new__, repeat(Line), zip(count(), starts, ends, texts, strict=False)))


def title_key(text: str) -> str:
    """``text`` without spaces and punctuation: the same title in the TOC and in the body."""
    return _KEY_DROP.sub("", text)


def is_toc_line(text: str, v: SegmentVocab) -> bool:
    """A table-of-contents entry: title, dot leaders, page number."""
    return _page_numbered(text) and bool(v.toc_line.search(text))


def _page_numbered(text: str) -> bool:
    """Whether ``text`` ends with a digit, as a TOC entry ends with its page number (toc_keys makes the
    test inline)."""
    return text.rstrip()[-1:].isdigit()


def toc_keys(lines: list[Line], v: SegmentVocab) -> list[str | None]:
    """toc_key of every line, in one loop: most lines end with no digit, and _page_numbered is made
    inline (a call per line costs more than the test)."""
    return [toc_key(ln.text, v) if ln.text.rstrip()[-1:].isdigit() else None for ln in lines]


def toc_key(text: str, v: SegmentVocab) -> str | None:
    """The title key of a table-of-contents entry (title, dot leaders, page number), else None."""
    m = v.toc_line.search(text) if _page_numbered(text) else None
    if not m:
        return None
    _, _, pos = _marker(text, v)
    tag = v.tag.match(text, pos)
    return title_key(text[tag.end() if tag else pos : m.start()])


def marker_style(text: str, v: SegmentVocab) -> str | None:
    """The item numbering style a line starts with (num_dot, cn_comma, …), or None."""
    return (v.marker_memo.get(text) or _marker(text, v))[0]


def _marker(text: str, v: SegmentVocab) -> tuple[str | None, int | None, int]:
    """The item numbering at the start of ``text``: (style, number, length consumed)."""
    # each line is asked several times (title, heading, joins, body numbering): remember the answers
    # (the callers that ask for every line look in the memo first, ``v.marker_memo.get(text) or
    # _marker(text, v)``: the answers are non-empty tuples, and a call costs more than the look-up)
    memo = v.marker_memo
    found = memo.get(text)
    if found is None:
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        found = memo[text] = _read_marker(text, v)
    return found


# answers kept by _marker before the memo starts over (a long-running server reads many documents)
_MEMO_MAX = 50_000


def _read_marker(text: str, v: SegmentVocab) -> tuple[str | None, int | None, int]:
    if v.item_marker_rx is not None:
        m = v.item_marker_rx.match(text)
        if m is None:
            return None, None, 0
        style, group = v.item_marker_groups[str(m.lastgroup)]  # the marker's own group closes last
        n = m.group(group) if group else None
        return style, _number(n) if n else None, m.end()
    for marker in v.item_markers:
        m = marker.regex.match(text)
        if m:
            n = m.groupdict().get("n")
            return marker.style, _number(n) if n else None, m.end()
    return None, None, 0


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


@functools.lru_cache(maxsize=256)
def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if "十" in token:
        tens, _, ones = token.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(token, 0)


def _title_end(text: str, v: SegmentVocab, limit: int | None = None) -> tuple[int, bool] | None:
    """Where the title in ``text`` ends, and whether a TOC page number follows it.

    The title ends after the first ending word (通知, 公告, …工作启动) that is followed by nothing,
    by text clean() glued on from the body (各有关单位:, 浙政发〔2023〕6号), or by a page number.
    ``limit`` is where the text's first sentence punctuation stands, when the caller knows it.
    """
    # A title holds no sentence punctuation and no ending word holds any: only the text before the
    # first punctuation mark can end a title (an ending found after it gives a title that
    # _is_title_text refuses, and _find_title stops joining lines there anyway).
    if limit is None:
        stop = _SENTENCE.search(text)
        limit = stop.start() if stop else len(text)
    lead = -1
    for m in v.any_end.finditer(text, 0, limit):
        if lead < 0:
            lead = len(text) - len(text.lstrip())
        if m.end() - lead > v.title_max:
            return None  # too long for a title, as is any later ending
        rest = text[m.end() :].lstrip()
        if not rest:
            return m.end(), False
        if v.body_starter.match(rest):
            return m.end(), False
        if v.page_number.match(rest):
            return m.end(), True
    return None


def _is_title_text(title: str, tagged: bool, v: SegmentVocab) -> bool:
    """Whether the words of a title (numbering and tag removed) end and read like a title."""
    if not v.title_min <= len(title.strip()) <= v.title_max:
        return False
    if _SENTENCE.search(title) or v.title_reject_start.match(title):
        return False
    if v.notice_end.search(title) or (tagged and v.tagged_end.search(title)):
        return True
    return bool(v.policy_end.search(title) and v.policy_title_needs.search(title))


def _is_weak_text(title: str, v: SegmentVocab) -> bool:
    """A numbered line that could be a title without a title ending (…名单公布, 2025年XX认定)."""
    t = title.strip()
    if not v.weak_min <= len(t) <= v.weak_max:
        return False
    if _SENTENCE.search(t) or (t and t[-1] in _LINE_END_PUNCT) or v.title_reject_start.match(t):
        return False
    return not v.weak_reject_end.search(t) and bool(v.weak_words.search(t))


def _is_meta_line(text: str) -> bool:
    """A page-metadata row (- [ 发布日期 ], 来源:…, 发布时间:…) or a bare date: never part of a title."""
    t = text.lstrip(" -•·[【")
    if not t or (t[0] not in _label_starts() and not t[0].isdigit()):
        return False
    return bool(page_vocab().label.match(t) or _DATE_ONLY.match(t))


@functools.cache
def _label_starts() -> frozenset[str]:
    """First characters of the metadata labels: a cheap test before the label regex."""
    return frozenset(label[0] for label in page_vocab().fields)


def _cannot_join(t: str) -> bool:
    """The first of _joinable's tests on a stripped line: empty, long, holding a sentence mark or a 【tag】
    (also what _no_title reads ahead with)."""
    return not t or len(t) > _JOIN_MAX_CHARS or _SENTENCE.search(t) is not None or t.startswith("【")


def _joinable(line: Line, v: SegmentVocab) -> bool:
    """Whether ``line`` can continue a title broken by the layout (short, unnumbered, no sentence)."""
    t = line.text.strip()
    if _cannot_join(t) or _is_meta_line(t):
        return False
    if is_table_row(t):  # a row of table cells is never the rest of a title
        return False
    return _marker(t, v)[0] is None


def _find_title(
    lines: list[Line], i: int, pos: int, v: SegmentVocab
) -> tuple[str, list[tuple[int, int]], int, bool] | None:
    """The title words starting at ``pos`` on line ``i``, joining up to two continuation lines.

    Returns the joined text, per piece (position in the joined text, offset in the document), where
    the title ends in the joined text, and whether a TOC page number follows it.
    """
    text = lines[i].text[pos:]
    stop = _SENTENCE.search(text)
    limit = stop.start() if stop else len(text)
    pieces = [(0, lines[i].start + pos)]
    # the line alone: with no ending word before its first sentence mark, _title_end finds nothing
    # (most lines), and a line with a sentence mark or too long is never joined to the next
    if v.any_end.search(text, 0, limit) is not None:
        end = _title_end(text, v, limit)
        if end is not None:
            return text, pieces, end[0], end[1]
    if stop or len(text) > v.title_max:
        return None
    for j in range(i + 1, min(i + 1 + _MAX_JOIN, len(lines))):
        if not _joinable(lines[j], v):
            break
        lead = len(lines[j].text) - len(lines[j].text.lstrip())
        pieces.append((len(text), lines[j].start + lead))
        text += lines[j].text.strip()
        stop = _SENTENCE.search(text)
        end = _title_end(text, v, stop.start() if stop else len(text))
        if end is not None:
            return text, pieces, end[0], end[1]
        if stop or len(text) > v.title_max:
            break
    return None


def _to_offset(pos: int, pieces: list[tuple[int, int]]) -> tuple[int, int]:
    """(document offset, piece index) of position ``pos`` in a joined title."""
    k = max(n for n, (at, _) in enumerate(pieces) if at <= pos)
    at, doc = pieces[k]
    return doc + pos - at, k


def read_title(lines: list[Line], i: int, v: SegmentVocab) -> TitleHit | None:
    """The title that starts on line ``i``, if the line looks like one.

    >>> from reminder.extract.segment_data import vocab
    >>> hit = read_title(split_lines("14、【重大专项】关于组织申报2025年度项目的通知"), 0, vocab())
    >>> hit.strength, hit.style, hit.number, hit.tag
    ('strong', 'num_comma', 14, '重大专项')
    """
    if _no_title(lines, i, v):
        return None  # most lines: decided by a few cheap tests instead of the whole reading
    return _read_title(lines, i, v)


def read_titles(lines: list[Line], v: SegmentVocab) -> list[TitleHit | None]:
    """read_title of every line (None for blank ones), in one loop: a document has hundreds of lines,
    and most are decided by _no_title alone."""
    return [
        None if not line.text.strip() or _no_title(lines, i, v) else _read_title(lines, i, v)
        for i, line in enumerate(lines)
    ]


def _no_title(lines: list[Line], i: int, v: SegmentVocab) -> bool:
    """Whether _read_title surely finds no title on line ``i`` (False: it has to read the line).

    The title words start where _read_title starts them: after the numbering, a source prefix before
    关于 and a 【tag】. A title then needs an ending word before the first sentence mark after that start,
    one _title_end accepts (a weak title holds no sentence mark, and a line holding one is never joined
    to the next), or, with
    no sentence mark, an ending word in the line and the unnumbered lines after it (a title broken over
    lines) followed by what _title_end accepts after one, or, on a numbered line, a weak title's length
    and word. Lines with 关于 or a 【tag】 and no sentence mark are read.
    """
    text = lines[i].text
    style, _, pos = v.marker_memo.get(text) or _marker(text, v)
    about = "关于" in text
    special = about or "【" in text
    if special:
        prefix = _SOURCE_PREFIX.match(text, pos) if about else None
        if prefix:
            pos = prefix.end()
        tag = v.tag.match(text, pos)
        if tag:
            pos = tag.end()
    stop = _SENTENCE.search(text, pos)
    if stop is not None:
        # with a sentence mark the line is never joined, nor a weak title: a title is what
        # _title_end finds before the mark (an ending word followed by the line end, the body's
        # first words or a page number; most ending words before a comma are none)
        if v.any_end.search(text, pos, stop.start()) is None:
            return True
        return _title_end(text[pos:], v, stop.start() - pos) is None
    if special or v.end_words is None:
        return False
    # a weak title (numbered lines only) is as long as _is_weak_text asks and holds a weak word (which
    # the rest of the line then holds too)
    if (
        style is not None
        and v.weak_min <= len(text[pos:].strip()) <= v.weak_max
        and (v.weak_guard is None or v.weak_guard.search(text, pos) is not None)
    ):
        return False
    # every text _find_title joins is a prefix of this one: no ending word here, no ending there
    run_on = text[pos:]
    ends = [len(run_on)]
    for line in lines[i + 1 : i + 1 + _MAX_JOIN]:
        t = line.text.strip()
        if _cannot_join(t) or (v.marker_memo.get(t) or _marker(t, v))[0] is not None:
            break  # _joinable refuses it (a numbered line too): the title stops before it
        run_on += t
        ends.append(len(run_on))
    if v.end_words.search(run_on) is None:
        return True
    # _title_end takes an ending word only when nothing, the body's first words or a page number follow
    # it in the text joined so far (most ending words inside a line are followed by more title words)
    return v.title_stop is not None and not any(v.title_stop.search(run_on, 0, end) for end in ends)


def _read_title(lines: list[Line], i: int, v: SegmentVocab) -> TitleHit | None:
    """read_title without its shortcut for sentences (the tests compare the two)."""
    text = lines[i].text
    # (a document number line ends with 号: the regex only runs on those)
    if (text.rstrip().endswith("号") and _DOC_NUMBER_LINE.match(text.strip())) or _is_meta_line(text):
        return None
    if is_table_row(text):
        return None  # a row of table cells (1<tab>申报要求<tab>…指南) is body text, whatever its cells say
    style, number, pos = _marker(text, v)
    prefix = _SOURCE_PREFIX.match(text, pos) if "关于" in text else None
    if prefix:  # 成都龙泉驿:关于…的通知 (a reposting site names the source before the title)
        pos = prefix.end()
    tag_m = v.tag.match(text, pos)
    tag = tag_m.group("tag") if tag_m else None
    if tag_m:
        pos = tag_m.end()
    if tag is not None and style is None and v.body_tag.match(tag):
        return None
    found = _find_title(lines, i, pos, v)
    if found is not None:
        joined, pieces, stop, toc = found
        title = joined[:stop]
        if _is_title_text(title, tag is not None, v):
            return _hit("strong", style, number, tag, title, pieces, stop, toc, lines[i].row)
    if style is None and tag is None:
        return None
    rest = text[pos:].rstrip()
    if _is_weak_text(rest, v):
        return _hit(
            "weak", style, number, tag, rest, [(0, lines[i].start + pos)], len(rest), False, lines[i].row
        )
    return None


def _hit(
    strength: str,
    style: str | None,
    number: int | None,
    tag: str | None,
    title: str,
    pieces: list[tuple[int, int]],
    stop: int,
    toc: bool,
    first_line: int,
) -> TitleHit:
    start, _ = _to_offset(0, pieces)
    end, k = _to_offset(stop, pieces)
    if stop == pieces[k][0] and k > 0:  # the title ends exactly where a continuation line starts
        end, k = _to_offset(stop - 1, pieces)
        end += 1
    return TitleHit(strength, style, number, tag, (start, end), first_line + k, toc, title_key(title))


_TEXT = operator.itemgetter(3)  # Line.text


def read_heading(text: str, v: SegmentVocab) -> HeadingHit | None:
    """The section heading a line states, if it is one (国家级可申报项目, 二月政策汇编, 上城区)."""
    if v.heading_guard.search(text) is None:
        return None  # most lines: none of the words a heading needs
    return _read_heading(text, v)


def read_headings(lines: list[Line], v: SegmentVocab, most: int) -> list[HeadingHit | None]:
    """read_heading of every line at most ``most`` characters long (None for the others), in one loop:
    most lines are decided by the guard alone, searched inline (a call per line costs more)."""
    guard = v.heading_guard.search
    return [_read_heading(t, v) if len(t) <= most and guard(t) else None for t in map(_TEXT, lines)]


def _read_heading(text: str, v: SegmentVocab) -> HeadingHit | None:
    """read_heading without its guard."""
    t = text.strip()
    if is_table_row(t):
        return None
    _, _, pos = v.marker_memo.get(t) or _marker(t, v)
    t = t[pos:]
    if v.heading_ordinal_start is None or v.heading_ordinal_start.search(t):  # (第: seldom there)
        t = v.heading_ordinal.sub("", t)
    # the spaces removed (str.split splits at what \s matches: the characters str.isspace accepts)
    t = "".join(t.strip().strip("【】[]").split())
    if not t or len(t) > v.heading_max or not _may_head(t, v):
        return None
    return _heading(t, v)


def _may_head(t: str, v: SegmentVocab) -> bool:
    """Whether the words of a line (numbering, ordinal and spaces removed) may be a heading: what the
    three patterns in _heading need, tested first because most short lines hold none of it."""
    return t in v.heading_whole or t.endswith(v.region_ends) or v.heading_words.search(t) is not None


def _heading(t: str, v: SegmentVocab) -> HeadingHit | None:
    """The heading the words of a line state (read_heading without its first tests)."""
    if v.empty_marker.match(t):
        return HeadingHit(None, None, region=False, standalone=False, empty=True)
    region = _region_heading(t, v)
    if region is not None:
        return region
    m = v.heading.match(t)
    if not m or not (m.group("level") or m.group("kind")):
        return None
    level = v.heading_levels[m.group("level")] if m.group("level") else None
    kind = m.group("kind")
    if m.group("region") and level is None:
        return None
    if kind in v.heading_needs_level and level is None:
        return None
    policy = True if kind in v.heading_policies else False if kind in v.heading_calls else None
    return HeadingHit(level, policy, region=False, standalone=bool(v.heading_standalone.search(t)))


def _region_heading(t: str, v: SegmentVocab) -> HeadingHit | None:
    m = v.region_line.match(t)
    if not m:
        return None
    if m.group("province") or t in v.provincial_cities:
        return HeadingHit("provincial", None, region=True, standalone=False)
    return HeadingHit(v.region_units[m.group("unit")], None, region=True, standalone=False)
