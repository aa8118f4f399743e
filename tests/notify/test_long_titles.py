"""Long titles: every channel keeps the deadline, days left, verdict and link, with balanced markup.

Each channel builds its request for real (the robot receiver on 127.0.0.1 gives valid URLs); the test
reads the text back out of the JSON body as the platform would.
"""

from __future__ import annotations

import copy
import email
import email.policy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from notify_payloads import payload
from receiver import Receiver
from test_channels import robot_for

from reminder.config import Settings
from reminder.notify.base import Message
from reminder.notify.channels import build_channel
from reminder.notify.fit import balanced, utf8_len
from reminder.notify.render import SUBJECT_MAX, render_message

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "long_titles.yaml").read_text(encoding="utf-8"))
TITLE = CASES["title_unit"] * CASES["title_repeat"]
LINK = CASES["link"]
LIMITS = {"wecom": 4096, "dingtalk": 20000, "feishu": 16 * 1024}


def long_message(case: dict[str, Any]) -> Message:
    data = payload(case["purpose"])
    if case["purpose"] == "digest":
        template = data["items"][1]
        data["items"] = [
            {
                **copy.deepcopy(template),
                "notice": {"id": 100 + i, "title": f"{i}号{TITLE}"},
                "link": f"{LINK}#n{i}",
            }
            for i in range(case["items"])
        ]
    else:
        data["notice"]["title"] = TITLE
    return render_message(case["purpose"], data, message_id="rem_long", settings=Settings(_env_file=None))  # type: ignore[call-arg]


def _content(kind: str, body: dict[str, Any]) -> tuple[str, list[str]]:
    """The text a reader sees, and the links it holds."""
    if kind == "wecom":
        text = body["markdown"]["content"]
    elif kind == "dingtalk":
        text = body["markdown"]["text"]
    else:
        rows = body["content"]["post"]["zh_cn"]["content"]
        text = "\n".join("".join(e.get("text", "") for e in row) for row in rows)
        links = [e["href"] for row in rows for e in row if e["tag"] == "a"]
        return text, links + re.findall(r"https://\S+?(?=[）)\s]|$)", text)
    return text, re.findall(r"https://[^\s)）]+", text)


@pytest.mark.parametrize("kind", sorted(LIMITS))
@pytest.mark.parametrize("case", CASES["examples"], ids=[c["name"] for c in CASES["examples"]])
def test_a_long_title_is_shortened_first(
    case: dict[str, Any], kind: str, rx: Receiver, settings: Settings
) -> None:
    _, url, secret = robot_for(rx, kind)
    channel = build_channel(kind, url, secret, settings)
    message = long_message(case)
    assert utf8_len(message.markdown) > LIMITS["wecom"]  # the case really is oversize

    _, raw, _ = channel.build(message)  # type: ignore[attr-defined]
    text, links = _content(kind, json.loads(raw))

    assert utf8_len(text) <= LIMITS[kind]
    for needle in case["keep"]:
        assert needle in text, (needle, text[:600])
    assert any(link == LINK or link.startswith(LINK + "#") for link in links)
    assert all(balanced(line) for line in text.splitlines()), [
        line for line in text.splitlines() if not balanced(line)
    ]
    if kind == "feishu" and case["purpose"] != "digest":
        assert links.count(LINK) == 1  # the link once, as the post's link element


@pytest.mark.parametrize("case", CASES["examples"], ids=[c["name"] for c in CASES["examples"]])
def test_an_email_subject_is_capped_and_keeps_its_prefix(case: dict[str, Any]) -> None:
    subject = long_message(case).subject
    assert len(subject) <= SUBJECT_MAX
    assert subject.startswith("【") and ("还剩 3 天" in subject or case["purpose"] in ("changed", "digest"))


def test_headers_fold_into_short_encoded_words(settings: Settings) -> None:
    mail_settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "mail_from": "申报提醒服务 <reminder@example.cn>"}
    )
    channel = build_channel("email", "finance@example.com", None, mail_settings)
    unsubscribe = "https://reminder.example.cn/unsubscribe/3/" + "0f1e2d3c4b5a6978" * 6
    message = long_message(CASES["examples"][0])
    message = Message(**{**message.__dict__, "unsubscribe_url": unsubscribe})
    for eight_bit in (True, False):
        raw = channel.build_email(message, eight_bit=eight_bit).as_bytes()  # type: ignore[attr-defined]
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        for line in head.split("\r\n"):
            limit = 998 if line.startswith("List-Unsubscribe:") else 76
            assert len(line) <= limit, line
        words = re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", head)
        assert words and max(map(len, words)) <= 75
        parsed = email.message_from_bytes(raw, policy=email.policy.strict)
        assert parsed["Subject"] == message.subject and parsed["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert parsed["From"].addresses[0].display_name == "申报提醒服务"
        assert raw.isascii() is not eight_bit  # quoted-printable parts when the server lacks 8BITMIME
