"""What a reminder says, in every format, and how an oversize one is summarised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify_payloads import DEADLINE, payload

from reminder.config import Settings
from reminder.errors import RenderError
from reminder.notify.fit import summarise, utf8_len
from reminder.notify.render import PURPOSES, render_message

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def render(purpose: str = "before", unsubscribe_url: str | None = None, **overrides):  # type: ignore[no-untyped-def]
    return render_message(
        purpose,
        payload(purpose, **overrides),
        message_id="rem_42",
        settings=SETTINGS,
        unsubscribe_url=unsubscribe_url,
    )


@pytest.mark.parametrize("purpose", PURPOSES)
def test_every_purpose_renders_every_format(purpose: str) -> None:
    msg = render(purpose)
    assert msg.id == "rem_42" and msg.purpose == purpose
    assert msg.subject and "\n" not in msg.subject
    assert msg.text.strip() and msg.markdown.strip() and msg.html and msg.html.startswith("<!doctype html>")
    assert msg.link == "https://reminder.example.cn/c/7"
    assert msg.data == payload(purpose)
    for body in (msg.text, msg.markdown, msg.html):
        assert "https://reminder.example.cn/c/7" in body


def test_before_says_what_when_how_long_verdict_missing_quote_link() -> None:
    msg = render("before")
    assert msg.subject == "【申报提醒】还剩 3 天：关于组织申报2025年度高新技术企业认定的通知"
    for body in (msg.text, msg.markdown, msg.html):
        assert "关于组织申报2025年度高新技术企业认定的通知" in body
        assert "杭州市科学技术局" in body and "市级" in body
        assert "企业申报截止" in body
        assert "2025年3月10日（周一）16:00" in body
        assert "还剩 3 天" in body
        assert "可能符合申报条件" in body
        assert "研发费用占比、注册资本" in body
        assert "近三年无重大安全事故" in body
        assert "请于2025年3月10日16:00前通过系统提交申报材料。" in body


@pytest.mark.parametrize(
    ("days", "said"), [(0, "今天截止"), (1, "明天截止（还剩 1 天）"), (14, "还剩 14 天")]
)
def test_days_left_wording(days: int, said: str) -> None:
    assert said in render("before", days_left=days).text


def test_recommendation_deadline_tells_to_submit_earlier() -> None:
    msg = render("before", deadline={**DEADLINE, "kind": "recommendation", "batch": "第一批"})
    for body in (msg.text, msg.markdown, msg.html):
        assert "第一批·主管部门推荐截止（请提前提交）" in body
        assert "这是主管部门的截止时间，企业需更早提交" in body


def test_application_deadline_has_no_recommendation_note() -> None:
    assert "主管部门的截止时间" not in render("before").text


@pytest.mark.parametrize(
    ("flag", "said"),
    [("approximate", "预计时间，可能调整"), ("conditional", "仅适用于部分申报单位")],
)
def test_deadline_flags_are_stated(flag: str, said: str) -> None:
    assert said in render("before", deadline={**DEADLINE, flag: True}).text


def test_to_be_announced_deadline() -> None:
    msg = render(
        "new_call", deadline={**DEADLINE, "date": None, "time": None, "to_be_announced": True}, days_left=None
    )
    assert "时间另行通知" in msg.text and "还剩" not in msg.text


def test_date_without_time_shows_the_day() -> None:
    assert (
        "企业申报截止：2025年3月10日（周一），还剩 3 天"
        in render("before", deadline={**DEADLINE, "time": None}).text
    )


def test_new_call_says_new_and_days_left() -> None:
    msg = render("new_call", days_left=5)
    assert msg.subject.startswith("【新申报通知】还剩 5 天")
    assert msg.text.startswith("新申报通知，还剩 5 天")


def test_changed_says_old_and_new() -> None:
    msg = render("changed")
    assert (
        msg.subject
        == "【截止时间变更】关于组织申报2025年度高新技术企业认定的通知：2025年3月5日（周三）16:00 → 2025年3月10日（周一）16:00"
    )
    assert "原截止时间：企业申报截止：2025年3月5日（周三）16:00" in msg.text
    assert "新截止时间：企业申报截止：2025年3月10日（周一）16:00" in msg.text
    assert "~~2025年3月5日（周三）16:00~~" in msg.markdown and "<s>2025年3月5日（周三）16:00</s>" in (
        msg.html or ""
    )


def test_digest_lists_notices_by_days_left_with_missing_data() -> None:
    msg = render("digest")
    assert msg.subject == "【申报汇总】杭州云栖科技有限公司：3 项申报进行中"
    for body in (msg.text, msg.markdown, msg.html or ""):
        positions = [
            body.index(t) for t in ("关于组织申报2025年度", "专精特新中小企业申报", "科技型中小企业评价")
        ]
        assert positions == sorted(positions), body
        assert "职工总数" in body and "https://reminder.example.cn/c/7#n4" in body


def test_test_message() -> None:
    msg = render("test")
    assert msg.subject == "【测试消息】申报提醒渠道测试"
    assert "杭州云栖科技有限公司" in msg.text and "配置成功" in msg.text


def test_unsubscribe_link_in_text_and_html_only_when_given() -> None:
    url = "https://reminder.example.cn/unsubscribe/3/abc"
    with_link, without = render("before", unsubscribe_url=url), render("before")
    assert url in with_link.text and url in (with_link.html or "") and with_link.unsubscribe_url == url
    assert "退订" not in without.text and "退订" not in (without.html or "")


def test_html_escapes_untrusted_text() -> None:
    evil = '<script>alert("x")</script>&'
    msg = render("before", notice={"id": 1, "title": evil, "issuer": evil, "level": None})
    assert "<script>" not in (msg.html or "")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in (msg.html or "")
    assert evil in msg.text  # plain text stays as written


def test_markdown_cannot_be_broken_by_a_title() -> None:
    msg = render(
        "before",
        notice={"id": 1, "title": "**[点我](http://evil)**\n### 假标题", "issuer": None, "level": None},
    )
    assert "[点我](http://evil)" not in msg.markdown
    assert "\n### 假标题" not in msg.markdown
    assert "＊＊［点我］(http://evil)＊＊ ＃＃＃ 假标题" in msg.markdown


@pytest.mark.parametrize(
    ("purpose", "drop", "missing"),
    [
        ("before", "notice", "notice.title"),
        ("before", "deadline", "deadline.kind"),
        ("before", "link", "link"),
        ("changed", "change", "change.old"),
        ("digest", "items", "items"),
    ],
)
def test_missing_payload_keys_are_named(purpose: str, drop: str, missing: str) -> None:
    data = payload(purpose)
    del data[drop]
    with pytest.raises(RenderError, match=missing.replace(".", r"\.")):
        render_message(purpose, data, message_id="m", settings=SETTINGS)


def test_digest_item_missing_key_is_named() -> None:
    data = payload("digest")
    del data["items"][1]["link"]
    with pytest.raises(RenderError, match=r"items\[1\]\.link"):
        render_message("digest", data, message_id="m", settings=SETTINGS)


@pytest.mark.parametrize("verdict", [None, {"status": None, "missing": [], "unmet": [], "manual": []}])
def test_a_notice_not_judged_yet_still_renders(verdict: object) -> None:
    msg = render("before", verdict=verdict)
    assert "资格判断：尚未判断，请完善企业信息" in msg.text


def test_unknown_purpose() -> None:
    with pytest.raises(RenderError, match="未知的消息用途"):
        render_message("reminder", payload(), message_id="m", settings=SETTINGS)


# ── summarising ──

LINK = "https://reminder.example.cn/c/7"
TAIL = f"…（内容过长，完整内容见：{LINK}）"


def test_text_that_fits_is_unchanged() -> None:
    assert summarise("短消息\n第二行", 4096, LINK) == "短消息\n第二行"


def test_oversize_text_keeps_whole_lines_and_points_to_the_link() -> None:
    lines = [f"第{i}行：申报材料清单" for i in range(400)]
    out = summarise("\n".join(lines), 4096, LINK)
    assert utf8_len(out) <= 4096
    assert out.endswith("\n" + TAIL)
    kept = out.splitlines()[:-1]
    assert kept == lines[: len(kept)] and len(kept) > 100


def test_a_long_list_line_is_cut_after_an_item() -> None:
    text = "标题\n请补充企业信息：" + "、".join(f"字段{i}" for i in range(2000))
    out = summarise(text, 1000, LINK)
    body = out.splitlines()[1]
    assert body.startswith("请补充企业信息：字段0、字段1") and not body.endswith("、")
    assert body.split("、")[-1].startswith("字段") and body.split("、")[-1][2:].isdigit()


chinese = st.text(alphabet=st.sampled_from(list("申报截止企业材料通知，。、\n𠀀😀ab1 ")), max_size=3000)


@given(text=chinese, limit=st.integers(min_value=120, max_value=5000), link=st.sampled_from([LINK, None]))
def test_summary_never_exceeds_the_limit_nor_splits_a_character(
    text: str, limit: int, link: str | None
) -> None:
    out = summarise(text, limit, link)
    assert utf8_len(out) <= limit
    out.encode("utf-8").decode("utf-8")  # whole characters only (surrogates or halves would fail)
    if utf8_len(text) <= limit:
        assert out == text
    else:
        assert out.endswith("（内容过长，完整内容见：" + LINK + "）" if link else "（内容过长，已截断）")
        head = out.rsplit("\n", 1)[0] if "\n" in out else ""
        assert text.startswith(head.rstrip("、，；, ")) or head == ""
