"""Issue 13 in reminders: every channel's message says what a call is worth, how to apply and whom to call.

Each channel builds its request for real (the robot receiver on 127.0.0.1 gives valid URLs); the test
reads the text back out of the body as the platform (or a mail client) would. The facts are our own
invented values: 科技项目管理系统, 所在区县科技局, 高新处 张三.
"""

from __future__ import annotations

import copy
import doctest
import email
import email.policy
import json
import re
from typing import Any

import pytest
from notify_factories import channel, company, deadline, local, reminders, store_notice, verdict
from notify_factories import settings as notify_settings
from notify_payloads import payload
from receiver import Receiver
from sqlmodel import Session
from standardwebhooks import Webhook
from test_channels import robot_for

import reminder.notify.facts_lines as facts_lines_module
from reminder.config import Settings
from reminder.db.models import NoticeRow
from reminder.model import ApplyStep, Benefit, Contact
from reminder.notify.base import Message
from reminder.notify.channels import build_channel
from reminder.notify.facts_lines import FACT_MAX, NoticeFacts, facts_json
from reminder.notify.fit import balanced, utf8_len
from reminder.notify.outbox import plan_digests, replan_notice
from reminder.notify.payloads import notice_json
from reminder.notify.render import render_message

URL = "https://kj.example.cn/sbxt/login_a"
MAIL = "gao_xin@example.cn"
FACTS = NoticeFacts(
    benefits=(
        Benefit("title", "认定为市级研发中心"),
        Benefit("subsidy", "给予最高50万元补助", amount=50, capped=True),
        Benefit("award", "一次性奖励20万元", amount=20, one_off=True),
    ),
    how_to_apply=(
        ApplyStep("materials", "提交申报书、承诺书", items=("申报书", "承诺书")),
        ApplyStep("online", "登录科技项目管理系统", name="科技项目管理系统", url=URL),
        ApplyStep("recommend", "经所在区县科技局推荐", via="所在区县科技局"),
    ),
    contacts=(
        Contact("联系人：张三", name="张三", department="高新处", phones=("0571-87654321",), emails=(MAIL,)),
        Contact("李四", name="李四", phones=("13812345678",)),
    ),
)
BENEFIT = "可获支持：补助 最高 50 万元"
APPLY = f"申报方式：网上申报 科技项目管理系统 {URL} ；推荐/受理单位：所在区县科技局"
CONTACT = f"联系人：高新处 张三 0571-87654321 {MAIL}"
LIMITS = {"wecom": 4096, "dingtalk": 20000, "feishu": 16 * 1024}
LABELS = ("可获支持", "申报方式", "联系人")
PLAN_NOW = local("2025-03-01T10:00:00")
PLAN_SETTINGS = notify_settings()


def _message(purpose: str, facts: dict[str, Any] | None, **overrides: Any) -> Message:
    data = payload(purpose, **overrides)
    targets = data["items"] if purpose == "digest" else [data]
    for target in targets:
        if facts is not None:
            target["notice"]["facts"] = copy.deepcopy(facts)
    return render_message(purpose, data, message_id="rem_facts", settings=Settings(_env_file=None))  # type: ignore[call-arg]


def _robot_text(kind: str, body: dict[str, Any]) -> str:
    """The text a reader of the robot's group sees."""
    if kind == "wecom":
        return str(body["markdown"]["content"])
    if kind == "dingtalk":
        return str(body["markdown"]["text"])
    rows = body["content"]["post"]["zh_cn"]["content"]
    return "\n".join("".join(e.get("text", "") for e in row) for row in rows)


def _sent(kind: str, message: Message, rx: Receiver, settings: Settings) -> str:
    _, url, secret = robot_for(rx, kind)
    channel = build_channel(kind, url, secret, settings)
    _, raw, _ = channel.build(message)  # type: ignore[attr-defined]
    return _robot_text(kind, json.loads(raw))


