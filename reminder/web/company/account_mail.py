"""The account emails: confirm an address (double opt-in), "this is my company", erasure done.

Issue 16, item 3: text typed by whoever filled a form (a company name) never goes into a subject line,
and in a body only quoted, truncated and defanged so that no mail client turns it into a link. Subjects
are fixed. These mails go straight through the email channel after the response, like the management
link (``mail.send_management_link``), and never log their links.
"""

from __future__ import annotations

import html
import logging
import re
import secrets

from reminder.config import Settings
from reminder.errors import DeliveryError
from reminder.notify.base import Message, SendResult
from reminder.notify.channels import build_channel

__all__ = ["quoted", "confirmation_message", "claim_message", "erased_message", "send_account_mail"]

log = logging.getLogger(__name__)

#: the longest piece of typed text a mail repeats
QUOTE_LIMIT = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e]")
#: ASCII punctuation that makes a link or an address: replaced by full-width look-alikes
_DEFANG = str.maketrans({".": "．", ":": "：", "/": "／", "@": "＠"})


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Typed text as a mail may repeat it: one line, at most ``limit`` characters, no link, in 「」."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    short = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return f"「{short.translate(_DEFANG)}」"


def _message(subject: str, paragraphs: list[str], link: str | None) -> Message:
    text = "您好，\n\n" + "\n\n".join(paragraphs) + (f"\n\n{link}\n" if link else "\n")
    body = "<p>您好，</p>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if link:
        safe = html.escape(link, quote=True)
        body += f'<p><a href="{safe}">{safe}</a></p>'
    return Message(
        id=f"acct_{secrets.token_hex(8)}",
        subject=subject,
        text=text,
        markdown=text,
        html=body,
        purpose="test",
    )


def confirmation_message(company_name: str, link: str) -> Message:
    """Confirm the address: the only mail an unconfirmed address receives."""
    return _message(
        "申报提醒：请确认您的邮箱地址",
        [
            f"有人在申报提醒登记企业 {quoted(company_name)}，并填写了本邮箱接收申报截止提醒。"
            "确认后才会向本邮箱发送提醒；如果不是您本人填写的，请忽略此邮件，我们不会再发送任何邮件。",
            "如需接收，请打开下面的链接并点击“确认接收”：",
        ],
        link,
    )


def claim_message(company_name: str, link: str) -> Message:
    """ "This is my company": a one-time link (24 h) to a new management link, for the address on file."""
    return _message(
        "申报提醒：找回企业管理链接",
        [
            f"有人在申报提醒表示 {quoted(company_name)} 是自己的企业，请求找回管理链接。"
            "本邮件只发往登记时填写并确认过的邮箱。",
            "如果是您本人操作，请在 24 小时内打开下面的链接并确认，系统会生成新的管理链接（旧链接随即失效）。"
            "如果不是您，请忽略此邮件，原管理链接仍然有效。",
        ],
        link,
    )


def erased_message(company_name: str) -> Message:
    """The erasure is done (sent to confirmed addresses only)."""
    return _message(
        "申报提醒：企业数据已删除",
        [
            f"企业 {quoted(company_name)} 已通过管理链接删除其在申报提醒的全部数据：企业信息、通知渠道和密钥、"
            "匹配结果、待发送的提醒和发送记录。此后不会再向本邮箱发送任何邮件。",
        ],
        None,
    )


def send_account_mail(*, email: str, message: Message, settings: Settings, what: str) -> SendResult:
    """Send one account mail; never raises, never logs the link or the address."""
    try:
        result = build_channel("email", email, None, settings).send(message)
    except DeliveryError as exc:
        result = SendResult(ok=False, error=str(exc), permanent=True)
    except Exception as exc:  # a background task must not die silently
        result = SendResult(ok=False, error=type(exc).__name__, permanent=True)
    if result.ok:
        log.info("%s mail sent", what)
    else:
        log.warning("%s mail not sent: %s", what, result.error)
    return result
