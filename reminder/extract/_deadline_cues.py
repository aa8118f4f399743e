"""The cue vocabulary of deadline rules, compiled once from ``data/deadlines.yaml``.

:mod:`reminder.extract.deadlines` reads these patterns as ``cues.NAME``; they are vocabulary, the
decisions stay there. Each comment says which words a pattern stands for.
"""

from __future__ import annotations

import re

from reminder.extract._data import alternation, load_table

TABLE = load_table(
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
        "authority_acts": list,
        "closed_words": list,
        "report_words": list,
        "cutoff_hour_labels": list,
        "apply_acts": list,
        "other_acts": list,
        "done_before": list,
        "relative_months": dict,
        "year_end_words": list,
        "open_words": list,
        "approximate_words": list,
        "conditional_words": list,
        "to_be_announced": list,
        "relative_workdays": list,
        "relative_workdays_after": list,
        "time_headings": list,
        "batch_pattern": str,
        "clause_breaks": str,
        "sentence_breaks": str,
        "from_now_words": list,
        "extension_after": list,
        "period_before": list,
        "event_words": list,
        "count_units": list,
        "authority_subjects": list,
        "authority_steps": list,
        "review_acts": list,
        "policy_acts": list,
        "list_joiners": list,
        "payment_acts": list,
        "last_day_after": list,
        "year_words_before": dict,
        "same_day_hour_after": list,
        "review_subjects": list,
        "review_window_acts": list,
        "authority_step_labels": list,
        "review_departments": list,
        "not_publication_before": list,
    },
)


def _rx(key: str) -> re.Pattern[str]:
    return re.compile(alternation(TABLE[key]))


