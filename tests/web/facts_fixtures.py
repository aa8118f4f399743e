"""Notices with benefits, ways to apply, contacts and attachments (issue 13), stored the normal way.

The texts are invented. The facts are built here (not read by the extractor) so the pages and the API
are tested on known values; they go through ``save_corrected`` (what ingest calls) and
``workflow.notice_stored`` like any ingested notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Engine

from reminder.config import Settings
from reminder.corrections import save_corrected
from reminder.db.engine import session_scope
from reminder.extract import extract_text
from reminder.model import ApplyStep, Attachment, Benefit, Contact, Document
from reminder.workflow import notice_stored

#: a large benefit, its deadline late in March
SMART = """关于组织申报2025年度杭州市智能制造示范项目的通知

各区、县（市）经信局，有关企业：
现将2025年度智能制造示范项目申报工作有关事项通知如下。
一、支持内容
对认定的示范项目，按项目设备投资额的10%给予补助，最高不超过300万元。
二、申报条件
在杭州市依法注册登记的企业。
三、申报方式
请于2025年3月31日17:00前登录杭州市企业服务平台在线填报，网址：https://qy.example.gov.cn/apply。
申报材料：申报书、承诺书、审计报告，纸质材料一式两份报送所在区县经信局。
四、联系方式
联系人：王五，电话：(0571)8765 4321，邮箱：wangwu@example.gov.cn。
附件：1. 申报指南

杭州市经济和信息化局
2025年2月20日
"""
SMART_SOURCE = "/srv/uploads/zhineng-zhizao.txt"
SMART_BENEFIT = "按项目设备投资额的10%给予补助，最高不超过300万元"
SMART_STEP = "请于2025年3月31日17:00前登录杭州市企业服务平台在线填报，网址：https://qy.example.gov.cn/apply。"
SMART_MATERIALS = "申报材料：申报书、承诺书、审计报告，纸质材料一式两份报送所在区县经信局。"
SMART_CONTACT = "联系人：王五，电话：(0571)8765 4321，邮箱：wangwu@example.gov.cn。"
SMART_ATTACHMENT = "附件：1. 申报指南"
#: what the card shows for SMART
SMART_LABEL = "补助 设备投资额的 10%（最高 300 万元）"
SMART_FIRST_STEP = "网上申报：杭州市企业服务平台 https://qy.example.gov.cn/apply"

#: a smaller benefit, its deadline sooner
AWARD = """关于组织申报2025年度杭州市工业设计中心的通知

各区、县（市）经信局，有关企业：
一、支持内容
对新认定的市级工业设计中心，一次性奖励20万元。
二、申报条件
在杭州市依法注册登记的企业。
三、申报时间
请于2025年3月20日前通过电子邮件将申报材料发送至 sheji@example.gov.cn。
四、联系方式
联系人：赵六，电话：13812345678。

杭州市经济和信息化局
2025年2月18日
"""
AWARD_SOURCE = "/srv/uploads/gongye-sheji.txt"
AWARD_BENEFIT = "对新认定的市级工业设计中心，一次性奖励20万元。"
AWARD_STEP = "请于2025年3月20日前通过电子邮件将申报材料发送至 sheji@example.gov.cn。"
AWARD_CONTACT = "联系人：赵六，电话：13812345678。"
AWARD_LABEL = "奖励 20 万元"


def span(doc: Document, quote: str) -> tuple[int, int]:
    start = doc.text.find(quote)
    assert start >= 0, f"{quote!r} not in the cleaned text"
    return (start, start + len(quote))


def smart_facts(doc: Document) -> dict[str, Any]:
    return {
        "benefits": (
            Benefit(
                kind="subsidy", quote=SMART_BENEFIT, span=span(doc, SMART_BENEFIT), amount=300, capped=True,
                rate=10, rate_base="设备投资额", rule="test",
            ),
        ),
        "how_to_apply": (
            ApplyStep(
                kind="online", quote=SMART_STEP, span=span(doc, SMART_STEP), name="杭州市企业服务平台",
                url="https://qy.example.gov.cn/apply", rule="test",
            ),
            ApplyStep(
                kind="materials", quote=SMART_MATERIALS, span=span(doc, SMART_MATERIALS),
                items=("申报书", "承诺书", "审计报告"), copies=2, rule="test",
            ),
            ApplyStep(
                kind="recommend", quote=SMART_MATERIALS, span=span(doc, SMART_MATERIALS),
                via="所在区县经信局", rule="test",
            ),
        ),
        "contacts": (
            Contact(
                quote=SMART_CONTACT, span=span(doc, SMART_CONTACT), name="王五", phones=("0571-87654321",),
                emails=("wangwu@example.gov.cn",), rule="test",
            ),
        ),
        "attachments": (
            Attachment(
                name="申报指南", label="附件1", url="https://qy.example.gov.cn/files/guide.pdf",
                quote=SMART_ATTACHMENT, span=span(doc, SMART_ATTACHMENT),
            ),
        ),
    }  # fmt: skip


def award_facts(doc: Document) -> dict[str, Any]:
    return {
        "benefits": (
            Benefit(
                kind="award", quote=AWARD_BENEFIT, span=span(doc, AWARD_BENEFIT), amount=20, one_off=True,
                rule="test",
            ),
        ),
        "how_to_apply": (
            ApplyStep(kind="email", quote=AWARD_STEP, span=span(doc, AWARD_STEP), email="sheji@example.gov.cn"),
        ),
        "contacts": (
            Contact(quote=AWARD_CONTACT, span=span(doc, AWARD_CONTACT), name="赵六", phones=("13812345678",)),
        ),
        "attachments": (),
    }  # fmt: skip


def with_facts(text: str, source: str, facts: Any) -> Document:
    """``text`` extracted as ``source``, its one notice carrying ``facts(doc)`` (a dict of Notice fields)."""
    doc = extract_text(text, source=source)
    assert len(doc.notices) == 1, [n.title for n in doc.notices]
    return replace(doc, notices=(replace(doc.notices[0], **facts(doc)),))


def store(
    engine: Engine,
    doc: Document,
    now: dt.datetime,
    settings: Settings | None = None,
    status: str = "published",
) -> int:
    """Store a document as ingest does (corrections re-applied, then matching and planning); its notice id."""
    with session_scope(engine) as session:
        result = save_corrected(session=session, doc=doc, status=status, now=now)
        for notice_id in result.notice_ids:
            notice_stored(session=session, notice_id=notice_id, now=now, settings=settings)
    assert not result.duplicate and len(result.notice_ids) == 1, result
    return result.notice_ids[0]
