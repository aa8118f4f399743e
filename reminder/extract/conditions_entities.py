"""Non-numeric condition rules: industry, qualification, legal person, credit, applicant type.

Registered-region rules are in ``conditions_regions``; ``ENTITY_RULES`` lists them all.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from reminder.extract._data import alternation
from reminder.extract.conditions_data import QUOTES, Vocab
from reminder.extract.conditions_regions import REGION_RULES, region_after
from reminder.extract.conditions_rules import Candidate, Rule, Sentence, entity, negated

__all__ = ["ENTITY_RULES"]

#: the end of a clause, for the context of a qualification
_CLAUSE_END = ",;。:"
_LEVEL = (
    r"(?:有效期内的?)?(?:国家级|省级|市级|区级|县级|自治区级?|国家|省|市|本市|本区|本省|我市|我区|我省|全市|全区|全省"
    r"|[\u4e00-\u9fff]{2,3}(?:省|市|区|县)级?)?"
)
_QUAL_REQUIRED = (
    r"(?:须为|应为|必须为|必须是|须是|应是|应当为|属于|为|是|系)(?:有效期内的?|经认定的|已认定的)?"
)
#: these may stand a few words before the title (应为2024年认定通过的省级专精特新中小企业)
_QUAL_REQUIRED_FAR = r"属于|须为|应为|必须为|必须是|须是|应是|应当为|应当是|认定为|评为|评定为|获评|纳入|列入"
_QUAL_CERTIFIED = r"(?:认定为|评为|评定为|认定的|入库的|备案的|入选|获评|列入|纳入|获得|取得|通过|获批(?:建设|组建|设立)?|批准为)(?:的)?"
_QUAL_HELD = r"(?:拥有|具有|具备|持有|取得|获得)(?:有效期内的?)?"
_QUAL_HELD_AFTER = re.compile(r"(?:资格|证书|称号|资质|认定)")
#: 通过2025年度科技型中小企业评价: passed the title's evaluation (a year may stand between)
_PASSED_BEFORE = re.compile(r"通过\s*(?:[0-9]{4}\s*年度?|本年度|上年度|上一年度|当年|当年度)?\s*(?:的)?$")
_PASSED_AFTER = re.compile(r"(?:的)?(?:评价|认定|评定|入库|备案)")
#: right before a title after 须为: the applicant must not hold it (须为非上市公司)
_DENIED_TITLE = re.compile(r"(?:非|并非|不是)$")
_QUAL_MAY_APPLY = re.compile(r"(?:均|也|亦)?可(?:以)?(?:自愿)?(?:申报|申请|参加|参与)|积极申报|踊跃申报")
#: after a title in its sentence: the title is expiring and the holder re-applies
_RENEWAL = re.compile(r"期满|到期|届满|重新认定|再次申请|可再次|复审")
_REMARKS = re.compile(r"\([^()]*\)")
#: after a title: a pool of candidates for it (培育库), which is its own condition
_POOL = re.compile(r"(?:培育|后备|储备)(?:库|名单|企业库)")
_QUAL_OBJECT_AFTER = re.compile(r"(?:$|[,;。]|(?:均)?可(?:申报|申请|参加)|优先)")
#: right before 独立法人资格 (or before 具有独立法人资格): it is denied
_NOT_HAVING = re.compile(r"(?:不|非|无|未)(?:具有|具备|拥有)?$")
_LAST_JOINER = re.compile(r"(?:和|及|与)(?!.*(?:和|及|与))")
_LIST_GAP = re.compile(r"^(?:[、,和及与或\s]|以及)*$")
#: between two kinds of applicant of one list (a comma ends it: 限于企业,高校和科研院所不得牵头)
_KIND_GAP = re.compile(r"^(?:[、和及与或\s]|以及)*$")


# ---------------------------------------------------------------- industry


@functools.cache
def _industry_rx(v: Vocab) -> re.Pattern[str]:
    ind = v.industry
    return re.compile(
        rf"(?P<a>{alternation(ind['anchors'])})(?P<body>[^。;:,]{{2,80}}?)(?:等)?"
        rf"(?P<cnt>[\d一二三四五六七八九十]{{1,2}}(?:个|大|类))?(?P<mod>{alternation(ind['modifiers'])})?"
        rf"(?:{alternation(ind['heads'])})(?!链|集群|园|化|政策|发展|主管|协会|部门|联盟|基金|平台|协调)"
    )


def _industry_items(body: str, count: int, v: Vocab) -> list[str] | None:
    """汽车零部件、生物医药及健康、通信设备制造 → three items; None when the body is prose.

    A body with a modifier (我市重点发展的智能制造、生物医药、新材料) keeps what follows the last 的,
    when that is a list of at least two items.
    """
    min_items = 1
    if "的" in body:
        body, min_items = body.rsplit("的", 1)[1], 2
    items = re.split(r"、|以及", body)
    while len(items) < count and (joiner := _LAST_JOINER.search(items[-1])) is not None:
        # 生物医药及健康和通信设备制造 with 三个 stated: split at the last 和 only
        items[-1:] = [items[-1][: joiner.start()], items[-1][joiner.end() :]]
    items = [i.strip().removesuffix("等") for i in items]
    reject = v.industry["reject"]
    # (a count is no industry's name: 聚焦1-2个细分优势领域)
    if len(items) < min_items or any(
        not 2 <= len(i) <= 16 or any(r in i for r in reject) or any(c.isdigit() for c in i) for i in items
    ):
        return None
    return items


def _industry(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    if negated(s.text, m.start(), v, window=1):
        return []
    # 不属于房地产、金融业 / 属于限制类、淘汰类产业的企业不得申报: the industries are excluded
    rest = s.text[m.end() : _clause_stop(s.text, m.end())]
    excluded = s.text[max(0, m.start() - 1) : m.start()] in ("不", "非") or (
        v.cues["exclusion_after"].search(rest) is not None
    )
    body_start = m.start("body")
    region = region_after(s.text, body_start, v)
    body = s.text[region[0] if region else body_start : m.end("body")]
    cnt = m.groupdict().get("cnt")
    count = _count(cnt[:-1], v) if cnt else 0
    items = _industry_items(body, count, v)
    if items is None:
        return []
    mod = m.groupdict().get("mod")  # (所属行业为… has no modifier)
    if mod and items[-1] + mod in v.industry["modifiers"]:
        # 战略性新兴产业: the lazy body stopped inside a longer modifier, which with its head is the name
        items[-1] += s.text[m.start("mod") : m.end()]
    return [entity("industry", "not_has" if excluded else "in", items, m.span(), m.span("body"), rule)]


def _clause_stop(text: str, pos: int) -> int:
    found = re.search(r"[,;。]", text[pos:])
    return pos + found.start() if found else len(text)


@functools.cache
def _industry_named_rx(v: Vocab) -> re.Pattern[str]:
    """所属行业为制造业 / 行业须属于软件和信息技术服务业 / 从事软件和信息技术服务业的企业 (an industry's
    name ends in 业)."""
    return re.compile(
        r"(?:(?:所属|所在)?行业(?:须|应|必须)?(?:为|属于|是)|(?P<act>从事))(?P<body>[^。;:,的]{2,30}?)"
        r"(?(act)(?<=业)(?=的?(?:企业|单位|公司))|(?=$|[。;:,的]|企业))"
    )


def _count(token: str, v: Vocab) -> int:
    if token.isdigit():
        return int(token)
    return v.digits.get(token, 10 if token == "十" else 0)


# ---------------------------------------------------------------- qualification


def _qualification_rx(v: Vocab) -> re.Pattern[str]:
    return v.qualification_rx


@functools.cache
def _qualification_left(v: Vocab) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What must end the clause before a qualification: (required or certified, held).

    Earlier qualifications of a list may stand between (须为国家高新技术企业或省科技型中小企业).
    """
    listed = (
        rf"(?:{_LEVEL}(?:{v.qualification_rx.pattern})(?:或者|或|、|和|及|以及))*{_LEVEL}(?:的)?{_LEVEL}$"
    )
    # 应为2024年认定通过的省级专精特新中小企业: a few words may stand between
    filler = r"[^,;。:不非未]{0,16}?"
    return (
        re.compile(
            f"(?:{_QUAL_REQUIRED_FAR}){filler}{listed}|(?:{_QUAL_REQUIRED}|{_QUAL_CERTIFIED}){listed}"
        ),
        re.compile(_QUAL_HELD + listed),
    )


