"""Which dates in a notice are deadlines, of what kind, for which batch.

The date grammar (:mod:`reminder.extract.dates`) finds every date expression; this module keeps the
ones a reminder must fire for. A date is a deadline only when a cue says so (``…前``, ``截止时间为…``,
a window ``3月15日-4月15日开放``); it is dropped when its context says it is something else:
a baseline (``截至…``), an entry into force (``自…起施行``), a milestone the applicant must already
have reached (``5月底前完成项目验收``), a period (``…期间投保``), a project's execution period
(``项目执行期间为…``), an event to attend (``…举办说明会``), a figure as of a day (``截止6月30日,…92家``),
the issuing authority's own review or later steps (``市科技局审核时间…``, ``结果将于6月15日前公示``), a
step already done (``已于4月15日截止``), the old date of an extension (``由6月30日延长至…``), or a date
before the notice itself.

Dates listed together share the cue after the last (``于4月10日、7月10日前``); days counted from the
publication month (``本月底前``, ``下月10日前``) are judged like written dates, days counted from
publication (``自本通知发布之日起15个工作日内``) computed; a district department's review range
(``区工信局初审时间为…至…``) is a recommendation due at its end, a schedule label naming the
authority's step (``形式审查：…``) no deadline; a year word earlier in the clause (``去年该项目于…``)
gives the date's year; recurring cut-offs
(``每季度末月10日``) come from :mod:`reminder.extract.deadlines_recurring`; the cue vocabulary is
compiled in :mod:`reminder.extract._deadline_cues`. Each rule has a name that ends up in ``Deadline.rule``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reminder.calendar import add_workdays
from reminder.extract import _deadline_cues as cues
from reminder.extract.dates import DateMention, DatePoint
from reminder.extract.deadlines_recurring import find_recurring
from reminder.extract.facts_text import literal_finditer
from reminder.model import Deadline, DeadlineKind

__all__ = ["NoticeContext", "find_deadlines"]


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


# compiled once: these run for every date mention
_AT_END = re.compile(r"[于在]\s*$")
_APPLY_UNTIL = re.compile(
    r"(?:申报|申请|受理|报送|提交|递交|接收|征集|报名|填报)(?:时间|日期|期限|期)?\s*(?:截至|截止到|截止至)\s*$"
)
# 截至6月30日止: "until", never a baseline
_UNTIL_END = re.compile(r"^\s*(?:24时|24:00)?\s*(?:止|为止)")
_LEADING_TIME = re.compile(r"^[\s(（]*(?:[零〇○0-9:：时点分]+)?")
_DAY_MARK = re.compile(r"[0-9一二三四五六七八九十]\s*[日号]")
_FORMS = re.compile(r"申报(?:书|材料|资料)")
_PASS_ON = re.compile(r"^[^，,。]{0,20}(?:推荐|汇总|行文|填写意见|审核意见)")
_SPACES = re.compile(r"\s+")
_ASKED = re.compile(r"须|应|请|需|务必|要")
# 区县工信局 / 各园区管委会 naming who acts at the head of a clause
_DEPARTMENT = re.compile(r"局|厅|委|部门")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_ABOUT_APPLYING = re.compile(r"申报|申请|报名|截止|时间|日期|受理|报送")


@functools.cache
def _break_rx(breaks: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(breaks) + "]")


@functools.cache
def _last_break_rx(breaks: str) -> re.Pattern[str]:
    return re.compile("(?s:.*)[" + re.escape(breaks) + "]")


def _bounds(view: str, pos: int, end: int, breaks: str, lo: int, hi: int) -> tuple[int, int]:
    """The span of the clause or sentence around [pos, end), at most cues.REACH characters each side
    (text without punctuation must not make every date scan the whole document)."""
    lo, hi = max(lo, pos - cues.REACH), min(hi, end + cues.REACH)
    rx = _break_rx(breaks)
    # the last break before pos: the greedy .* runs to pos and backs off to it, in C
    last = _last_break_rx(breaks).match(view, lo, pos)
    a = last.end() if last else lo
    after = rx.search(view, end, hi)
    b = after.start() if after else hi
    if b < hi and view[b] in "。；;！？!?":
        b += 1
    return a, b


class _Around:
    """The clause and sentence around each date of one notice, and whether its context rejects it as a
    deadline: the year scan, the candidates and the builder all read them (each worked out once)."""

    def __init__(self, view: str, ctx: NoticeContext) -> None:
        self._view, self._ctx = view, ctx
        self._bounds: dict[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]] = {}
        self._rejected: dict[tuple[tuple[int, int], int], bool] = {}

    def bounds(self, span: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
        """(clause, sentence) around ``span``: see :func:`_bounds`."""
        got = self._bounds.get(span)
        if got is None:
            view, lo, hi = self._view, self._ctx.start, self._ctx.end
            clause = _bounds(view, span[0], span[1], cues.CLAUSE_BREAKS, lo, hi)
            got = self._bounds[span] = clause, _bounds(view, span[0], span[1], cues.SENTENCE_BREAKS, lo, hi)
        return got

    def rejected(self, m: DateMention, tail: int) -> bool:
        """:func:`_rejected` for the mention (the notice's mentions have distinct spans)."""
        key = (m.span, tail)
        got = self._rejected.get(key)
        if got is None:
            clause, sentence = self.bounds(m.span)
            got = self._rejected[key] = _rejected(self._view, m, clause, sentence, tail)
        return got


def _is_cutoff(
    view: str,
    m: DateMention,
    clause: tuple[int, int],
    sentence: tuple[int, int],
    policy_only: bool,
    tail: int,
) -> str | None:
    """The name of the cue rule that makes a single date a cutoff, or None.

    ``tail`` is where the list the date heads ends (于4月10日、7月10日前: the cue after the last
    date is every date's); in a policy text a cue counts only before an applicant's act.
    """
    after = view[tail : clause[1]]
    before = view[clause[0] : m.span[0]]
    cue = cues.AFTER_CUE.match(after)
    if cue is not None and (not policy_only or cues.POLICY_ACT.match(after[cue.end() :])):
        return "date_before_cue" if tail == m.span[1] else "date_list_before_cue"
    if cues.BEFORE_CUE.search(before):
        return "cue_then_date"
    if _APPLY_UNTIL.search(before):  # 受理申请截至6月30日
        return "apply_until_date"
    if _AT_END.search(before) and cues.SUBMIT_ON.match(after):
        return "submit_on_date"
    if (
        cues.BATCH_IS.search(before) and "截止" in view[max(0, clause[0] - 60) : clause[0]]
    ):  # 截止…;第二批为6月30日
        return "batch_then_date"
    if cues.FROM_NOW.search(before):
        return "from_now_until"
    if cues.BARE_BASELINE.search(before) and (m.start.hour is not None or not after.strip(" 。；;")):
        return "until_date"  # not rejected as a baseline: see _until
    if cues.CLOSED_AFTER.match(after):
        return "closed_after_date"
    if _until_clause(view, before, clause, sentence):
        return "until_clause"
    return None


def _rejected(
    view: str, m: DateMention, clause: tuple[int, int], sentence: tuple[int, int], tail: int
) -> bool:
    """Context that makes a date anything but a deadline."""
    before = view[clause[0] : m.span[0]]
    after = view[tail : clause[1]]
    if (
        cues.EXTENDED.match(view[m.span[1] : clause[1]])
        or cues.PERIOD_BEFORE.search(before)
        or (cues.AUTHORITY_STEP.search(before) and "各" not in before)
        or cues.DONE_BEFORE.search(before)
        or _reported(before)
        or _step_label(before)
    ):
        return True
    if _figure_as_of(view, m, before, sentence) or _event(view, m, before, after, sentence):
        return True
    if (
        cues.BASELINE.search(before)
        and not _APPLY_UNTIL.search(before)
        and not _UNTIL_END.match(after)
        and not _until(view, m, before, after, clause, sentence)
    ):
        return True
    if cues.EFFECTIVE.match(_LEADING_TIME.sub("", after)):
        return True
    if (
        cues.TARGET.search(before)
        and not cues.APPLY_ACT.search(after[:12])
        # 截止到 / 推迟到 / 延长到 name the new cutoff, 即日起到 a window's end
        and not (cues.BEFORE_CUE.search(before[-4:]) or cues.FROM_NOW.search(before))
        and not _until_clause(view, before, clause, sentence)
    ):
        return True
    cue = cues.AFTER_CUE.match(after)
    if cue is not None:
        rest = after[cue.end() :]
        done = cues.MILESTONE.match(rest)
        # 完成项目验收 is a milestone; 完成网上申报 is the application itself, 完成初核推荐 a department's.
        if done is not None:
            acted = cues.PINYIN.sub("", rest[done.end() : done.end() + 30])  # 网(wǎng)上申报
            by_department = rest[: done.end()].strip().endswith("完成") and cues.REVIEW_ACT.search(acted[:10])
            # 完成2025年度高新技术企业申报 applies; 完成项目验收并提交报告 is a milestone first
            act = cues.APPLY_ACT.search(acted[:16])
            milestone = cues.MILESTONE_WORD.search(acted[:16])
            applies = act is not None and (milestone is None or act.start() < milestone.start())
            if not (applies or by_department):
                return True
        if (cues.ELIGIBLE_THING.match(rest) and not cues.MISSED.match(rest)) or cues.PAYMENT.match(rest):
            return True
        # 结果将于6月15日前公示 / 将在6月30日前组织专家评审 / 6月底前，公布认定结果: the authority's step
        # (a 各… department's review is a recommendation)
        step = rest if rest.strip() else _next_clause(view, clause, sentence)
        if (
            cues.AUTHORITY_ACT.search(step)
            and not cues.APPLY_ACT.search(step)
            and not cues.REVIEW_ACT.search(step)
            and "各" not in before + step
        ):
            return True
    return _period(after)


def _step_label(before: str) -> bool:
    """形式审查：5月1日至5月10日: a label naming the authority's step, not an applicant's act or a
    department's (网上申报及形式审查：… is the applicants')."""
    if ":" not in before:  # (the match view's colons are half-width)
        return False
    hit = cues.STEP_LABEL.search(before)
    return (
        hit is not None
        and "各" not in before
        and not cues.APPLY_ACT.search(before)
        and not cues.REVIEW_WINDOW.search(before)  # 区县审核：… is a department's (a recommendation)
    )


def _reported(before: str) -> bool:
    """共有238家企业于6月30日前完成申报: how many acted, unless they are asked to (共3个项目须于…前)."""
    hit = cues.REPORTED.search(before)
    return hit is not None and not _ASKED.search(before, hit.end())


def _next_clause(view: str, clause: tuple[int, int], sentence: tuple[int, int]) -> str:
    """The clause after ``clause`` in its sentence (6月底前，公布认定结果: what is done by then)."""
    start = clause[1] + 1
    if start >= sentence[1]:
        return ""
    after = _break_rx(cues.CLAUSE_BREAKS).search(view, start, sentence[1])
    return view[start : after.start() if after else sentence[1]]


def _until_clause(view: str, before: str, clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    """申报截止日期延长一周，至5月7日: the date's clause is just 至/到 after a cue earlier in the sentence."""
    return bool(cues.UNTIL_CLAUSE.match(before)) and bool(
        cues.BEFORE_CUE.search(view, sentence[0], clause[0])
    )


def _until(
    view: str, m: DateMention, before: str, after: str, clause: tuple[int, int], sentence: tuple[int, int]
) -> bool:
    """截至 as "until": with an hour (截至4月30日17时, a baseline is a day), or in a clause of its own
    after the opening (即日起开始受理，截至4月30日)."""
    if not cues.BARE_BASELINE.search(before):
        return False
    if m.start.hour is not None:
        return True
    return not after.strip(" 。；;") and bool(cues.OPENED_BEFORE.search(view, sentence[0], clause[0]))


def _figure_as_of(view: str, m: DateMention, before: str, sentence: tuple[int, int]) -> bool:
    """截止6月30日,登记入库…92家: a report of a figure as of that day."""
    rest = view[m.span[1] : sentence[1]]
    return (
        bool(cues.BARE_BASELINE.search(before))
        and rest.lstrip()[:1] in (",", "，")
        and bool(cues.COUNT.search(rest))
    )


def _event(view: str, m: DateMention, before: str, after: str, sentence: tuple[int, int]) -> bool:
    """将于5月12日上午9点至11点30分举办说明会: an event to attend, when no cut-off cue says otherwise.

    The event must be named in the date's clause or the next one, and the date's clause must not
    open a window (申报系统将于3月1日开放,届时将举办培训 opens one).
    """
    if cues.AFTER_CUE.match(after) or cues.BEFORE_CUE.search(before) or cues.OPENS.match(after):
        return False
    return bool(cues.EVENT.search(view, m.span[0], min(sentence[1], m.span[1] + len(after) + 40)))


def _period(after: str) -> bool:
    """…期间投保 is a period the applicant acted in; …期间登录平台填报 is the application window itself,
    and 3月20日后正式开放 the window's start."""
    hit = cues.PERIOD.match(after)
    if hit is None or cues.AFTER_CUE.match(after):  # 6月30日后不再受理: the window closes then
        return False
    rest = after[hit.end() : hit.end() + 12]
    return not (cues.APPLY_ACT.search(rest) or cues.OPENS.match(rest))


def _opens(view: str, m: DateMention, clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    """申报工作于2026年4月1日启动 / 系统于4月1日开放: the window's start, a date worth a reminder."""
    after = view[m.span[1] : clause[1]]
    hit = cues.PERIOD.match(after)  # 3月20日后正式开放
    if hit is not None and "后" in hit.group():
        after = after[hit.end() :]
    if cues.OPEN_FROM.match(after) and cues.BEFORE_CUE.search(view[clause[0] : m.span[0]]):
        return True  # 申报时间自4月1日起，至4月30日止
    whole = view[sentence[0] : sentence[1]]
    # (3月10日起开始受理: 受理 is the applicants' window too)
    return bool(cues.OPENS.match(after)) and bool(cues.APPLY_ACT.search(whole) or "受理" in whole)


def _under_time_heading(view: str, pos: int, ctx: NoticeContext) -> bool:
    """Whether the date at ``pos`` is in the first lines under a 申报时间-like section heading."""
    line_start = view.rfind("\n", ctx.start, pos) + 1 or ctx.start
    lines = view[max(ctx.start, line_start - 200) : line_start].split("\n")[:-1]
    return any(cues.TIME_HEADING.match(line) for line in lines[-2:])


def _is_window(
    view: str, m: DateMention, clause: tuple[int, int], sentence: tuple[int, int], policy_only: bool
) -> bool:
    """A range the applicant acts in: named by a cue (申报时间…), or by a verb or a 前/止 after it."""
    if m.end is None:
        return False
    after = view[m.span[1] : clause[1]]
    if _period(after):
        return False
    before = view[clause[0] : m.span[0]]
    if cues.BEFORE_CUE.search(before) or cues.FROM_NOW.search(before):
        return True
    return not policy_only and bool(
        cues.WINDOW_VERB.search(view, sentence[0], sentence[1]) or cues.AFTER_CUE.match(after)
    )


def _label_before(view: str, sentence: tuple[int, int], ctx: NoticeContext) -> bool:
    """Whether a short label ending the previous sentence names the dates: 受理时间。2021年6月1日-6月7日."""
    lo = max(ctx.start, sentence[0] - 24)
    head = view[lo : sentence[0]]
    if not head.endswith(("。", ":")):
        return False
    return bool(cues.LABEL_BEFORE.search(head))


def _list_tails(view: str, mentions: Sequence[DateMention]) -> list[int]:
    """For each mention, the end of the list it heads (于4月10日、7月10日、10月10日前): the cue is after it."""
    tails = [m.span[1] for m in mentions]
    for i in range(len(mentions) - 2, -1, -1):
        a, b = mentions[i], mentions[i + 1]
        if a.end is None and b.end is None and cues.LIST_JOIN.match(view, a.span[1], b.span[0]):
            tails[i] = tails[i + 1]
    return tails


def _nearest(rx: re.Pattern[str], text: str) -> int:
    """Distance from the end of ``text`` to the end of the last match, or a large number."""
    last = -1
    for hit in rx.finditer(text):
        last = hit.end()
    return len(text) - last if last >= 0 else 10**6


def _kind(
    view: str, m: DateMention, role: str, clause: tuple[int, int], sentence: tuple[int, int]
) -> DeadlineKind:
    if role == "open":
        return "window_open"
    if role == "review":
        return "recommendation"
    before = view[sentence[0] : m.span[0]]
    after = view[m.span[1] : clause[1]]
    whole = view[sentence[0] : sentence[1]]
    if cues.OTHER_ACT.search(after) and not (_FORMS.search(after) or "申请" in after):
        return "other"
    if cues.RECOMMEND_THING.search(whole) and "预审" not in whole:
        return "recommendation"
    cue = cues.AFTER_CUE.match(after)
    if cue is not None and not after[cue.end() :].strip():
        # 5月10日前，各区完成审核推荐: the next clause says who acts
        nxt = _next_clause(view, clause, sentence)[:10]
        dept, applicant = cues.RECOMMEND.search(nxt) or _DEPARTMENT.search(nxt), cues.APPLICANT.search(nxt)
        if dept is not None and (applicant is None or dept.start() < applicant.start()):
            return "recommendation"
    # 各地市主管部门请于…前将材料报送: who acts (a department close before the date) outweighs what is sent
    rec = _nearest(cues.RECOMMEND, before)
    if rec < 30 and rec < _nearest(cues.APPLICANT, before):
        return "recommendation"
    # the sentence up to this date's clause, from the clause after an earlier date in it
    own = view[sentence[0] : clause[1]]
    if _DAY_MARK.search(view[sentence[0] : clause[0]]):
        own = view[clause[0] : clause[1]]
    if "预审" in whole or (cues.MATERIALS.search(own) and not _FORMS.search(own)):
        return "materials"
    if _PASS_ON.match(after):
        return "recommendation"
    if _nearest(cues.RECOMMEND, before) < _nearest(cues.APPLICANT, before):
        return "recommendation"
    return "application"


def _batch_label(view: str, m: DateMention, clause: tuple[int, int]) -> str | None:
    after = view[m.span[1] : min(m.span[1] + 12, clause[1])]
    hit = cues.BATCH_AFTER.match(after)
    if hit:
        return _SPACES.sub("", hit.group(1))
    before = view[clause[0] : m.span[0]]
    labels = cues.BATCH.findall(before)
    return _SPACES.sub("", labels[-1]) if labels else None


def _year_for(
    point: DatePoint, pos: int, ctx: NoticeContext, explicit: list[tuple[int, int]]
) -> tuple[int, str]:
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
    if point.year is not None:
        year = point.year
    elif point.rel_year is not None:  # 今年 / 明年: counted from the publication year
        base = ctx.published.year if ctx.published else ctx.year
        year = (base if base is not None else dt.date.today().year) + point.rel_year
    else:
        year = _year_for(point, pos, ctx, explicit)[0]
    try:
        return point.resolve(year)
    except ValueError:
        return None


def _quote(cleaned: str, sentence: tuple[int, int]) -> str:
    return _LINE_BREAK.sub("", cleaned[sentence[0] : sentence[1]]).strip()


def _candidates(
    view: str, mentions: Sequence[DateMention], ctx: NoticeContext, around: _Around
) -> list[_Candidate]:
    out: list[_Candidate] = []
    tails = _list_tails(view, mentions)
    for m, tail in zip(mentions, tails, strict=True):
        if m.latent or any(a <= m.span[0] < b for a, b in ctx.exclude):
            continue
        if m.start.day is None and m.start.part is None:
            continue
        clause, sentence = around.bounds(m.span)
        if around.rejected(m, tail):
            continue
        if m.end is not None and cues.REVIEW_WINDOW.search(view, clause[0], m.span[0]):
            # 区工信局初审时间为5月21日至5月25日: a department's review, done by the range's end
            out.append(_Candidate(m, m.end, "review", "department_review_window"))
            continue
        headed = not ctx.policy_only and _under_time_heading(view, m.span[0], ctx)
        labeled = _label_before(view, sentence, ctx)
        if m.end is not None and (
            headed or labeled or _is_window(view, m, clause, sentence, ctx.policy_only)
        ):
            rule_name = "window_under_heading" if headed or labeled else "window"
            out.append(_Candidate(m, m.start, "open", rule_name))
            out.append(_Candidate(m, m.end, "end", rule_name))
            continue
        if m.end is None and not ctx.policy_only and _opens(view, m, clause, sentence):
            out.append(_Candidate(m, m.start, "open", "opening_date"))
            continue
        rule = _is_cutoff(view, m, clause, sentence, ctx.policy_only, tail)
        rule = rule or ("under_time_heading" if headed else "labeled_date" if labeled else None)
        if rule is not None:
            out.append(_Candidate(m, m.end or m.start, "cutoff", rule))
    return out


def _explicit_years(
    mentions: Sequence[DateMention], ctx: NoticeContext, around: _Around
) -> list[tuple[int, int]]:
    """(position, year) of dates written with a year that look like cutoffs or windows."""
    years = []
    for m in mentions:
        if (
            m.start.year is None
            or m.latent
            or m.low_confidence
            or any(a <= m.span[0] < b for a, b in ctx.exclude)
        ):
            continue
        if not around.rejected(m, m.span[1]):
            years.append((m.span[0], m.start.year))
    return years


def _closing_time(view: str, pos: int, sentence: tuple[int, int]) -> dt.time | None:
    """收件时间为上午08:30-11:30,下午15:00-17:00 later in the sentence, or hours in brackets right after
    the date: the office closes at 17:00."""
    said = cues.CUTOFF_HOUR.search(view, pos, sentence[1]) or cues.SAME_DAY_HOUR.search(
        view, pos, sentence[1]
    )
    if said is not None and not _DAY_MARK.search(view, pos, said.start()):
        return _hour_said(said)
    label = cues.OFFICE_HOURS.search(view, pos, sentence[1]) or cues.HOURS_BRACKET.match(view, pos)
    if label is None:
        return None
    pairs = list(cues.CLOCK_RANGE.finditer(view, label.end(), min(sentence[1], label.end() + 40)))
    if not pairs:
        return None
    hour, minute = int(pairs[-1].group("h")), int(pairs[-1].group("m"))
    return dt.time(hour, minute) if hour < 24 and minute < 60 else None


def _hour_said(hit: re.Match[str]) -> dt.time | None:
    """The time of ``cues.CUTOFF_HOUR``'s match: 下午五时正 = 17:00, 下午5时30分 = 17:30, 24时 = none."""
    hour, minute = _number(hit.group("h")), 30 if hit.group("half") else 0
    if hit.group("m") or hit.group("m2"):
        minute = _number(hit.group("m") or hit.group("m2")) or 0
    if hour is None:
        return None
    if (hit.group("ap") in ("下午", "晚上") and hour < 12) or (hit.group("ap") == "中午" and hour < 6):
        hour += 12
    return dt.time(hour, minute) if hour < 24 and minute < 60 else None


def _build(
    cleaned: str,
    view: str,
    c: _Candidate,
    ctx: NoticeContext,
    explicit: list[tuple[int, int]],
    around: _Around,
) -> Deadline | None:
    m = c.mention
    point = c.point
    if c.role in ("end", "review") and point.year is None and m.start.year is not None:
        point = replace(point, year=m.start.year)
    clause, sentence = around.bounds(m.span)
    lo = max(sentence[0], clause[0] - 8)
    if point.year is None and point.rel_year is None and view.find("年", lo, m.span[0]) >= 0:
        said = cues.YEAR_BEFORE.search(view, lo, m.span[0])
        if said is not None:  # 去年该项目于5月31日截止申报
            point = replace(point, rel_year=cues.YEAR_WORDS[said.group("w")])
    resolved = _resolve(point, m.span[0], ctx, explicit)
    if resolved is None:
        return None
    date, time, grain = resolved
    if time is None and c.role != "open" and grain == "day":
        time = _closing_time(view, m.span[1], sentence)
        grain = "minute" if time is not None else grain
    whole = view[sentence[0] : sentence[1]]
    return Deadline(
        date=date,
        time=time,
        kind=_kind(view, m, c.role, clause, sentence),
        quote=_quote(cleaned, sentence),
        span=m.span,
        grain=grain,
        batch=_batch_label(view, m, clause),
        approximate=bool(cues.APPROX.search(whole)),
        conditional=bool(cues.CONDITIONAL.search(view[sentence[0] : m.span[0]])),
        low_confidence=m.low_confidence,
        rule=c.rule,
    )


def _in_marker(view: str, pos: int, ctx: NoticeContext) -> bool:
    for hit in cues.MARKER.finditer(view, max(ctx.start, pos - 40), min(ctx.end, pos + 40)):
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
        import cn2an  # slow to import (0.1 s at start-up): only Chinese numerals need it

        return int(text) if text.isdigit() else int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def _relative(cleaned: str, view: str, ctx: NoticeContext, found: list[Deadline]) -> list[Deadline]:
    """``提前10个工作日(较截止时间)`` / ``截止后5个工作日内``: a step N working days before (or after) each of
    the notice's cutoffs."""
    out: list[Deadline] = []
    for rx, sign in cues.RELATIVE:
        for hit in rx.finditer(view, ctx.start, ctx.end):
            n = _number(hit.group("n"))
            bases = [d for d in found if d.span[0] < hit.start() and d.date and d.kind != "window_open"]
            if not n or not bases:
                continue
            if sign > 0 and any(d.kind == "application" for d in bases):
                # 网上填报截止后3个工作日内: after the applicants' cutoff, not a department's later one
                bases = [d for d in bases if d.kind == "application"]
            if any(d.batch for d in bases):
                bases = [d for d in bases if d.batch]
            else:
                bases = bases[-1:]
            sentence = _bounds(view, hit.start(), hit.end(), cues.SENTENCE_BREAKS, ctx.start, ctx.end)
            kind: DeadlineKind = "materials" if cues.MATERIALS.search(view, *sentence) else "application"
            for base in bases:
                assert base.date is not None
                out.append(
                    Deadline(
                        date=add_workdays(base.date, sign * n),
                        time=None,
                        kind=kind,
                        quote=_quote(cleaned, sentence),
                        span=(hit.start(), hit.end()),
                        batch=base.batch,
                        # 提前…个工作日 is asked of those who need the step (需实地检查的)
                        conditional=sign < 0 or bool(cues.CONDITIONAL.search(view, sentence[0], hit.start())),
                        rule="relative_workdays",
                    )
                )
    return out


def _recurring(
    cleaned: str, view: str, ctx: NoticeContext, explicit: list[tuple[int, int]]
) -> list[Deadline]:
    """每季度末月10日 / 每月20日前: the occurrences in the notice's year, flagged recurring."""
    if ctx.policy_only:
        return []
    year = ctx.year or (ctx.published.year if ctx.published else None)
    if year is None:
        year = explicit[0][1] if explicit else dt.date.today().year
    out = []
    for o in find_recurring(view, ctx.start, ctx.end, year, ctx.published):
        sentence = _bounds(view, o.span[0], o.span[1], cues.SENTENCE_BREAKS, ctx.start, ctx.end)
        grain = "minute" if o.time else "day"
        quote = _quote(cleaned, sentence)
        out.append(Deadline(o.date, o.time, "application", quote, o.span, grain, recurring=True, rule=o.rule))
    return out


def _from_publication(cleaned: str, view: str, ctx: NoticeContext, around: _Around) -> list[Deadline]:
    """``自本通知发布之日起15个工作日内提交``: a count of (working) days from the publication date, when
    the notice's date is known and an applicant's or a department's act follows in the clause."""
    if ctx.published is None:
        return []
    out: list[Deadline] = []
    for hit in cues.FROM_PUBLICATION.finditer(view, ctx.start, ctx.end):
        word = cues.FROM_PUBLICATION_WORD.search(view, max(ctx.start, hit.start() - 12), hit.start())
        n = _number(hit.group("n"))
        if word is None or not n or any(a <= word.start() < b for a, b in ctx.exclude):
            continue
        if hit.group("unit") == "工作日":
            date = add_workdays(ctx.published, n)
        else:
            date = ctx.published + dt.timedelta(days=n)
        point = DatePoint(date.year, date.month, date.day)
        span = (word.start(), hit.end())
        m = DateMention(span, view[span[0] : span[1]], point, rule="from_publication")
        clause, sentence = around.bounds(m.span)
        after = view[m.span[1] : clause[1]]
        if cues.NOT_PUBLICATION.search(view, max(clause[0], word.start() - 8), word.start()):
            continue  # 收到补正通知之日起5个工作日内: counted from another day
        if not (cues.APPLY_ACT.search(after) or cues.REVIEW_ACT.search(after)) or around.rejected(
            m, m.span[1]
        ):
            continue
        out.append(
            Deadline(
                date=date,
                time=None,
                kind=_kind(view, m, "cutoff", clause, sentence),
                quote=_quote(cleaned, sentence),
                span=m.span,
                conditional=bool(cues.CONDITIONAL.search(view, sentence[0], m.span[0])),
                rule="from_publication",
            )
        )
    return out


def _announced_later(cleaned: str, view: str, ctx: NoticeContext) -> list[Deadline]:
    """``申报时间另行通知``: a deadline exists but has no date yet."""
    out = []
    said: set[tuple[int, int]] = set()  # one per sentence (报名日期待定，另见通告)
    for hit in literal_finditer(cues.TBA, cues.TBA_FIRSTS, view, ctx.start, ctx.end):
        sentence = _bounds(view, hit.start(), hit.end(), cues.SENTENCE_BREAKS, ctx.start, ctx.end)
        if sentence not in said and _ABOUT_APPLYING.search(view[sentence[0] : hit.start()]):
            said.add(sentence)
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
        s = _bounds(view, d.span[0], d.span[1], cues.SENTENCE_BREAKS, ctx.start, ctx.end)
        by_sentence.setdefault(s, []).append(i)
    for s, idx in by_sentence.items():
        if "分别" not in view[s[0] : s[1]]:
            continue
        cutoffs = [i for i in idx if out[i].kind != "window_open"]
        # 第二批、第三批截止时间分别为6月30日、9月30日: the labels listed before, in order
        named = (
            [_SPACES.sub("", x) for x in cues.BATCH.findall(view[s[0] : out[cutoffs[0]].span[0]])]
            if cutoffs
            else []
        )
        if len(cutoffs) >= 2 and len(named) == len(cutoffs):
            for label, i in zip(named, cutoffs, strict=True):
                out[i] = replace(out[i], batch=label)
            continue
        cutoffs = [i for i in cutoffs if out[i].batch is None]
        if len(cutoffs) >= 2 and len(cutoffs) <= len(cues.ORDINALS):
            for n, i in enumerate(cutoffs):
                out[i] = replace(out[i], batch=f"第{cues.ORDINALS[n]}批")
    return out


_PARTS = {"底": "end", "末": "end", "上旬": "early", "中旬": "mid", "下旬": "late"}


def _relative_month_mentions(view: str, ctx: NoticeContext) -> list[DateMention]:
    """请于本月底前报送 / 下月10日前 / 今年年底前: dates counted from the publication month or year, as
    mentions the rules judge like any other (only with a publication date to count from)."""
    if ctx.published is None or all(view.find(w, ctx.start, ctx.end) < 0 for w in cues.RELATIVE_NEEDLES):
        return []
    out = []
    for hit in literal_finditer(cues.RELATIVE_MONTH, cues.RELATIVE_FIRSTS, view, ctx.start, ctx.end):
        if hit.group("ye"):
            point = DatePoint(ctx.published.year, 12, None, part="end")
            out.append(DateMention(hit.span(), hit.group(), point, rule="year_end"))
            continue
        month = ctx.published.month + cues.RELATIVE_MONTHS[hit.group("rel")]
        year = ctx.published.year + (month - 1) // 12
        day = _number(hit.group("d")) if hit.group("d") else None
        if hit.group("d") and not day:
            continue
        point = DatePoint(year, (month - 1) % 12 + 1, day, part=_PARTS.get(hit.group("part") or ""))
        out.append(DateMention(hit.span(), hit.group(), point, rule="relative_month"))
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
    around = _Around(view, ctx)
    extra = _relative_month_mentions(view, ctx)
    if extra:
        mentions = sorted([*mentions, *extra], key=lambda m: m.span)
    explicit = _explicit_years(mentions, ctx, around)
    candidates = _candidates(view, mentions, ctx, around)
    built = [_build(cleaned, view, c, ctx, explicit, around) for c in candidates]
    found = [d for d in built if d is not None] + _recurring(cleaned, view, ctx, explicit)
    found += _from_publication(cleaned, view, ctx, around)
    if ctx.published is not None:
        # A cutoff before the notice was published is a period or a baseline, not a call.
        found = [d for d in found if d.date is None or d.date >= ctx.published]
    found = _label_lists(view, _dedupe(found, view, ctx), ctx)
    found += _relative(cleaned, view, ctx, found)
    if not found:
        found += _announced_later(cleaned, view, ctx)
    return found