# What may stand between a date and its cue: spaces, something in brackets, 24时/整, 12時正 (Hong Kong's
# 整), the 时 of 17:00时, 当天/下午 before 下班前.
# (a batch label, (含)/(含当日), a remark such as (以邮戳为准) / Taiwan's (以郵戳為憑), or a short aside
# without digits, 12:00(中午)前, in the brackets)
_BRACKETED = TABLE["batch_pattern"] + r"|含[^()（）]{0,4}|以[^()（）]{1,10}为[准凭]|[^()（）0-9\n]{1,10}"
GAP = (
    r"[\s]*(?:[(（]\s*(?:"
    + _BRACKETED
    + r")\s*[)）]\s*)?(?:整|正|时|24时)?\s*(?:当天|当日)?\s*(?:上午|下午)?\s*"
)
# 5月8日是提交申请的最后一天 / 为报送材料的最后期限: (是|为), a few words without digits, the last day.
_LAST_DAY = r"(?:是|为)[^，,。;；0-9]{0,12}?(?:" + alternation(TABLE["last_day_after"]) + ")"
AFTER_CUE = re.compile(GAP + "(?:" + alternation(TABLE["after_cues"]) + "|" + _LAST_DAY + ")")
BEFORE_CUE = _rx("before_cues")
FROM_NOW = re.compile(r"(?:" + alternation(TABLE["from_now_words"]) + r")\s*起?\s*(?:至|到)\s*$")
# 由6月30日延长至7月15日: the old date.
EXTENDED = re.compile(r"^\s*(?:" + alternation(TABLE["extension_after"]) + ")")
# 项目实施期为2024年1月1日至12月31日: the project's period.
# 资金将于9月底前拨付到位: the authority's payment.
# (市财政局于7月31日前将资金拨付至企业账户: what is paid may come between)
PAYMENT = re.compile(
    r"^\s*(?:会|予以)?\s*(?:(?:将|把)[^，,。;；]{0,12}?)?\s*(?:" + alternation(TABLE["payment_acts"]) + ")"
)
PERIOD_BEFORE = re.compile("(?:" + alternation(TABLE["period_before"]) + r")\s*(?:为|是|:)?\s*(?:自|从)?\s*$")
EVENT = _rx("event_words")
# 截止6月30日,登记入库…92家: a figure as of that day.
BARE_BASELINE = re.compile(r"(?:^|[^间期])(?:截止|截至)\s*(?:到|至)?\s*$")
COUNT = re.compile(r"[0-9一二三四五六七八九十百千万]+\s*(?:" + alternation(TABLE["count_units"]) + ")")
# 共有238家企业于6月30日前完成申报: how many acted by then, a report.
REPORTED = re.compile(
    "(?:"
    + alternation(TABLE["report_words"])
    + r")\s*[0-9一二三四五六七八九十百千万余多]+\s*(?:"
    + alternation(TABLE["count_units"])
    + ")"
)
# 市科技局审核提交时间: the authority's own step (a 各… department's review is a recommendation).
AUTHORITY_STEP = re.compile(
    r"(?:^|[^各])(?:"
    + alternation(TABLE["authority_subjects"])
    + r")[^，,。;；各、县区]{0,8}(?:局|厅|委|办)\s*(?:"
    + alternation(TABLE["authority_steps"])
    + ")"
)
REVIEW_ACT = _rx("review_acts")
# Pinyin glosses some mirror sites inject after characters: 网(wǎng).
MILESTONE_WORD = re.compile(alternation(TABLE["milestone_verbs"]))
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")
# Office hours after a date in the same sentence: 收件时间为9:00-17:00.
OFFICE_HOURS = re.compile(r"(?:收件|受理|办公|工作|接收|报送|现场受理)时间")
# …6月30日(工作日上午9:00-12:00,下午14:00-17:30): the hours in brackets right after the date.
HOURS_BRACKET = re.compile(r"\s*\((?:工作日|每日|每天)?")
CLOCK_RANGE = re.compile(
    r"[0-9]{1,2}\s*[:∶]\s*[0-9]{2}\s*(?:-|—|–|~|至|到)+\s*(?P<h>[0-9]{1,2})\s*[:∶]\s*(?P<m>[0-9]{2})"
)
# 截止时间为(当日)下午五时正 after the date's clause: the hour the cutoff falls at.
_HOUR_NUM = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
CUTOFF_HOUR = re.compile(
    "(?:"
    + alternation(TABLE["cutoff_hour_labels"])
    + r")\s*(?:为|是|:)?\s*(?:当日|当天)?\s*(?P<ap>上午|中午|下午|晚上)?\s*(?P<h>"
    + _HOUR_NUM
    + r")\s*(?:[:∶]\s*(?P<m>[0-9]{2})|[时点](?:\s*(?P<m2>"
    + _HOUR_NUM
    + r")\s*分|(?P<half>半))?)"
)
# 截止日期为5月8日，当天16时后系统关闭 / 当日16:30前: the hour of the day named earlier.
SAME_DAY_HOUR = re.compile(
    r"(?:当日|当天)\s*(?P<ap>上午|中午|下午|晚上)?\s*(?P<h>"
    + _HOUR_NUM
    + r")\s*(?:[:∶]\s*(?P<m>[0-9]{2})|[时点](?:\s*(?P<m2>"
    + _HOUR_NUM
    + r")\s*分|(?P<half>半))?)\s*(?:整|正)?\s*(?:"
    + alternation(TABLE["same_day_hour_after"])
    + r"|(?:以后|之后|后)(?=[^，,。;；]{0,20}?(?:"
    + alternation(TABLE["closed_words"])
    + ")))"
)
# 去年该项目于5月31日截止: the year of a date written without one, said earlier in its clause or
# alone in the clause before (去年，…; no digit, no 的 but one right after the word: 去年获批的企业于…
# is about the enterprises).
YEAR_WORDS: dict[str, int] = {str(k): int(v) for k, v in TABLE["year_words_before"].items()}
YEAR_BEFORE = re.compile(
    "(?P<w>" + alternation(list(YEAR_WORDS)) + r")(?:度)?(?:的)?[，,]?[^0-9的年，,。;；]{0,12}$"
)
# 区工信局初审时间为5月21日至5月25日: a district or county department's review window (its end is
# a recommendation deadline; the issuing authority's own, 市…局审核, is rejected before).
REVIEW_WINDOW = re.compile(
    "(?:"
    + alternation(TABLE["review_subjects"])
    + r")(?:[^，,。;；0-9]{0,8}?(?:"
    + alternation(TABLE["review_departments"])
    + r")|[县区市]?)\s*(?:"
    + alternation(TABLE["review_window_acts"])
    + r")\s*(?:时间|日期|期限|期间)?\s*(?:为|是|:|安排为)?\s*(?:自|从)?\s*$"
)
# 形式审查：5月1日至5月10日 / 专家评审时间：5月中旬: a step of the authority's schedule named by a label.
STEP_LABEL = re.compile(
    "(?:"
    + alternation(TABLE["authority_acts"] + TABLE["authority_step_labels"])
    + r")[^，,。;；:：0-9]{0,6}[:：]\s*$"
)
# 自本通知发布之日起15个工作日内: a count of days from publication.
_COUNT_NUM = r"(?P<n>[0-9]{1,3}|[一二三四五六七八九十两]{1,3})"
# (scanned for from its literal 起, C speed; FROM_PUBLICATION_WORD checks the words before it)
FROM_PUBLICATION = re.compile(
    r"起\s*" + _COUNT_NUM + r"\s*个?\s*(?P<unit>工作日|自然日|日|天)\s*(?:内|以内|之内)"
)
FROM_PUBLICATION_WORD = re.compile(r"(?:" + alternation(TABLE["from_now_words"]) + r")\s*$")
NOT_PUBLICATION = _rx("not_publication_before")
BATCH_IS = re.compile("(?:" + TABLE["batch_pattern"] + r")\s*(?:截止|为|:)\s*$")
# 于2021年11月18日报送至高新区经发局: submitting on the day is submitting by it.
SUBMIT_ON = re.compile(
    r"^\s*(?:(?:将|把)[^，,。;；的]{0,20}?)?(?:报送|提交|上报|递交|寄送)(?![^，,。;；]{0,8}的)"
)
POLICY_ACT = re.compile(r"^[^，,。;；]{0,30}?(?:" + alternation(TABLE["policy_acts"]) + ")")
LIST_JOIN = re.compile(r"\s*(?:" + alternation(TABLE["list_joiners"]) + r")\s*$")
# A short label ending the previous sentence: "(一)网络填报受理时间。2021年6月1日-6月7日".
LABEL_BEFORE = re.compile(r"(?:" + alternation(TABLE["before_cues"]) + r")\s*[。:]?\s*$")
WINDOW_VERB = _rx("window_verbs")
BASELINE = re.compile("(?:" + alternation(TABLE["baseline_before"]) + r")\s*$")
EFFECTIVE = re.compile(r"^\s*(?:" + alternation(TABLE["effective_after"]) + ")")
TARGET = re.compile("(?:" + alternation(TABLE["target_before"]) + r")\s*$")
MILESTONE = re.compile(r"^\s*(?:已|须|应|需|必须|要)?\s*(?:" + alternation(TABLE["milestone_verbs"]) + ")")
APPLY_ACT = _rx("apply_acts")
PERIOD = re.compile(r"^\s*(?:" + alternation(TABLE["period_after"]) + ")")
# 2025年6月1日前认定的高新技术企业 / …前有效的政策: the date qualifies a noun, nobody must act.
ELIGIBLE_THING = re.compile(r"^(?!将|把|向|通过|在|登录|由)[^，,。；将把向]{0,10}的")
# 4月30日前未提交的(视为放弃): the 的 names who missed the deadline, not an eligible thing.
MISSED = re.compile(r"^\s*(?:仍|尚)?未(?:能|按时|按期)?\s*(?:" + APPLY_ACT.pattern + ")")
# 申报时间自4月1日起(，至4月30日止): a window's start.
OPEN_FROM = re.compile(r"^\s*(?:开始)?\s*起\s*$")
# 申报截止日期延长一周，至5月7日: a clause of just 至/到 and the date, after a cue in the sentence.
UNTIL_CLAUSE = re.compile(r"^\s*(?:并|即|延)?\s*(?:至|到)\s*$")
# 即日起开始受理，截至4月30日: 截至 in the clause after an opening is "until".
OPENED_BEFORE = re.compile(r"(?:起|开始)[^，,。;；]{0,8}(?:" + APPLY_ACT.pattern + r"|受理)")
RECOMMEND = _rx("recommendation_words")
APPLICANT = _rx("application_words")
MATERIALS = _rx("materials_words")
AUTHORITY_ACT = _rx("authority_acts")
OTHER_ACT = _rx("other_acts")
# 4月30日17:00后系统将不再接收申报 / 逾期(4月30日后)提交的申请恕不受理: closed after the date.
CLOSED_AFTER = re.compile(
    r"^\s*(?:以后|之后|后)(?=[^，,。;；]{0,20}?(?:" + alternation(TABLE["closed_words"]) + "))"
)
DONE_BEFORE = re.compile("(?:" + alternation(TABLE["done_before"]) + r")\s*$")
APPROX = _rx("approximate_words")
CONDITIONAL = _rx("conditional_words")
TBA = _rx("to_be_announced")
#: the characters the 另行通知 words start with (see facts_text.literal_finditer; none: scan them all)
TBA_FIRSTS = (
    "".join(sorted({w[0] for w in TABLE["to_be_announced"]})) if all(TABLE["to_be_announced"]) else ""
)
# (pattern, sign): before the cutoff (-1) or after it (+1)
RELATIVE = [(re.compile(p), -1) for p in TABLE["relative_workdays"]] + [
    (re.compile(p), 1) for p in TABLE["relative_workdays_after"]
]
RELATIVE_MONTHS: dict[str, int] = {str(k): int(v) for k, v in TABLE["relative_months"].items()}
# 本月底 / 下月10日 / 本月中旬: a day or part of a month counted from publication
# (今年年底 / a bare 年底: December's end; 2025年底 is the date grammar's)
RELATIVE_MONTH = re.compile(
    "(?P<rel>"
    + alternation(list(RELATIVE_MONTHS))
    + r")\s*(?:(?P<d>[0-9]{1,2}|[一二三四五六七八九十廿]{1,3})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬))"
    + r"|(?<![0-9〇○零一二三四五六七八九十年])(?P<ye>"
    + alternation(TABLE["year_end_words"])
    + ")"
)
_RELATIVE_WORDS = [*RELATIVE_MONTHS, *TABLE["year_end_words"]]
#: words one of which every match of RELATIVE_MONTH holds (今年底 holds 年底): a notice without them is skipped
RELATIVE_NEEDLES = tuple(w for w in _RELATIVE_WORDS if not any(o != w and o in w for o in _RELATIVE_WORDS))
#: the characters its matches start with (see facts_text.literal_finditer)
RELATIVE_FIRSTS = "".join(sorted({w[0] for w in _RELATIVE_WORDS}))
BATCH = re.compile(TABLE["batch_pattern"])
# a batch label in brackets right after a date: 6月30日（第二批）
BATCH_AFTER = re.compile(r"\s*[(（]\s*(" + TABLE["batch_pattern"] + r")\s*[)）]")
MARKER = re.compile(r"【[^【】\n]{0,60}】")
CLAUSE_BREAKS = TABLE["clause_breaks"]
SENTENCE_BREAKS = TABLE["sentence_breaks"]
ORDINALS = "一二三四五六七八九十"
# How far a clause or sentence reaches from its date, in characters.
REACH = 300
# A section heading that announces the dates below it: "二、申报时间", "（三）受理时间：", "【申报期限】".
TIME_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.]|[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|\d{1,2}\s*[.、]|【)?\s*"
    r"(?:" + alternation(TABLE["time_headings"]) + r")\s*(?:安排)?\s*[】:：]?\s*$"
)
# After a single date: the application window opens then.
OPENS = re.compile(
    r"^\s*(?:起|后|以后)?\s*(?:正式)?(?:启动|开始受理|开始申报|开始填报|开放|开通|开始|起开放|起受理)"
    r"|^\s*起\s*(?:可|即可)?\s*(?:登录|登陆|受理|申报|报名|接受申请|提交)"
)
# 推荐材料 / 推荐名单 are what a recommending department sends, not the applicant's paper copies.
RECOMMEND_THING = re.compile(r"推荐(?:材料|名单|文件|意见|函|汇总表)")
