"""The one email that is not a reminder: a company's private management link, after it registers
or rotates its token.

It goes straight through the email channel (not the outbox: the outbox stores payloads, and the
token must never be stored or logged). It is sent after the response, so a slow or missing SMTP
server never delays the page, and a failure is logged without the link.
"""

from __future__ import annotations

import html
import logging
import secrets

from reminder.config import Settings
from reminder.errors import DeliveryError
from reminder.notify.base import Message, SendResult
from reminder.notify.channels import build_channel
from reminder.web.company.account_mail import quoted

__all__ = ["management_link_message", "send_management_link", "mail_configured"]

log = logging.getLogger(__name__)


def mail_configured(settings: Settings) -> bool:
    """Whether mail can go out at all: pages promise a mail only then (issue 12, item 6)."""
    return bool(settings.smtp_host)


def management_link_message(company_name: str, link: str) -> Message:
    """The email carrying the link (subject, text and HTML)."""
    subject = "申报提醒：贵企业的专属管理链接"  # never typed text in a subject (issue 16, item 3)
    company_name = quoted(company_name)
    text = (
        f"您好，\n\n{company_name} 已登记到申报提醒。以下是贵企业的专属管理链接，凭它查看匹配结果、"
        f"修改企业信息和提醒设置：\n\n{link}\n\n"
        "任何拿到此链接的人都能管理贵企业的信息，请妥善保存、勿转发。如链接泄露，请在“提醒设置”页面生成新链接，"
        "旧链接随即失效。\n\n如果不是您本人登记的，请忽略此邮件。\n"
    )
    safe_name, safe_link = html.escape(company_name), html.escape(link, quote=True)
    body = (
        f"<p>您好，</p><p>{safe_name} 已登记到申报提醒。以下是贵企业的专属管理链接：</p>"
        f'<p><a href="{safe_link}">{safe_link}</a></p>'
        "<p>任何拿到此链接的人都能管理贵企业的信息，请妥善保存、勿转发。如链接泄露，请在“提醒设置”页面生成新链接。</p>"
        "<p>如果不是您本人登记的，请忽略此邮件。</p>"
    )
    return Message(
        id=f"link_{secrets.token_hex(8)}",
        subject=subject,
        text=text,
        markdown=text,
        html=body,
        link=link,
        purpose="test",
    )


def send_management_link(
    *, company_id: int, company_name: str, email: str, link: str, settings: Settings
) -> SendResult:
    """Email the management link to ``email``; never raises, never logs the link.

    Returns:
        What the SMTP server answered (``ok=False`` with the reason when it could not be sent).
    """
    try:
        result = build_channel("email", email, None, settings).send(
            management_link_message(company_name, link)
        )
    except DeliveryError as exc:
        result = SendResult(ok=False, error=str(exc), permanent=True)
    except Exception as exc:  # a background task must not die silently; the reason is logged, the link is not
        result = SendResult(ok=False, error=f"{type(exc).__name__}", permanent=True)
    if result.ok:
        log.info("management link for company %s emailed (status %s)", company_id, result.status_code)
    else:
        log.warning("management link for company %s not emailed: %s", company_id, result.error)
    return result
