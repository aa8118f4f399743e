"""A web page's own metadata: the 索引号 table, 来源/发布时间 lines and a bare date under the title.

    索引号: | 001008010002094/2022-01552 | 文件编号: | |      → index, doc number
    发布机构: | 区经信科技局 | 成文日期: | 2022-02-09 |         → issuer, published
    - [ 发布日期 ]                                               → label and value on two lines
    - 2022-02-24
    发布时间:2022-11-01来源:温州市科学技术局                     → published, issuer (来源 names a body)
    2023-07-24 16:32 / 26/4/2024 17:06                            → a bare date line near the top

Only the first lines of a document are read (``page.yaml: head_lines``); label words are in
``data/page.yaml``. Values are cut from the cleaned text, so they keep the page's script.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from reminder.extract.dates import find_dates
from reminder.extract.page_data import PageVocab, page_vocab
from reminder.extract.segment_data import SegmentVocab, vocab
from reminder.extract.segment_meta import is_org

__all__ = ["PageMeta", "read_page", "doc_number_year", "meta_date"]

# A metadata line is short and is no sentence.
_META_LINE_MAX = 120
# A bare publication date stands in one of the first lines, alone or with an author or a time.
_BARE_DATE_LINES = 8
_BARE_DATE_MAX = 60
_BARE_DATE_NOT = re.compile(r"[。,;]|截止|截至|之前|[至到]|申报|申请|报名|受理|期间")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d{2})(?!\d)")
# The year of a document number: 东科函〔2017〕181号, 黑工信科发 [2016]196号, 赣工信办企业函〔202254号 (bracket lost).
_DOC_NUMBER_YEAR = re.compile(r"[〔\[(【]\s*((?:19|20)\d{2})")
_BARE_ISSUER_MAX = 30
_VALUE_STRIP = " \t-|[]【】•·:"
_SHORT_LABEL = 3


@dataclass(frozen=True)
class PageMeta:
    """What the page says about its notice, each field None when it does not say."""

    title: str | None = None
    issuer: str | None = None
    published: dt.date | None = None
    level: str | None = None
    #: the year of the page's own document number (文号 〔2022〕20号)
    doc_year: int | None = None
    #: offsets of the lines holding metadata: their dates are no deadlines
    spans: tuple[tuple[int, int], ...] = ()


def doc_number_year(text: str) -> int | None:
    """The year in a document number (〔2017〕, [2016]), else None.

    >>> doc_number_year("东科函〔2017〕181号"), doc_number_year("一般文字")
    (2017, None)
    """
    m = _DOC_NUMBER_YEAR.search(text)
    return int(m.group(1)) if m else None


def meta_date(value: str) -> dt.date | None:
    """The date of a metadata value such as ``<meta name="PubDate" content="2025-08-11 18:04">``.

    >>> meta_date("2025-08-11 18:04"), meta_date("")
    (datetime.date(2025, 8, 11), None)
    """
    return _date(value) if value else None


def _date(value: str) -> dt.date | None:
    """A full date in a metadata value (2022-02-09, 2023年3月30日, 26/4/2024, 中华民国114年3月1日)."""
    m = _ISO.search(value)
    if m:
        return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DMY.search(value)
    if m:
        return _safe(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    mentions, _ = find_dates(value)
    for mention in mentions:
        p = mention.start
        if p.year is not None and p.day is not None:
            return _safe(p.year, p.month, p.day)
    return None


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _lines(view: str, limit: int) -> list[tuple[int, str]]:
    """The first ``limit`` lines of ``view`` with their offsets."""
    out = []
    pos = 0
    for text in view.split("\n", limit)[:limit]:
        out.append((pos, text))
        pos += len(text) + 1
    return out


def _labelled(
    lines: list[tuple[int, str]], v: PageVocab
) -> tuple[dict[str, list[tuple[int, int]]], set[int]]:
    """Label → value spans (offsets in the text), and the indexes of the lines that hold labels."""
    values: dict[str, list[tuple[int, int]]] = {}
    used: set[int] = set()
    for k, (start, text) in enumerate(lines):
        if len(text) > _META_LINE_MAX or "。" in text:
            continue
        hits = [m for m in v.label.finditer(text) if _is_label(text, m)]
        for n, m in enumerate(hits):
            end = hits[n + 1].start() if n + 1 < len(hits) else len(text)
            a, b = m.end(), end
            cell = text[a:b].split("|")
            value = next((c for c in cell if c.strip(_VALUE_STRIP)), "")
            if value:
                off = a + text[a:b].find(value)
                lead = len(value) - len(value.lstrip(_VALUE_STRIP))
                span = (start + off + lead, start + off + len(value.rstrip(_VALUE_STRIP)))
            elif n + 1 == len(hits) and k + 1 < len(lines) and not v.label.search(lines[k + 1][1]):
                # "- [ 发布日期 ]" then "- 2022-02-24" on the next line
                nxt_start, nxt = lines[k + 1]
                lead = len(nxt) - len(nxt.lstrip(_VALUE_STRIP))
                span = (nxt_start + lead, nxt_start + len(nxt.rstrip(_VALUE_STRIP)))
                used.add(k + 1)
            else:
                continue
            if span[1] > span[0]:
                label = re.sub(r"\s+", "", m.group("label"))
                values.setdefault(label, []).append(span)
        if hits:
            used.add(k)
    return values, used


def _is_label(text: str, m: re.Match[str]) -> bool:
    """Whether a label word is used as a label here: followed by a colon, a bracket, a bar or the line
    end; short labels (来源, 名称) not glued to a word before them."""
    after = text[m.end("label") :].lstrip()
    if not (after[:1] in (":", "|", "]", "】") or not after):
        return False
    label = re.sub(r"\s+", "", m.group("label"))
    before = text[m.start() - 1] if m.start() else ""
    return len(label) > _SHORT_LABEL or not ("\u4e00" <= before <= "\u9fff")


def _first(values: dict[str, list[tuple[int, int]]], field: str, v: PageVocab) -> list[tuple[int, int]]:
    """Value spans of ``field``'s labels, preferred label first."""
    words = [w for w, f in v.fields.items() if f == field]
    return [span for w in words for span in values.get(w, [])]


