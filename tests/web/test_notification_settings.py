"""The notification settings page: offsets, digest, channels (validated at save time), the test button."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from loopback import Loopback
from queued_sends import wait_for_page
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from web_factories import HANGZHOU, SPARSE, register_api
from web_smtp import Mailbox

from reminder.config import Settings
from reminder.db.models import Channel, Company

KEY = "k3y-0123456789abcdef"


def _logged_in(client: TestClient, profile: dict[str, object] = SPARSE) -> int:
    company_id, token = register_api(client, profile)
    assert client.get(f"/c/{company_id}?token={token}").status_code == 200
    return company_id


def _channel_error(html: str) -> str:
    found = re.search(
        r'<form class="stack" id="add-channel".*?class="error" role="alert">(.*?)</p>', html, re.S
    )
    assert found is not None, "no error shown in the add-channel form"
    return found.group(1)


def _add(client: TestClient, company_id: int, **form: str) -> tuple[int, str]:
    reply = client.post(f"/c/{company_id}/channels", data=form)
    return reply.status_code, reply.text


def _test_result(html: str) -> str:
    found = re.search(r'<div class="test-result[^"]*" id="test-result".*?</div>', html, re.S)
    assert found is not None, "no test result on the page"
    return found.group(0)


def _press_test(client: TestClient, company_id: int, channel_id: int) -> str:
    """Press 发送测试消息: queued at once (issue 16, item 14); the result block once the receiver answered."""
    reply = client.post(f"/c/{company_id}/channels/{channel_id}/test", follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert re.fullmatch(rf"/c/{company_id}/tests/\d+", reply.headers["location"])
    return _test_result(wait_for_page(client, reply.headers["location"]))


# ── offsets and digest ────────────────────────────────────────────────────────────────────


def test_offsets_and_digest_are_saved(client: TestClient, engine: Engine) -> None:
    company_id = _logged_in(client)
    page = client.get(f"/c/{company_id}/notifications").text
    assert 'value="14, 7, 3, 1, 0"' in page
    reply = client.post(
        f"/c/{company_id}/notifications",
        data={"reminder_offsets": "1、7，30 7", "digest": "daily"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    with Session(engine) as session:
        company = session.get(Company, company_id)
        assert company is not None and company.reminder_offsets == [30, 7, 1] and company.digest == "daily"
    assert "提醒设置已保存" in client.get(reply.headers["location"]).text


@pytest.mark.parametrize(
    ("offsets", "says"),
    [
        ("7, -1", "应在 0–365 之间"),
        ("一周", "不是整数天数"),
        ("400", "而不是 400"),
        (",".join(map(str, range(11))), "最多设置 10 个"),
    ],
    ids=["negative", "words", "too_far", "too_many"],
)
def test_bad_offsets_are_refused_inline(client: TestClient, engine: Engine, offsets: str, says: str) -> None:
    company_id = _logged_in(client)
    reply = client.post(
        f"/c/{company_id}/notifications", data={"reminder_offsets": offsets, "digest": "weekly"}
    )
    assert reply.status_code == 422
    assert says in reply.text and f'value="{offsets}"' in reply.text
    with Session(engine) as session:
        company = session.get(Company, company_id)
        assert company is not None and company.reminder_offsets == [14, 7, 3, 1, 0]


# ── channels ──────────────────────────────────────────────────────────────────────────────


def test_a_wecom_robot_is_added_and_shown_with_its_key_masked(client: TestClient, receiver: Loopback) -> None:
    company_id = _logged_in(client)
    url = receiver.url(f"/cgi-bin/webhook/send?key={KEY}")
    reply = client.post(f"/c/{company_id}/channels", data={"kind": "wecom", "name": "财务群", "target": url})
    assert reply.status_code == 200 and "通知渠道已添加" in reply.text
    assert "财务群" in reply.text and "企业微信群机器人" in reply.text
    assert KEY not in reply.text, "the robot key is masked"
    assert f"127.0.0.1:{receiver.port}/cgi-bin/webhook/send" in reply.text


def test_contact_email_channel_exists_after_registration(client: TestClient) -> None:
    company_id = _logged_in(client, HANGZHOU)
    page = client.get(f"/c/{company_id}/notifications").text
    assert "finance@hz-example.com" in page and "电子邮件" in page


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("https://127.0.0.1:9/hooks/x", "127.0.0.1"),
        ("https://10.20.30.40/hooks/x", "10.20.30.40"),
        ("https://[::1]/hooks/x", "::1"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://203.0.113.7/hooks/x", "https"),
    ],
    ids=["loopback", "private", "loopback_v6", "metadata", "plain_http"],
)
def test_unsafe_webhook_urls_are_refused_when_saved(
    make_client: Callable[..., TestClient], settings: Settings, engine: Engine, target: str, says: str
) -> None:
    strict = settings.model_copy(update={"webhook_allow_hosts": [], "webhook_allow_http": False})
    client = make_client(strict)
    company_id = _logged_in(client)
    status, html = _add(client, company_id, kind="webhook", target=target)
    assert status == 422
    assert says in _channel_error(html)
    assert f'value="{target}"' in html, "the URL entered is shown back"
    with Session(engine) as session:
        kinds = [c.kind for c in session.exec(select(Channel).where(Channel.company_id == company_id))]
        assert "webhook" not in kinds


def test_loopback_is_admitted_when_the_operator_allows_it(client: TestClient, receiver: Loopback) -> None:
    company_id = _logged_in(client)
    status, html = _add(client, company_id, kind="webhook", target=receiver.url("/hooks/ours"))
    assert status == 200, _channel_error(html)
    secret = re.search(r"请复制到接收端：(whsec_[A-Za-z0-9+/=]+)", html)
    assert secret is not None, "a generated signing secret is shown once"
    later = client.get(f"/c/{company_id}/notifications").text
    assert secret.group(1) not in later and "whsec_" in later, "then only masked"


def test_a_wecom_url_must_be_a_wecom_url(client: TestClient) -> None:
    company_id = _logged_in(client)
    status, html = _add(
        client, company_id, kind="wecom", target="https://example.com/cgi-bin/webhook/send?key=abcdefgh"
    )
    assert status == 422 and "qyapi.weixin.qq.com" in _channel_error(html)


def test_a_secret_is_not_shown_back_after_an_error(client: TestClient) -> None:
    company_id = _logged_in(client)
    status, html = _add(
        client, company_id, kind="dingtalk", target="not a url", secret="SECsupersecretvalue123"
    )
    assert status == 422
    assert "SECsupersecretvalue123" not in html and "密钥需重新填写" in html


def test_removing_a_channel(client: TestClient, receiver: Loopback) -> None:
    company_id = _logged_in(client)
    _add(
        client,
        company_id,
        kind="wecom",
        name="待删除",
        target=receiver.url(f"/cgi-bin/webhook/send?key={KEY}"),
    )
    channel_id = int(re.findall(r'id="channel-(\d+)"', client.get(f"/c/{company_id}/notifications").text)[-1])
    reply = client.post(f"/c/{company_id}/channels/{channel_id}/delete")
    assert reply.status_code == 200 and "通知渠道已删除" in reply.text and "待删除" not in reply.text
    assert client.post(f"/c/{company_id}/channels/{channel_id}/delete").status_code == 404


# ── the test button ───────────────────────────────────────────────────────────────────────


def _wecom(client: TestClient, company_id: int, receiver: Loopback) -> int:
    status, html = _add(
        client, company_id, kind="wecom", target=receiver.url(f"/cgi-bin/webhook/send?key={KEY}")
    )
    assert status == 200, html
    return int(re.findall(r'id="channel-(\d+)"', html)[-1])


def test_the_test_message_reaches_the_receiver_and_the_page_reports_its_answer(
    client: TestClient, receiver: Loopback
) -> None:
    company_id = _logged_in(client)
    channel_id = _wecom(client, company_id, receiver)
    result = _press_test(client, company_id, channel_id)
    assert "测试消息已送达" in result
    assert re.search(r'class="status-code">200<', result)
    assert re.search(r'class="latency">\d+ 毫秒<', result)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.path == f"/cgi-bin/webhook/send?key={KEY}"
    body = got.json()
    assert body["msgtype"] == "markdown" and SPARSE["name"] in body["markdown"]["content"]


def test_a_refusing_receiver_is_reported_with_its_error_code(client: TestClient, receiver: Loopback) -> None:
    company_id = _logged_in(client)
    channel_id = _wecom(client, company_id, receiver)
    receiver.fail_always(200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [xyz]"})
    result = _press_test(client, company_id, channel_id)
    assert "发送失败" in result
    assert re.search(r'class="status-code">200<', result)
    assert "93000" in result and "invalid webhook url" in result


def test_an_http_error_is_reported_with_its_status(client: TestClient, receiver: Loopback) -> None:
    company_id = _logged_in(client)
    channel_id = _wecom(client, company_id, receiver)
    receiver.fail_always(503, {"error": "maintenance"})
    result = _press_test(client, company_id, channel_id)
    assert "发送失败" in result and re.search(r'class="status-code">503<', result)
    assert len(receiver.received) == 1, "a test message is tried once, never retried"


def test_the_test_email_arrives_with_an_unsubscribe_header(
    make_client: Callable[..., TestClient], smtp_settings: Settings, mailbox: Mailbox
) -> None:
    client = make_client(smtp_settings)
    company_id = _logged_in(client, HANGZHOU)
    html = client.get(f"/c/{company_id}/notifications").text
    channel_id = int(re.findall(r'id="channel-(\d+)"', html)[0])
    pressed = client.post(f"/c/{company_id}/channels/{channel_id}/test")
    assert pressed.status_code == 409, "refused at once: nothing is queued"
    refused = _test_result(pressed.text)
    assert "尚未确认" in refused, "an unconfirmed address gets nothing but its confirmation (issue 16)"
    client.post(re.search(r"http://testserver(/confirm/\d+/\w+)", mailbox.text(0)).group(1))  # type: ignore[union-attr]
    mailbox.messages.clear()
    result = _press_test(client, company_id, channel_id)
    assert "测试消息已送达" in result and re.search(r'class="status-code">250<', result)
    assert mailbox.recipients[-1] == ["finance@hz-example.com"]
    assert f"/unsubscribe/{channel_id}/" in mailbox.messages[-1]["List-Unsubscribe"]