def _mail_parts(message: Message, settings: Settings) -> tuple[str, str]:
    mail_settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "mail_from": "reminder@example.cn"})
    channel = build_channel("email", "finance@example.com", None, mail_settings)
    raw = channel.build_email(message).as_bytes()  # type: ignore[attr-defined]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_the_lines_follow_the_facts() -> None:
    """Top benefit = the largest amount; how to apply = the system and its URL plus the recommender;
    contact = the first one."""
    assert facts_json(FACTS) == {
        "benefit": BENEFIT.split("：", 1)[1],
        "how_to_apply": APPLY.split("：", 1)[1],
        "contact": CONTACT.split("：", 1)[1],
    }
    result = doctest.testmod(facts_lines_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_a_stored_notice_row_gives_its_facts_to_the_payload() -> None:
    row = NoticeRow(
        id=3,
        document_id=1,
        key="k" * 64,
        title="关于组织申报2025年度市级研发中心的通知",
        benefits=[b.to_json() for b in FACTS.benefits],
        how_to_apply=[s.to_json() for s in FACTS.how_to_apply],
        contacts=[c.to_json() for c in FACTS.contacts],
    )
    assert notice_json(row)["facts"] == facts_json(FACTS)
    bare = NoticeRow(id=4, document_id=1, key="j" * 64, title="关于组织申报的通知")  # stored before issue 13
    assert "facts" not in notice_json(bare)


def _stored_with_facts(session: Session) -> tuple[NoticeRow, Any]:
    """A notice due 2025-03-31 17:00 whose stored row holds FACTS, and a weekly-digest company concerned by it."""
    notice = store_notice(session, deadline("2025-03-31", time="17:00"), now=PLAN_NOW)
    notice.benefits = [b.to_json() for b in FACTS.benefits]
    notice.how_to_apply = [s.to_json() for s in FACTS.how_to_apply]
    notice.contacts = [c.to_json() for c in FACTS.contacts]
    session.add(notice)
    session.flush()
    owner = company(session, "湖州示例科技有限公司", digest="weekly")
    channel(session, owner)
    verdict(session, owner, notice, "possibly_eligible", missing=["研发费用占比"])
    return notice, owner


def test_planned_reminders_and_digests_carry_the_stored_facts(session: Session) -> None:
    """From the stored row to the frozen payload (the webhook's data) to the words sent."""
    notice, owner = _stored_with_facts(session)
    replan_notice(session=session, notice_id=notice.id, now=PLAN_NOW, settings=PLAN_SETTINGS)
    plan_digests(session=session, now=local("2025-03-03T09:00:30"), settings=PLAN_SETTINGS)
    rows = {r.purpose: r for r in reminders(session, company_id=owner.id)}
    before, digest = rows["before"], rows["digest"]
    assert before.payload["notice"]["facts"] == facts_json(FACTS)
    assert [i["notice"]["facts"] for i in digest.payload["items"]] == [facts_json(FACTS)]
    for row in (before, digest):
        message = render_message(row.purpose, row.payload, message_id=row.message_id, settings=PLAN_SETTINGS)
        for line in (BENEFIT, APPLY, CONTACT):
            assert line in message.text and line in message.markdown


@pytest.mark.parametrize("purpose", ["before", "new_call", "changed"])
@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_each_robot_shows_the_three_lines(purpose: str, kind: str, rx: Receiver, settings: Settings) -> None:
    text = _sent(kind, _message(purpose, facts_json(FACTS)), rx, settings)
    for line in (BENEFIT, APPLY, CONTACT):
        assert line in text, (line, text)
    assert text.index(BENEFIT) < text.index("资格判断") < text.index(APPLY) < text.index(CONTACT)


def test_email_text_and_html_show_the_three_lines(settings: Settings) -> None:
    text, html = _mail_parts(_message("before", facts_json(FACTS)), settings)
    for line in (BENEFIT, APPLY, CONTACT):
        assert line in text
    assert "可获支持：<strong>补助 最高 50 万元</strong>" in html
    assert f'<a href="{URL}">{URL}</a> ；推荐/受理单位：所在区县科技局' in html
    assert f'<a href="mailto:{MAIL}">{MAIL}</a>' in html


def test_the_webhook_data_carries_the_facts(rx: Receiver, settings: Settings) -> None:
    robot, url, secret = robot_for(rx, "webhook")
    assert secret is not None
    assert build_channel("webhook", url, secret, settings).send(_message("before", facts_json(FACTS))).ok
    hit = rx.hits_for(robot)[0]
    document = Webhook(secret).verify(hit.body, hit.headers)
    assert document["data"]["notice"]["facts"] == facts_json(FACTS)
    for line in (BENEFIT, APPLY, CONTACT):
        assert line in document["text"]


@pytest.mark.parametrize("kind", ["email", *sorted(LIMITS)])
def test_a_digest_shows_the_lines_of_each_notice(kind: str, rx: Receiver, settings: Settings) -> None:
    message = _message("digest", facts_json(FACTS))
    text = _mail_parts(message, settings)[0] if kind == "email" else _sent(kind, message, rx, settings)
    for line in (BENEFIT, APPLY, CONTACT):
        assert text.count(line) == 3, (line, text)


LONG_URL = "https://kj.example.cn/sbxt/" + "/".join(f"seg{i}" for i in range(12))


def _huge_facts(url: str = LONG_URL) -> dict[str, Any]:
    return facts_json(
        NoticeFacts(
            benefits=(Benefit("subsidy", "…", amount=500, capped=True, tier="省级重点研发计划" * 80),),
            how_to_apply=(
                ApplyStep("online", "…", name="浙江省科技创新云服务平台" * 60, url=url),
                ApplyStep("recommend", "…", via="所在区县科技局"),
            ),
            contacts=(
                Contact(
                    "…",
                    department="高新技术处" * 10,
                    name="张三",
                    phones=tuple(f"0571-8765{i:04d}" for i in range(40)),
                    emails=tuple(f"user{i}@example.cn" for i in range(40)),
                ),
            ),
        )
    )


def _fact_line(text: str, label: str) -> str | None:
    return next((line for line in text.splitlines() if re.match(rf"^[-\s]*{label}：", line)), None)


@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_very_long_facts_are_cut_cleanly_within_the_limit(
    kind: str, rx: Receiver, settings: Settings
) -> None:
    facts = _huge_facts()
    long_title = "关于组织开展2025年度省级重点研发计划*揭榜挂帅*项目申报工作的通知，" * 40
    message = _message("before", facts, notice={**payload()["notice"], "title": long_title})
    text = _sent(kind, message, rx, settings)

    assert utf8_len(text) <= LIMITS[kind]
    for needle in ("2025年3月10日", "16:00", "还剩 3 天", "资格判断：可能符合申报条件"):
        assert needle in text
    assert all(balanced(line) for line in text.splitlines())
    lines = {label: _fact_line(text, label) for label in LABELS}
    assert all(line is not None for line in lines.values()), text[:800]
    assert all(len(str(line).split("：", 1)[1]) <= FACT_MAX for line in lines.values())
    assert "补助 最高 500 万元" in str(lines["可获支持"])  # the tier goes, the amount stays
    assert f"网上申报 {LONG_URL} ；推荐/受理单位：所在区县科技局" in str(lines["申报方式"])  # the name goes
    assert str(lines["联系人"]).endswith(" …")
    for phone in re.findall(r"0571-\d+", text):
        assert re.fullmatch(r"0571-8765\d{4}", phone)  # no number cut short
    for address in re.findall(r"user\d+@[\w.]*", text):
        assert address.endswith("@example.cn")


def test_an_address_too_long_for_a_line_is_left_out_never_cut() -> None:
    url = "https://kj.example.cn/" + "/".join(f"seg{i}" for i in range(60))
    text = _huge_facts(url)["how_to_apply"]
    assert text is not None and "https://" not in text and len(text) <= FACT_MAX


@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_when_a_message_must_shrink_the_contact_goes_first_then_how_to_apply(
    kind: str, rx: Receiver, settings: Settings
) -> None:
    """The deadline, verdict and benefit always stay; the contact is dropped before how to apply."""
    verdict = {
        **payload()["verdict"],
        "unmet": [f"第{i}项条件：近三年研发投入占销售收入比例不低于百分之三" for i in range(200)],
    }
    message = _message("before", _huge_facts(), verdict=verdict)
    text = _sent(kind, message, rx, settings)

    assert utf8_len(text) <= LIMITS[kind]
    for needle in ("2025年3月10日", "还剩 3 天", "资格判断：可能符合申报条件", "可获支持："):
        assert needle in text
    assert _fact_line(text, "联系人") is None
    if kind == "wecom":
        assert _fact_line(text, "申报方式") is None


@pytest.mark.parametrize(
    "facts", [None, {"benefit": None, "how_to_apply": "", "contact": "  "}], ids=["old-payload", "none"]
)
@pytest.mark.parametrize("purpose", ["before", "digest"])
def test_a_notice_without_facts_shows_no_empty_labels(
    facts: dict[str, Any] | None, purpose: str, rx: Receiver, settings: Settings
) -> None:
    message = _message(purpose, facts)
    texts = [
        message.text,
        message.markdown,
        message.html or "",
        *(_sent(k, message, rx, settings) for k in LIMITS),
    ]
    for text in texts:
        for label in LABELS:
            assert f"{label}：" not in text
