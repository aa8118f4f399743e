"""Which dates in a notice are deadlines, of what kind, for which batch.

The date grammar (:mod:`reminder.extract.dates`) finds every date expression; this module keeps the
ones a reminder must fire for. A date is a deadline only when a cue says so (``…前``, ``截止时间为…``,
a window ``3月15日-4月15日开放``); it is dropped when its context says it is something else:
a baseline (``截至…``), an entry into force (``自…起施行``), a milestone the applicant must already
have reached (``5月底前完成项目验收``), a period (``…期间投保``), or a date before the notice itself.

Each rule has a name that ends up in ``Deadline.rule``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cn2an

from reminder.calendar import add_workdays
from reminder.extract._data import alternation, load_table
from reminder.extract.dates import DateMention, DatePoint
from reminder.model import Deadline, DeadlineKind

__all__ = ["NoticeContext", "find_deadlines"]

_TABLE = load_table(
    "deadlines",
    {
        "after_cues": list,
        "before_cues": list,
        "window_verbs": list,
        "baseline_before": list,
        "effective_after": list,
        "target_before": list,
        "milestone_verbs": list,
        "period_after": list,
        "recommendation_words": list,
        "application_words": list,
        "materials_words": list,
        "other_words": list,
        "open_words": list,
        "approximate_words": list,
        "conditional_words": list,
        "to_be_announced": list,
        "relative_workdays": list,
        "time_headings": list,
        "batch_pattern": str,
        "clause_breaks": str,
        "sentence_breaks": str,
    },
)


def _rx(key: str) -> re.Pattern[str]:
    return re.compile(alternation(_TABLE[key]))


# What may stand between a date and its cue: spaces, a bracketed batch label, 24时/整.
_GAP = r"[\s]*(?:[(（]\s*(?:" + _TABLE["batch_pattern"] + r")\s*[)）]\s*)?(?:整|24时)?\s*"
_AFTER_CUE = re.compile(_GAP + "(?:" + alternation(_TABLE["after_cues"]) + ")")
_BEFORE_CUE = _rx("before_cues")
_FROM_NOW = re.compile(r"(?:即日|今日|发布之日|印发之日|公布之日|通知之日)起?\s*(?:至|到)\s*$")
_WINDOW_VERB = _rx("window_verbs")
_BASELINE = re.compile("(?:" + alternation(_TABLE["baseline_before"]) + r")\s*$")
_EFFECTIVE = re.compile(r"^\s*(?:" + alternation(_TABLE["effective_after"]) + ")")
_TARGET = re.compile("(?:" + alternation(_TABLE["target_before"]) + r")\s*$")
_MILESTONE = re.compile(r"^\s*(?:已|须|应|需|必须|要)?\s*(?:" + alternation(_TABLE["milestone_verbs"]) + ")")
_APPLY_ACT = re.compile(r"申报|申请|提交|报送|填报|上传|报名|上报|递交|推荐|确认")
_PERIOD = re.compile(r"^\s*(?:" + alternation(_TABLE["period_after"]) + ")")
# 2025年6月1日前认定的高新技术企业 / …前有效的政策: the date qualifies a noun, nobody must act.
_ELIGIBLE_THING = re.compile(r"^(?!将|把|向|通过|在|登录|由)[^，,。；将把向]{0,10}的")
_RECOMMEND = _rx("recommendation_words")
_APPLICANT = _rx("application_words")
_MATERIALS = _rx("materials_words")
_OTHER = _rx("other_words")
_APPROX = _rx("approximate_words")
_CONDITIONAL = _rx("conditional_words")
_TBA = _rx("to_be_announced")
_RELATIVE = [re.compile(p) for p in _TABLE["relative_workdays"]]
_BATCH = re.compile(_TABLE["batch_pattern"])
_MARKER = re.compile(r"【[^【】\n]{0,60}】")
_CLAUSE_BREAKS = _TABLE["clause_breaks"]
_SENTENCE_BREAKS = _TABLE["sentence_breaks"]
_ORDINALS = "一二三四五六七八九十"
# How far a clause or sentence reaches from its date, in characters.
_REACH = 300
# A section heading that announces the dates below it: "二、申报时间", "（三）受理时间：", "【申报期限】".
_TIME_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.]|[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|\d{1,2}\s*[.、]|【)?\s*"
    r"(?:" + alternation(_TABLE["time_headings"]) + r")\s*(?:安排)?\s*[】:：]?\s*$"
)
# After a single date: the application window opens then.
_OPENS = re.compile(r"^\s*(?:起)?\s*(?:正式)?(?:启动|开始受理|开始申报|开始填报|开放|开始|起开放|起受理)")
# 推荐材料 / 推荐名单 are what a recommending department sends, not the applicant's paper copies.
_RECOMMEND_THING = re.compile(r"推荐(?:材料|名单|文件|意见|函|汇总表)")


@dataclass(frozen=True)
class NoticeContext:
    """What a notice tells about its own dates.

    Args:
        start, end: the notice's span in the text.
        published: its signature/publication date, or the document's.
        year: the year the notice is about (its title's 2025年度), when stated.
        exclude: spans that hold no deadline (signature block, title).
    """

    start: int
    end: int
    published: dt.date | None = None
    year: int | None = None
    exclude: tuple[tuple[int, int], ...] = ()
    #: a policy text with no call: only explicit 截止 cues count
    policy_only: bool = False


@dataclass(frozen=True)
class _Candidate:
    mention: DateMention
    point: DatePoint
    role: str  # "cutoff", "open", "end"
    rule: str


@functools.cache
def _break_rx(breaks: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(breaks) + "]")


def _bounds(view: str, pos: int, end: int, breaks: str, lo: int, hi: int) -> tuple[int, int]:
    """The span of the clause or sentence around [pos, end), at most _REACH characters each side
    (text without punctuation must not make every date scan the whole document)."""
    lo, hi = max(lo, pos - _REACH), min(hi, end + _REACH)
    rx = _break_rx(breaks)
    a = lo
    for hit in rx.finditer(view, lo, pos):
        a = hit.end()
    after = rx.search(view, end, hi)
    b = after.start() if after else hi
    if b < hi and view[b] in "。；;！？!?":
        b += 1
    return a, b


def _is_cutoff(view: str, m: DateMention, clause: tuple[int, int], policy_only: bool) -> str | None:
    """The name of the cue rule that makes a single date a cutoff, or None."""
    after = view[m.span[1] : clause[1]]
    before = view[clause[0] : m.span[0]]
    if _AFTER_CUE.match(after) and not policy_only:
        return "date_before_cue"
    if _BEFORE_CUE.search(before):
        return "cue_then_date"
    if _FROM_NOW.search(before):
        return "from_now_until"
    return None


def _rejected(view: str, m: DateMention, clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    """Context that makes a date anything but a deadline."""
    before = view[clause[0] : m.span[0]]
    after = view[m.span[1] : clause[1]]
    if _BASELINE.search(before) and not re.search(r"(?:申报|受理|报送|提交|征集)(?:时间|日期)?\s*截至\s*$", before):
        return True
    if _EFFECTIVE.match(re.sub(r"^[\s(（]*(?:[零〇○0-9:：时点分]+)?", "", after)):
        return True
    if _TARGET.search(before) and not _APPLY_ACT.search(after[:12]):
        return True
    cue = _AFTER_CUE.match(after)
    if cue is not None:
        rest = after[cue.end() :]
        done = _MILESTONE.match(rest)
        # 完成项目验收 is a milestone; 完成网上申报 is the application itself.
        if done and not _APPLY_ACT.search(rest[done.end() : done.end() + 6]):
            return True
        if _ELIGIBLE_THING.match(rest):
            return True
    return _period(after)


def _period(after: str) -> bool:
    """…期间投保 is a period the applicant acted in; …期间登录平台填报 is the application window itself."""
    hit = _PERIOD.match(after)
    return hit is not None and not _APPLY_ACT.search(after[hit.end() : hit.end() + 12])


def _opens(view: str, m: DateMention, clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    """申报工作于2026年4月1日启动 / 系统于4月1日开放: the window's start, a date worth a reminder."""
    after = view[m.span[1] : clause[1]]
    return bool(_OPENS.match(after)) and bool(_APPLY_ACT.search(view[sentence[0] : sentence[1]]))


def _under_time_heading(view: str, pos: int, ctx: NoticeContext) -> bool:
    """Whether the date at ``pos`` is in the first lines under a 申报时间-like section heading."""
    line_start = view.rfind("\n", ctx.start, pos) + 1 or ctx.start
    lines = view[max(ctx.start, line_start - 200) : line_start].split("\n")[:-1]
    return any(_TIME_HEADING.match(line) for line in lines[-2:])


def _is_window(view: str, m: DateMention, clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    if m.end is None:
        return False
    around = view[sentence[0] : sentence[1]]
    after = view[m.span[1] : clause[1]]
    if _period(after):
        return False
    return bool(_WINDOW_VERB.search(around) or _BEFORE_CUE.search(view[clause[0] : m.span[0]]))


def _nearest(rx: re.Pattern[str], text: str) -> int:
    """Distance from the end of ``text`` to the end of the last match, or a large number."""
    last = -1
    for hit in rx.finditer(text):
        last = hit.end()
    return len(text) - last if last >= 0 else 10**6


def _kind(view: str, m: DateMention, role: str, clause: tuple[int, int], sentence: tuple[int, int]) -> DeadlineKind:
    if role == "open":
        return "window_open"
    before = view[sentence[0] : m.span[0]]
    after = view[m.span[1] : clause[1]]
    whole = view[sentence[0] : sentence[1]]
    if _OTHER.search(after) and not _APPLY_ACT.search(after):
        return "other"
    if _RECOMMEND_THING.search(whole) and "预审" not in whole:
        return "recommendation"
    if "预审" in whole or (_MATERIALS.search(whole) and not re.search(r"申报(?:书|材料|资料)", whole)):
        return "materials"
    if re.match(r"^[^，,。]{0,20}(?:推荐|汇总|行文|填写意见|审核意见)", after):
        return "recommendation"
    if _nearest(_RECOMMEND, before) < _nearest(_APPLICANT, before):
        return "recommendation"
    return "application"


def _batch_label(view: str, m: DateMention, clause: tuple[int, int]) -> str | None:
    after = view[m.span[1] : min(m.span[1] + 12, clause[1])]
    hit = re.match(r"\s*[(（]\s*(" + _TABLE["batch_pattern"] + r")\s*[)）]", after)
    if hit:
        return re.sub(r"\s+", "", hit.group(1))
    before = view[clause[0] : m.span[0]]
    labels = _BATCH.findall(before)
    return re.sub(r"\s+", "", labels[-1]) if labels else None


def _year_for(point: DatePoint, pos: int, ctx: NoticeContext, explicit: list[tuple[int, int]]) -> tuple[int, str]:
    """The year of a date written without one, and where it came from."""
    for at, year in reversed(explicit):
        if at < pos:
            return year, "notice"
    if ctx.year is not None:
        return ctx.year, "notice"
    if ctx.published is not None:
        year = ctx.published.year
        # A future call published in November that says 1月15日 means next January.
        if point.month < ctx.published.month:
            year += 1
        return year, "published"
    return dt.date.today().year, "today"


def _resolve(
    point: DatePoint, pos: int, ctx: NoticeContext, explicit: list[tuple[int, int]]
) -> tuple[dt.date, dt.time | None, str] | None:
    year = point.year if point.year is not None else _year_for(point, pos, ctx, explicit)[0]
    try:
        return point.resolve(year)
    except ValueError:
        return None


def _quote(cleaned: str, sentence: tuple[int, int]) -> str:
    return re.sub(r"\s*\n\s*", "", cleaned[sentence[0] : sentence[1]]).strip()


def _candidates(view: str, mentions: Sequence[DateMention], ctx: NoticeContext) -> list[_Candidate]:
    out: list[_Candidate] = []
    for m in mentions:
        if m.latent or any(a <= m.span[0] < b for a, b in ctx.exclude):
            continue
        if m.start.day is None and m.start.part is None:
            continue
        clause = _bounds(view, m.span[0], m.span[1], _CLAUSE_BREAKS, ctx.start, ctx.end)
        sentence = _bounds(view, m.span[0], m.span[1], _SENTENCE_BREAKS, ctx.start, ctx.end)
        if _rejected(view, m, clause, sentence):
            continue
        headed = not ctx.policy_only and _under_time_heading(view, m.span[0], ctx)
        if m.end is not None and (headed or _is_window(view, m, clause, sentence)) and not ctx.policy_only:
            rule_name = "window" if not headed else "window_under_heading"
            out.append(_Candidate(m, m.start, "open", rule_name))
            out.append(_Candidate(m, m.end, "end", rule_name))
            continue
        if m.end is None and not ctx.policy_only and _opens(view, m, clause, sentence):
            out.append(_Candidate(m, m.start, "open", "opening_date"))
            continue
        rule = _is_cutoff(view, m, clause, ctx.policy_only) or ("under_time_heading" if headed else None)
        if rule is not None:
            out.append(_Candidate(m, m.end or m.start, "cutoff", rule))
    return out


def _explicit_years(view: str, mentions: Sequence[DateMention], ctx: NoticeContext) -> list[tuple[int, int]]:
    """(position, year) of dates written with a year that look like cutoffs or windows."""
    years = []
    for m in mentions:
        if m.start.year is None or any(a <= m.span[0] < b for a, b in ctx.exclude):
            continue
        clause = _bounds(view, m.span[0], m.span[1], _CLAUSE_BREAKS, ctx.start, ctx.end)
        sentence = _bounds(view, m.span[0], m.span[1], _SENTENCE_BREAKS, ctx.start, ctx.end)
        if not _rejected(view, m, clause, sentence):
            years.append((m.span[0], m.start.year))
    return years


def _build(cleaned: str, view: str, c: _Candidate, ctx: NoticeContext, explicit: list[tuple[int, int]]) -> Deadline | None:
    m = c.mention
    point = c.point
    if c.role == "end" and point.year is None and m.start.year is not None:
        point = replace(point, year=m.start.year)
    resolved = _resolve(point, m.span[0], ctx, explicit)
    if resolved is None:
        return None
    date, time, grain = resolved
    clause = _bounds(view, m.span[0], m.span[1], _CLAUSE_BREAKS, ctx.start, ctx.end)
    sentence = _bounds(view, m.span[0], m.span[1], _SENTENCE_BREAKS, ctx.start, ctx.end)
    whole = view[sentence[0] : sentence[1]]
    return Deadline(
        date=date,
        time=time,
        kind=_kind(view, m, c.role, clause, sentence),
        quote=_quote(cleaned, sentence),
        span=m.span,
        grain=grain,
        batch=_batch_label(view, m, clause),
        approximate=bool(_APPROX.search(whole)),
        conditional=bool(_CONDITIONAL.search(view[sentence[0] : m.span[0]])),
        rule=c.rule,
    )


def _in_marker(view: str, pos: int, ctx: NoticeContext) -> bool:
    for hit in _MARKER.finditer(view, max(ctx.start, pos - 40), min(ctx.end, pos + 40)):
        if hit.start() <= pos < hit.end():
            return True
    return False


def _dedupe(deadlines: list[Deadline], view: str, ctx: NoticeContext) -> list[Deadline]:
    """One deadline per (date, time): a 【申报时间…截止】 marker restates the body."""
    body = [d for d in deadlines if not _in_marker(view, d.span[0], ctx)]
    markers = [d for d in deadlines if _in_marker(view, d.span[0], ctx)]
    seen: dict[tuple[dt.date | None, dt.time | None, str], Deadline] = {}
    for d in body + markers:
        key = (d.date, d.time, "open" if d.kind == "window_open" else "cutoff")
        if key not in seen:
            seen[key] = d
    # A day-only restatement of a deadline that also has a time is the same deadline.
    timed = {(d.date) for d in seen.values() if d.time is not None}
    out = [d for d in seen.values() if d.time is not None or d.date not in timed or d.kind == "window_open"]
    return sorted(out, key=lambda d: d.span[0])


def _number(text: str) -> int | None:
    try:
        return int(text) if text.isdigit() else int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def _relative(cleaned: str, view: str, ctx: NoticeContext, found: list[Deadline]) -> list[Deadline]:
    """``提前10个工作日(较截止时间)``: a step N working days before each of the notice's cutoffs."""
    out: list[Deadline] = []
    for rx in _RELATIVE:
        for hit in rx.finditer(view, ctx.start, ctx.end):
            n = _number(hit.group("n"))
            bases = [d for d in found if d.span[0] < hit.start() and d.date and d.kind != "window_open"]
            if not n or not bases:
                continue
            if any(d.batch for d in bases):
                bases = [d for d in bases if d.batch]
            else:
                bases = bases[-1:]
            sentence = _bounds(view, hit.start(), hit.end(), _SENTENCE_BREAKS, ctx.start, ctx.end)
            for base in bases:
                assert base.date is not None
                out.append(
                    Deadline(
                        date=add_workdays(base.date, -n),
                        time=None,
                        kind="application",
                        quote=_quote(cleaned, sentence),
                        span=(hit.start(), hit.end()),
                        batch=base.batch,
                        conditional=True,
                        rule="relative_workdays",
                    )
                )
    return out


def _announced_later(cleaned: str, view: str, ctx: NoticeContext) -> list[Deadline]:
    """``申报时间另行通知``: a deadline exists but has no date yet."""
    out = []
    for hit in _TBA.finditer(view, ctx.start, ctx.end):
        sentence = _bounds(view, hit.start(), hit.end(), _SENTENCE_BREAKS, ctx.start, ctx.end)
        if re.search(r"申报|截止|时间|受理|报送", view[sentence[0] : hit.start()]):
            out.append(
                Deadline(
                    date=None,
                    time=None,
                    kind="application",
                    quote=_quote(cleaned, sentence),
                    span=(hit.start(), hit.end()),
                    to_be_announced=True,
                    rule="to_be_announced",
                )
            )
    return out


def _label_lists(view: str, deadlines: list[Deadline], ctx: NoticeContext) -> list[Deadline]:
    """``截止时间分别为5月31日、8月31日``: unlabeled cutoffs listed together are batches."""
    out = list(deadlines)
    by_sentence: dict[tuple[int, int], list[int]] = {}
    for i, d in enumerate(out):
        s = _bounds(view, d.span[0], d.span[1], _SENTENCE_BREAKS, ctx.start, ctx.end)
        by_sentence.setdefault(s, []).append(i)
    for s, idx in by_sentence.items():
        if "分别" not in view[s[0] : s[1]]:
            continue
        cutoffs = [i for i in idx if out[i].kind != "window_open"]
        # 第二批、第三批截止时间分别为6月30日、9月30日: the labels listed before, in order
        named = [re.sub(r"\s+", "", x) for x in _BATCH.findall(view[s[0] : out[cutoffs[0]].span[0]])] if cutoffs else []
        if len(cutoffs) >= 2 and len(named) == len(cutoffs):
            for label, i in zip(named, cutoffs, strict=True):
                out[i] = replace(out[i], batch=label)
            continue
        cutoffs = [i for i in cutoffs if out[i].batch is None]
        if len(cutoffs) >= 2 and len(cutoffs) <= len(_ORDINALS):
            for n, i in enumerate(cutoffs):
                out[i] = replace(out[i], batch=f"第{_ORDINALS[n]}批")
    return out


def find_deadlines(
    cleaned: str, view: str, mentions: Sequence[DateMention], ctx: NoticeContext
) -> list[Deadline]:
    """The deadlines of one notice.

    Args:
        cleaned: the document's cleaned text (quotes are cut from it).
        view: its match view (same length).
        mentions: date mentions inside the notice's span, in order.
        ctx: the notice's span, publication date, year and excluded spans.

    Returns:
        Deadlines in text order, restatements merged, dated ones first then 另行通知 ones.
    """
    explicit = _explicit_years(view, mentions, ctx)
    built = [_build(cleaned, view, c, ctx, explicit) for c in _candidates(view, mentions, ctx)]
    found = [d for d in built if d is not None]
    if ctx.published is not None:
        # A cutoff before the notice was published is a period or a baseline, not a call.
        found = [d for d in found if d.date is None or d.date >= ctx.published]
    found = _label_lists(view, _dedupe(found, view, ctx), ctx)
    found += _relative(cleaned, view, ctx, found)
    if not found:
        found += _announced_later(cleaned, view, ctx)
    return found