@functools.cache
def _qualification_after(v: Vocab) -> re.Pattern[str]:
    """After a held qualification: 资格/证书…, possibly after more of the list (高企或科技型中小企业资格)."""
    more = rf"(?:(?:或者|或|、|和|及|以及){_LEVEL}(?:{v.qualification_rx.pattern}))*"
    return re.compile(more + _QUAL_HELD_AFTER.pattern)


def _clause_bounds(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause text before ``start`` and after ``end``."""
    left_edge = max((text.rfind(c, 0, start) for c in _CLAUSE_END), default=-1) + 1
    rights = [i for i in (text.find(c, end) for c in _CLAUSE_END) if i >= 0]
    return text[left_edge:start], text[end : min(rights, default=len(text))]


def _qualification(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """须为有效期内的高新技术企业 / 已认定为… / 拥有…资格证书 / (申报对象) …的高企."""
    left, right = _clause_bounds(s.text, m.start(), m.end())
    left = left.rstrip(QUOTES)  # 通过认定的“国家高新技术企业”
    # 须为非上市公司: required not to be
    denied = _DENIED_TITLE.search(left)
    if denied is not None:
        left = left[: denied.start()]
    required_rx, held_rx = _qualification_left(v)
    held = held_rx.search(left) is not None and _qualification_after(v).match(right) is not None
    required = required_rx.search(left) is not None or (
        _PASSED_BEFORE.search(left) is not None and _PASSED_AFTER.match(right) is not None
    )
    obj = s.eligibility and (
        left.endswith("的") and _QUAL_OBJECT_AFTER.match(right) is not None or right.startswith("优先")
    )
    # …的规模以上工业企业可以申报 / 我市省、市级专精特新中小企业可自愿申报: who may apply, anywhere
    may_apply = _QUAL_MAY_APPLY.match(right) is not None
    if not (held or required or obj or may_apply):
        return []
    remarks = _REMARKS.sub("", right)  # (建设行业企业技术中心除外) excludes a kind, not the title
    excluded = (
        s.excluding
        or denied is not None
        or negated(left, len(left), v, window=8)
        or v.cues["exclusion_after"].search(remarks) is not None
    )
    value = v.qualification_values[re.sub(f"[{re.escape(QUOTES)}]", "", m.group())]
    if _RENEWAL.search(s.text, m.end()):
        # 2022年通过高企认定的企业,资格期满…须重新认定: a route for renewals, not a requirement on everyone
        return []
    c = entity("qualification", "not_has" if excluded else "has", value, m.span(), m.span(), rule)
    if may_apply and not (held or required):  # the title names who may apply: no applicant word needed
        c = replace(c, needs_applicant=False)
    listed = _list_after(s.text, m.end(), v)
    if listed and not excluded:
        # 须为A、B或C / 属于…的规模以上工业企业、大中型软件…企业: any one of them
        spans = ((m.start(), m.end()), *(span for _, span in listed))
        values = [value, *(name for name, _ in listed)]
        whole = (m.start(), spans[-1][1])
        return [replace(c, op="in", value=values, span=whole, key=whole, value_spans=spans)]
    pool = _POOL.match(right)
    if pool is not None:  # 纳入…专精特新中小企业培育库: in the pool, not (yet) holding the title
        return [
            replace(c, span=(m.start(), m.end() + pool.end()), value_span=(m.start(), m.end() + pool.end()))
        ]
    return [c]


@functools.cache
def _list_item_rx(v: Vocab) -> re.Pattern[str]:
    """One more item of a list of titles: a known one, or an unknown …企业/机构 phrase."""
    # quote marks may close one title and open the next: 为“瞪羚企业”或“独角兽企业”
    q = f"[{re.escape(QUOTES)}]*"
    return re.compile(
        rf"{q}(?:、|或者|或|和|及|以及){q}(?P<level>{_LEVEL})(?:(?P<known>{v.qualification_rx.pattern})"
        r"|(?P<other>[^、,;。:()]{2,20}?(?:企业|机构|平台|中心)))"
        rf"(?={q}(?:[、,;。:或和及(]|$|的|等|之一|资格|证书|称号|资质|认定))"
    )


def _list_after(text: str, pos: int, v: Vocab) -> list[tuple[str | None, tuple[int, int]]]:
    """The further items of a list of titles starting at ``pos``: (canonical name or None, span) each."""
    out: list[tuple[str | None, tuple[int, int]]] = []
    while (m := _list_item_rx(v).match(text, pos)) is not None:
        if m.group("known"):
            out.append(
                (
                    v.qualification_values[re.sub(f"[{re.escape(QUOTES)}]", "", m.group("known"))],
                    m.span("known"),
                )
            )
        else:
            out.append((None, (m.start("level"), m.end("other"))))
        pos = m.end()
    return out


_POOL_RX = re.compile(  # a standing held (已纳入), not an act of the authority (自动纳入)
    r"(?:已经?|首次)(?:被)?(?:纳入|进入|列入|入选|入库)(?P<obj>[^,;。、:]{2,24}?(?:统计范围|名录库|培育库|企业库|数据库|名录|名单|目录|库))"
    # 新纳入限额以上商业企业: newly counted in the statistics of a class of companies
    r"|(?:新|首次)(?:被)?(?:纳入|进入|列入)(?P<cls>(?:限额以上|规模以上|规上|限上)[^,;。、:]{0,8}?企业)"
)
#: 建有区级及以上研发机构: a research unit of the applicant's own, named by its level
_UNIT_RX = re.compile(
    r"(?:建有|设有|建立|拥有|具有|设立|组建)(?P<obj>(?:国家|省|市|区|县|自治区)级?(?:及)?以上|(?:国家|省|市|区|县|自治区)级)?"
    r"(?P<unit>新型研发机构|研发机构|研发中心|技术中心|企业研究院|工程技术研究中心|工程研究中心|重点实验室|工业设计中心"
    r"|博士后科研工作站|博士后工作站|院士专家工作站|院士工作站)"
)
_POOL_REJECT = re.compile(r"失信|异常|黑名单|违法|惩戒|禁止|淘汰|限制")


def _pool_rx(v: Vocab) -> re.Pattern[str]:
    return _POOL_RX


def _pool(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """(申报条件) 已纳入本市规上文化产业统计范围 / 首次进入规模以上工业名录库: has that standing."""
    obj = "obj" if m.group("obj") else "cls"
    if not s.eligibility or negated(s.text, m.start(), v, window=2) or _POOL_REJECT.search(m.group(obj)):
        return []
    c = entity("qualification", "has", None, m.span(), m.span(obj), rule)
    return [replace(c, value_span=m.span(obj))]


def _unit_rx(v: Vocab) -> re.Pattern[str]:
    return _UNIT_RX


def _research_unit(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """(申报条件) 企业建有区级及以上研发机构 → has 区级及以上研发机构 (as written)."""
    if negated(s.text, m.start(), v, window=2):
        return []
    start = m.start("obj") if m.group("obj") else m.start("unit")
    c = entity("qualification", "has", None, m.span(), (start, m.end()), rule)
    return [replace(c, value_span=(start, m.end()))]


# ---------------------------------------------------------------- legal person, credit, applicant type


def _legal_rx(v: Vocab) -> re.Pattern[str]:
    return v.legal_rx


def _legal_person(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    denied = _NOT_HAVING.search(s.text, max(0, m.start() - 3), m.start())
    if denied is None:
        return [entity("legal_person", "has", v.legal_value, m.span(), m.span(), rule)]
    # 不具备独立法人资格的分公司不得申报: those without it are excluded, so it is required (quoted whole)
    clause = re.split(r"[,;。]", s.text[m.end() :], maxsplit=1)[0]
    if v.cues["exclusion_after"].search(clause) is None:
        return []
    return [
        entity("legal_person", "has", v.legal_value, (denied.start(), m.end() + len(clause)), m.span(), rule)
    ]


def _credit_rx(v: Vocab) -> re.Pattern[str]:
    return v.credit_rx


def _credit(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """未被列入经营异常名录 → not_has 经营异常名录; 纳税信用良好 → has 纳税信用良好."""
    i = next(int(name[1:]) for name, text in m.groupdict().items() if name[0] == "c" and text is not None)
    phrase, op = m.span(f"o{i}"), v.credit_ops[i]
    if op == "listed":
        # 被列入…名单 names an exclusion inside a list of exclusions, or before 的企业不得申报
        rest = s.text[m.end() : _clause_stop(s.text, m.end())]
        if not (s.excluding or (rest.startswith("的") and v.cues["exclusion_after"].search(rest))):
            return []
        op = "not_has"
    if phrase[1] - phrase[0] < 2:
        return []
    c = entity("credit", op, None, m.span(), m.span(), rule)
    return [replace(c, value_span=phrase)]


def _applicant_cue_rx(v: Vocab) -> re.Pattern[str]:
    return v.applicant_cue_rx


def _applicant_type(m: re.Match[str], s: Sentence, v: Vocab, rule: str) -> list[Candidate]:
    """本次专项申报面向…医疗机构、科研院所、高等学校、企业等单位 → a list of at least two kinds."""
    stop = re.search(r"[。;:]", s.text[m.end() :])
    segment_end = m.end() + (stop.start() if stop else len(s.text) - m.end())
    hits = list(v.applicant_type_rx.finditer(s.text, m.end(), segment_end))
    run = hits[:1]
    for prev, nxt in zip(hits, hits[1:], strict=False):
        if not _KIND_GAP.match(s.text[prev.end() : nxt.start()]):
            break
        run.append(nxt)
    if len(run) < 2:
        return []
    kinds = list(dict.fromkeys(k for h in run for k in v.applicant_types[h.group()]))
    # the cue (面向 / 申报主体为) already says who applies: no further applicant word needed
    span, key = (m.start(), run[-1].end()), (run[0].start(), run[-1].end())
    return [Candidate("applicant_type", "in", kinds, None, span, key, rule, numeric=False)]


#: non-numeric rules, in priority order (two rules reading one region name give one condition)
ENTITY_RULES: tuple[Rule, ...] = REGION_RULES + (
    Rule("industry_list", _industry_rx, _industry),
    Rule("industry_named", _industry_named_rx, _industry),
    Rule("qualification", _qualification_rx, _qualification),
    Rule("qualification_pool", _pool_rx, _pool),
    Rule("research_unit", _unit_rx, _research_unit),
    Rule("legal_person", _legal_rx, _legal_person),
    Rule("credit", _credit_rx, _credit),
    Rule("applicant_type", _applicant_cue_rx, _applicant_type),
)
