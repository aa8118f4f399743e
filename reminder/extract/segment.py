"""Split a document into its notices and read each notice's metadata.

A document is one of three kinds:

    compilation   several notices (申报通知汇编 / 政策汇编): numbered or 【tagged】 item titles under
                  section headings (国家级可申报项目, 二月政策汇编, 浙江省 / 杭州市 / 上城区)
    notice        one notice: title line, 各有关单位:, body, signature
    news          a bulletin or newspaper page (每周要讯, 本报记者) with no call to apply

One pass over the lines finds section headings (they set the level and mark policy sections),
table-of-contents entries (skipped) and the titles that open notices; text before the first title
becomes a notice of its own, titled by its first line (a file may start in the middle of one).
The line readers are in :mod:`segment_lines`, the metadata readers in :mod:`segment_meta`, and the
vocabulary in ``data/segment.yaml``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import compress, count, repeat

from reminder.extract import segment_meta as meta
from reminder.extract.normalize import is_table_row
from reminder.extract.regex_shortcuts import positions
from reminder.extract.segment_data import SegmentVocab, vocab
from reminder.extract.segment_lines import (
    HeadingHit,
    Line,
    TitleHit,
    marker_style,
    read_headings,
    read_titles,
    split_lines,
    toc_keys,
)

__all__ = ["Segment", "Segmentation", "segment"]

logger = logging.getLogger(__name__)

# meta.line_date, or a cache of it for one document
_Dated = Callable[[str], "tuple[dt.date, int] | None"]

# Text before the first title is a notice of its own only when it holds a sentence this long.
_LOOSE_SENTENCE_CHARS = 20
# Text with no title line is titled by its first line, up to a sentence end, at most this long.
_LOOSE_TITLE_STOPS = "。;:!?"
_LOOSE_TITLE_CHARS = 60
_SENTENCE_END = re.compile(r"[。;,]")
# A heading is only looked for on short lines.
_HEADING_LINE_CHARS = 40


@dataclass(frozen=True)
class Segment:
    """One notice of a document (a call, or a policy text with no call)."""

    #: verbatim title from the cleaned text, numbering, tag and line breaks removed
    title: str
    #: the notice including its title: offsets into the cleaned text
    span: tuple[int, int]
    title_span: tuple[int, int]
    #: "national" | "provincial" | "municipal" | "district" | None
    level: str | None
    #: the signing body, verbatim
    issuer: str | None
    #: the signature date, or a 发布时间 line's date
    published: dt.date | None
    #: a policy text, plan, list or news item: no call to apply
    policy_only: bool
    #: applications taken all the time (常态化受理, 常年申报)
    rolling: bool
    #: offsets of the issuer + date block, whose date is no deadline
    signature_span: tuple[int, int] | None = None
    #: the title is the first suitable line of text that has no title line (page metadata may do better)
    loose_title: bool = False


@dataclass(frozen=True)
class Segmentation:
    """The kind of a document and its notices."""

    #: "compilation", "notice" or "news"
    kind: str
    segments: list[Segment]
    #: document-level date (a 2025-03-07 or 发布时间 line at the top)
    published: dt.date | None


@dataclass
class _State:
    """What the lines read so far say about the next notice."""

    level: str | None = None
    region: str | None = None
    policy: bool = False
    after_heading: bool = False
    titles: int = 0
    last_style: str | None = None
    last_number: int | None = None
    #: the body lines read since the last title, looked at only when a title asks: whether they end with
    #: a signature (_Scanner._signed), whether one is numbered like the title (_Scanner._renumbered)
    body: list[int] = field(default_factory=list)


@dataclass
class _Block:
    """Consecutive lines of one notice; ``hit`` is None for text with no title of its own."""

    first: int
    last: int
    hit: TitleHit | None
    level: str | None
    region: str | None
    policy: bool


def segment(cleaned: str, view: str) -> Segmentation:
    """Split a cleaned document into notices and read their metadata.

    Args:
        cleaned: the cleaned text (:func:`reminder.extract.normalize.clean`); spans point into it.
        view: its match view (:func:`reminder.extract.normalize.match_view`), same length.

    Returns:
        The document kind, its notices in order and the document-level date.
    """
    v = vocab()
    lines = split_lines(view)
    # the scan and the signature search read the same lines' dates: each line is read once
    dated: _Dated = functools.lru_cache(maxsize=None)(meta.line_date)
    blocks = _dedupe(_Scanner(lines, v, dated, view).run(), lines)
    pairs = [(b, s) for b in blocks if (s := _segment(b, lines, cleaned, view, v, dated))]
    if not pairs and view.strip():
        # no title and no sentence: the whole text is one (short) notice
        whole = _Block(0, len(lines) - 1, None, None, None, False)
        pairs = [(whole, _segment(whole, lines, cleaned, view, v, dated, loose_ok=True))]  # type: ignore[list-item]
    segments = [s for _, s in pairs]
    published = _document_date(lines, blocks, v, dated)
    kind = _kind(view, lines, blocks, segments, v)
    if kind == "news":
        segments = [s for b, s in pairs if b.hit is not None and s.policy_only]
    elif kind == "notice" and len(segments) == 1 and segments[0].published is None and published:
        segments = [replace(segments[0], published=published)]
    logger.debug("segmented: %s, %d notices", kind, len(segments))
    return Segmentation(kind, segments, published)


class _Scanner:
    """One pass over the lines: headings, TOC entries, titles, body text → blocks."""

    def __init__(
        self, lines: list[Line], v: SegmentVocab, dated: _Dated = meta.line_date, view: str | None = None
    ) -> None:
        self.lines = lines
        self.v = v
        self.dated = dated
        self.hits = read_titles(lines, v)
        for i in _attachment_lines(lines, self.hits, v, view):
            self.hits[i] = None
        self.headings = read_headings(lines, v, _HEADING_LINE_CHARS)
        keys = toc_keys(lines, v)
        #: whether each line is a TOC entry (what is_toc_line says: toc_key found its page number)
        self.toc = [k is not None for k in keys]
        self.toc_keys = {k for k in keys if k}
        self.compilation = any(
            h and h.strength == "strong" and (h.style or h.tag) and not h.toc for h in self.hits
        )
        self.state = _State()
        self.blocks: list[_Block] = []
        self.current: _Block | None = None

    def run(self) -> list[_Block]:
        lines = self.lines
        # the lines with a title, heading or TOC reading (few): those between them are body text or
        # blank, read in one go
        marked = sorted({*_indexes(self.hits), *_indexes(self.headings), *compress(count(), self.toc)})
        i = 0
        for j in (*marked, len(lines)):
            if j < i:
                continue  # read with the line before (a title's continuation, a heading run)
            self._body_lines([k for k in range(i, j) if lines[k].text.strip()])
            i = self._step(j) if j < len(lines) else j
        self._close()
        return self.blocks

    def _step(self, i: int) -> int:
        """Read line ``i``; return the index of the next line to read."""
        text = self.lines[i].text
        if not text.strip():
            return i + 1
        hit = self.hits[i]
        if self.toc[i] or (hit is not None and hit.toc):
            self._close()
            return i + 1
        # (a heading run starts with a heading: most lines are none, and no call is made for them)
        run = self._heading_run(i) if self.headings[i] is not None else None
        if run:
            self._close()
            for h in run:
                self._apply(h)
            return i + len(run)
        if hit is not None and self._accept(hit):
            self._open(i, hit)
            return hit.last_line + 1
        self._body(i)
        return i + 1

    def _heading_run(self, i: int) -> list[HeadingHit]:
        """The headings starting at line ``i`` when they head what follows (else [])."""
        run: list[HeadingHit] = []
        j = i
        while j < len(self.lines):
            hit = self.hits[j]
            if hit is not None and hit.strength == "strong":
                break
            heading = self.headings[j]
            if heading is None:
                break
            run.append(heading)
            j += 1
        if not run or all(h.empty for h in run):
            return []
        nxt = self.hits[j] if j < len(self.lines) else None
        followed = nxt is not None or (j < len(self.lines) and self.toc[j])
        # a heading over 暂无 (nothing this month) heads an empty section
        return run if followed or any(h.standalone or h.empty for h in run) else []

    def _apply(self, h: HeadingHit) -> None:
        st = self.state
        st.after_heading = True
        if h.empty:
            return
        if h.region:
            st.region, st.level = h.level, None
            return
        if h.policy is not None:
            st.policy, st.level, st.region = h.policy, h.level, None
        elif h.level is not None:
            st.level, st.region = h.level, None

    def _accept(self, hit: TitleHit) -> bool:
        """Whether a title candidate opens a notice here (context decides for the weaker ones)."""
        st = self.state
        if len(hit.key) >= self.v.title_min and hit.key in self.toc_keys:
            return True
        marked = hit.style is not None or hit.tag is not None
        if hit.strength == "strong":
            if marked or st.after_heading:
                return True
            return not self.compilation and (st.titles == 0 or self._signed())
        continues = (
            hit.style is not None
            and hit.style == st.last_style
            and st.last_number is not None
            and hit.number == st.last_number + 1
            and not self._renumbered()
        )
        return st.after_heading or continues or self._signed()

    def _open(self, i: int, hit: TitleHit) -> None:
        self._close()
        st = self.state
        self.current = _Block(i, hit.last_line, hit, st.level, st.region, st.policy)
        st.titles += 1
        st.last_style, st.last_number = hit.style, hit.number
        st.after_heading = False
        st.body.clear()

    def _body(self, i: int) -> None:
        self._body_lines([i])

    def _body_lines(self, rows: list[int]) -> None:
        """Read body lines (not blank) in order: they go to the current block."""
        if not rows:
            return
        st = self.state
        if self.current is None:
            self.current = _Block(rows[0], rows[0], None, st.level, st.region, st.policy)
        self.current.last = rows[-1]
        st.body += rows
        st.after_heading = False

    def _renumbered(self) -> bool:
        """Whether a body line since the last title is numbered like it (1. … 2. inside the notice)."""
        st = self.state
        return any(marker_style(self.lines[i].text, self.v) == st.last_style for i in st.body)

    def _signed(self) -> bool:
        """Whether the body lines since the last title end with a signature: a date line, then only
        asides (此件公开发布).

        Read from the last line back when a title asks, not line by line as they come: most lines' dates
        are then never read (the last line decides unless it is an aside).
        """
        for i in reversed(self.state.body):
            text = self.lines[i].text
            # (line_date reads only short lines: a long one is neither hashed for the cache nor read)
            if len(text) <= meta.DATE_LINE_MAX and self.dated(text) is not None:
                return True
            if not self.v.aside.match(text.strip()):
                return False
        return False

    def _close(self) -> None:
        if self.current is not None:
            self.blocks.append(self.current)
            self.current = None


def _attachment_lines(
    lines: list[Line], hits: list[TitleHit | None], v: SegmentVocab, view: str | None = None
) -> list[int]:
    """Indexes of the numbered lines of attachment lists (附件: 1.…的通知 2.…): titles of attached
    documents, never notices of their own. ``view`` is the text the lines were split from (else they
    are joined again)."""
    out: list[int] = []
    walked = 0  # lines before this one were read after a header already
    for h in _header_candidates(lines, v, view):
        if h < walked or not v.attachment_header.match(lines[h].text.strip()):
            continue
        # the list runs on over blank lines, further headers and numbered untagged lines
        j = h + 1
        while j < len(lines):
            t = lines[j].text.strip()
            if t and not v.attachment_header.match(t):
                if marker_style(t, v) is None or (hits[j] and hits[j].tag):  # type: ignore[union-attr]
                    break
                out.append(j)
            j += 1
        walked = j
    return out


def _header_candidates(lines: list[Line], v: SegmentVocab, view: str | None) -> list[int]:
    """Indexes, in order, of the lines that may be an attachment header: those holding a word every
    header holds (found in the whole text at C speed: most lines are never looked at), else all."""
    if v.attachment_needs is None:
        return list(range(len(lines)))
    text = "\n".join(map(_TEXT, lines)) if view is None else view
    found = {
        bisect.bisect_right(lines, at, key=_START) - 1
        for word in v.attachment_needs
        for at in positions(text, word)
    }
    return sorted(found)


def _indexes(found: list[TitleHit | None] | list[HeadingHit | None]) -> Iterator[int]:
    """Where ``found`` holds a reading (not None), found at C speed."""
    return compress(count(), map(operator.is_not, found, repeat(None)))


_START = operator.itemgetter(1)  # Line.start
_TEXT = operator.itemgetter(3)  # Line.text


def _body_lines(b: _Block, lines: list[Line]) -> list[Line]:
    start = b.hit.last_line + 1 if b.hit else b.first
    return lines[start : b.last + 1]


def _dedupe(blocks: list[_Block], lines: list[Line]) -> list[_Block]:
    """Drop titles with no body whose title comes again with a body (a TOC listing titles only)."""
    with_body = {b.hit.key for b in blocks if b.hit and _body_lines(b, lines)}
    return [b for b in blocks if not (b.hit and not _body_lines(b, lines) and b.hit.key in with_body)]


def _segment(
    b: _Block,
    lines: list[Line],
    cleaned: str,
    view: str,
    v: SegmentVocab,
    dated: _Dated = meta.line_date,
    loose_ok: bool = False,
) -> Segment | None:
    """The notice a block of lines holds, or None for loose text too thin to be one."""
    body = [ln for ln in _body_lines(b, lines) if ln.text.strip()]
    if b.hit is None:
        if not body or not (
            loose_ok or any(len(ln.text) >= _LOOSE_SENTENCE_CHARS and "。" in ln.text for ln in body)
        ):
            return None
        k = _loose_title_line(body, b.first == 0, v)
        title_span = _loose_title(body[k], v)
        body = body[:k] + body[k + 1 :]
    else:
        title_span = b.hit.span
    span = (
        lines[b.first].start + len(lines[b.first].text) - len(lines[b.first].text.lstrip()),
        lines[b.last].end,
    )
    # text with no title line is read whole: its title is only the start of a sentence
    body_start = title_span[1] if b.hit else span[0]
    body_view = view[body_start : span[1]]
    sig = meta.find_signature(body, v, dated)
    issuer_span = _issuer_span(sig, title_span, body_start, view, body_view, v, b.hit is not None)
    issuer = " ".join(cleaned[issuer_span[0] : issuer_span[1]].split()) if issuer_span else None
    issuer_view = view[issuer_span[0] : issuer_span[1]] if issuer_span else ""
    rolling = meta.is_rolling(body_view, v)
    tag_policy = bool(b.hit and b.hit.tag and v.policy_tag.match(b.hit.tag))
    return Segment(
        title="".join(cleaned[title_span[0] : title_span[1]].split("\n")).strip(),
        span=span,
        title_span=title_span,
        level=_level(b, body_view, issuer_view, v),
        issuer=issuer,
        published=sig.date if sig else _published_in(body, v),
        policy_only=b.policy
        or tag_policy
        or _results_title(view, title_span, b.hit is not None, v)
        or not (
            rolling
            or _call_title(view, title_span, b.hit is not None, v)
            or meta.is_call(body_view, v, _policy_text(view, title_span, b.hit is not None, v))
        ),
        rolling=rolling,
        signature_span=sig.span if sig else None,
        loose_title=b.hit is None,
    )


def _policy_text(view: str, title_span: tuple[int, int], titled: bool, v: SegmentVocab) -> bool:
    """A real title issuing a policy text (关于印发…办法的通知), not a call (申报指南, 申报工作)."""
    title = view[title_span[0] : title_span[1]]
    return titled and bool(v.policy_text_title.search(title))


def _call_title(view: str, title_span: tuple[int, int], titled: bool, v: SegmentVocab) -> bool:
    """A formal title naming a call (关于开展…认定工作的通知, …申请须知)."""
    return titled and bool(v.call_title.search(view[title_span[0] : title_span[1]].strip()))


def _results_title(view: str, title_span: tuple[int, int], titled: bool, v: SegmentVocab) -> bool:
    """A title announcing results or a list (公示, 名单, 拟立项): no call. A loose title counts only
    when it reads as a title, not as a sentence (请…于…前将推荐名单报送)."""
    title = view[title_span[0] : title_span[1]]
    if not titled and (_SENTENCE_END.search(title) or v.title_reject_start.match(title)):
        return False
    return bool(v.not_call_title.search(title))


def _loose_title_line(body: list[Line], at_top: bool, v: SegmentVocab) -> int:
    """Which line titles text that has no title line: the first that is no addressee, document number,
    metadata or heading. A text that starts with a short heading (二、对象条件) starts in the middle of
    a notice: that heading is all it says about itself."""
    first = body[0].text.strip()
    if (
        at_top
        and marker_style(first, v)
        and len(first) <= _HEADING_LINE_CHARS // 2
        and not _SENTENCE_END.search(first)
    ):
        return 0
    return next((i for i, ln in enumerate(body) if _loose_title_fits(ln.text.strip(), v)), 0)


def _loose_title_fits(text: str, v: SegmentVocab) -> bool:
    """Whether a line can title text that has no title line (a table row: when one of its cells can)."""
    if is_table_row(text):
        return _title_cell(text, v) is not None
    return not v.loose_title_skip.search(text)


def _title_cell(row: str, v: SegmentVocab) -> tuple[int, int] | None:
    """Offsets in ``row`` of its first cell that can title a notice: long enough, not a number, not an
    addressee, heading or contact (a header row 序号<tab>事项 has none)."""
    pos = 0
    for cell in row.split("\t"):
        t = cell.strip()
        if len(t) >= v.title_min and not v.loose_title_skip.search(t):
            lead = len(cell) - len(cell.lstrip())
            return pos + lead, pos + lead + len(t)
        pos += len(cell) + 1
    return None


def _loose_title(first: Line, v: SegmentVocab) -> tuple[int, int]:
    """Title of text that has no title line: its line, numbering dropped, up to the first sentence end."""
    text = first.text
    cell = _title_cell(text, v) if is_table_row(text) else None
    if cell is not None:  # the cell only: a title never runs into the next cell
        text = text[: cell[1]]
    start = cell[0] if cell is not None else len(text) - len(text.lstrip())
    for marker in v.item_markers if cell is None else ():
        m = marker.regex.match(text)
        if m and m.end() < len(text.rstrip()):
            start = m.end()
            break
    stop = min(
        (k for k in (text.find(c, start) for c in _LOOSE_TITLE_STOPS) if k > start),
        default=len(text.rstrip()),
    )
    return first.start + start, first.start + min(stop, start + _LOOSE_TITLE_CHARS)


def _issuer_span(
    sig: meta.Signature | None,
    title_span: tuple[int, int],
    body_start: int,
    view: str,
    body_view: str,
    v: SegmentVocab,
    titled: bool,
) -> tuple[int, int] | None:
    """Where the issuer is named: signature, else title (…关于, when it is a real title), else 由…负责解释."""
    if sig and sig.issuer_span:
        return sig.issuer_span
    in_title = meta.issuer_in_title(view[title_span[0] : title_span[1]], v) if titled else None
    if in_title:
        return title_span[0] + in_title[0], title_span[0] + in_title[1]
    in_body = meta.issuer_in_body(body_view, v)
    return (body_start + in_body[0], body_start + in_body[1]) if in_body else None


def _level(b: _Block, body_view: str, issuer_view: str, v: SegmentVocab) -> str | None:
    """国家级/省级 heading, else a nationwide addressee, else the issuer, else a region heading."""
    if b.level:
        return b.level
    tagged = _tag_level(b.hit.tag if b.hit else None, v)
    if tagged:
        return tagged
    if meta.addressed_nationally(body_view, v):
        return "national"
    return (meta.issuer_level(issuer_view, v) if issuer_view else None) or b.region


def _tag_level(tag: str | None, v: SegmentVocab) -> str | None:
    """A level tag on the item itself: 【国家级】, 【省级】, 【市级】 (tags come in the match view's script)."""
    if not tag:
        return None
    for word, rx in _level_words(v):
        if rx.search(tag):
            return v.heading_levels[word]
    return None


def _level_words(v: SegmentVocab) -> list[tuple[str, re.Pattern[str]]]:
    """The heading level words, longest first, each with its ``…级`` pattern (compiled once)."""
    found = _LEVEL_WORDS.get(id(v))
    if found is None or found[0] is not v:
        words = sorted(v.heading_levels, key=len, reverse=True)
        found = _LEVEL_WORDS[id(v)] = (v, [(w, re.compile(re.escape(w) + r"[级級]")) for w in words])
    return found[1]


_LEVEL_WORDS: dict[int, tuple[SegmentVocab, list[tuple[str, re.Pattern[str]]]]] = {}


def _published_in(body: list[Line], v: SegmentVocab) -> dt.date | None:
    """A 发布时间/发文日期 line in the notice (when it has no signature)."""
    for line in body:
        found = meta.published_line(line.text, v, labelled_only=True)
        if found:
            return found
    return None


def _document_date(
    lines: list[Line], blocks: list[_Block], v: SegmentVocab, dated: _Dated = meta.line_date
) -> dt.date | None:
    """A date line near the top, before the first titled notice (masthead, 发布时间)."""
    first_title = next((b.first for b in blocks if b.hit is not None), len(lines))
    for line in lines[: min(first_title, v.news_head_lines)]:
        found = meta.published_line(line.text, v, dated=dated)
        if found:
            return found
    return None


def _kind(
    view: str, lines: list[Line], blocks: list[_Block], segments: list[Segment], v: SegmentVocab
) -> str:
    # (a document that calls for something is no news item: its news score is not read)
    if not any(not s.policy_only for s in segments):
        score = meta.news_score(view, lines, v)
        titled = any(b.hit is not None for b in blocks)
        if score >= v.news_threshold or (score > 0 and not titled):
            return "news"
    return "compilation" if len(segments) > 1 else "notice"