def _bare_date(lines: list[tuple[int, str]]) -> tuple[dt.date, int] | None:
    """A date line near the top (2023-07-24 16:32, 章孝德 / 2023-09-12), with its line index."""
    seen = 0
    for k, (_, text) in enumerate(lines):
        t = text.strip()
        if not t:
            continue
        seen += 1
        if seen > _BARE_DATE_LINES:
            break
        if len(t) > _BARE_DATE_MAX or _BARE_DATE_NOT.search(t):
            continue
        if _ISO.search(t) or _DMY.search(t):
            date = _date(t)
            if date:
                return date, k
    return None


def _bare_issuer(lines: list[tuple[int, str]], sv: SegmentVocab) -> tuple[int, int] | None:
    """A body's name standing alone in the first lines (• 某某区经济和信息化局 under the title)."""
    seen = 0
    for start, text in lines:
        t = text.strip().lstrip("-•·").strip()
        if not t:
            continue
        seen += 1
        if seen > _BARE_DATE_LINES:
            break
        if (
            len(t) <= _BARE_ISSUER_MAX and not t.startswith("各") and is_org(t, sv)
        ):  # 各区县科技局: addressees
            at = start + text.find(t)
            return at, at + len(t)
    return None


def read_page(cleaned: str, view: str) -> PageMeta:
    """The page metadata at the top of a document.

    Args:
        cleaned: the cleaned text; values are cut from it.
        view: its match view (same length); labels are read there.

    >>> text = "发布机构: | 区经信科技局 | 成文日期: | 2022-02-09 |\\n关于开展申报工作的通知\\n"
    >>> meta = read_page(text, text)
    >>> meta.issuer, meta.published
    ('区经信科技局', datetime.date(2022, 2, 9))
    """
    v = page_vocab()
    lines = _lines(view, v.head_lines)
    values, used = _labelled(lines, v)

    def cut(span: tuple[int, int]) -> str:
        return " ".join(cleaned[span[0] : span[1]].split())

    published = next((d for s in _first(values, "published", v) if (d := _date(view[s[0] : s[1]]))), None)
    bare = _bare_date(lines)
    if bare is not None:
        used.add(bare[1])
        published = published or bare[0]
    sv = vocab()
    issuer = next(
        (
            cut(s)
            for s in _first(values, "issuer", v)
            if is_org(view[s[0] : s[1]], sv) and not v.not_issuer.search(view[s[0] : s[1]])
        ),
        None,
    )
    if issuer is None:
        bare_org = _bare_issuer(lines, sv)
        issuer = cut(bare_org) if bare_org else None
    title = next((cut(s) for s in _first(values, "title", v) if len(cut(s)) >= sv.title_min), None)
    level = next(
        (
            v.level_words[w]
            for s in _first(values, "level", v)
            for w in v.level_words
            if w in view[s[0] : s[1]]
        ),
        None,
    )
    doc_year = next(
        (y for s in _first(values, "doc_number", v) if (y := doc_number_year(view[s[0] : s[1]]))), None
    )
    spans = tuple((lines[k][0], lines[k][0] + len(lines[k][1])) for k in sorted(used))
    return PageMeta(title, issuer, published, level, doc_year, spans)
