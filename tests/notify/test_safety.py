"""Untrusted webhook URLs: refused at save time and at send time, unless the operator allows them."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import pytest
from notify_payloads import payload
from receiver import Receiver

from reminder.config import Settings
from reminder.errors import DeliveryError, UnsafeTarget
from reminder.notify import safety
from reminder.notify.channels import build_channel, new_webhook_secret, validate_channel
from reminder.notify.render import render_message

PUBLIC = "93.184.215.14"


def fake_dns(
    monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]] | Callable[[str], list[str]]
) -> list[str]:
    """Play DNS for public-looking names; returns the log of names looked up."""
    looked_up: list[str] = []

    def resolve(host: str, port: int) -> list[safety.IPAddress]:
        looked_up.append(host)
        answer = table(host) if callable(table) else table.get(host)
        if answer is None:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return [ipaddress.ip_address(a) for a in answer]

    monkeypatch.setattr(safety, "resolve", resolve)
    return looked_up


def message():  # type: ignore[no-untyped-def]
    return render_message("test", payload("test"), message_id="rem_safe", settings=Settings(_env_file=None))  # type: ignore[call-arg]


REFUSED = [
    ("127.0.0.1", "回环"),
    ("127.8.9.10", "回环"),
    ("::1", "回环"),
    ("10.1.2.3", "内网"),
    ("172.16.0.9", "内网"),
    ("192.168.1.1", "内网"),
    ("fd12:3456::1", "内网"),
    ("169.254.169.254", "元数据"),
    ("169.254.170.2", "元数据"),
    ("fd00:ec2::254", "元数据"),
    ("100.100.100.200", "元数据"),
    ("169.254.1.1", "链路本地"),
    ("fe80::1", "链路本地"),
    ("100.64.0.1", "CGNAT"),
    ("0.0.0.0", "未指定"),
    ("224.0.0.251", "组播"),
    ("240.0.0.1", "保留"),
    ("::ffff:127.0.0.1", "回环"),
    ("::ffff:10.0.0.1", "内网"),
    ("64:ff9b::a9fe:a9fe", "元数据"),
    ("2002:c0a8:0101::1", "内网"),
]


@pytest.mark.parametrize(("address", "said"), REFUSED, ids=[a for a, _ in REFUSED])
def test_refused_at_save_time(
    address: str, said: str, strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"hooks.example.com": [address]})
    with pytest.raises(UnsafeTarget) as info:
        validate_channel("webhook", "https://hooks.example.com/in", new_webhook_secret(), strict_settings)
    assert said in str(info.value)
    assert "REMINDER_WEBHOOK_ALLOW_HOSTS" in str(info.value)


def test_one_bad_record_refuses_the_name(strict_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"hooks.example.com": [PUBLIC, "10.0.0.7"]})
    with pytest.raises(UnsafeTarget, match="10.0.0.7"):
        validate_channel("webhook", "https://hooks.example.com/in", new_webhook_secret(), strict_settings)


def test_public_address_is_accepted(strict_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"hooks.example.com": [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    validate_channel("webhook", "https://hooks.example.com/in", new_webhook_secret(), strict_settings)


def test_metadata_host_names_are_refused_without_dns(
    strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up = fake_dns(monkeypatch, {})
    with pytest.raises(UnsafeTarget, match="元数据"):
        validate_channel(
            "webhook",
            "https://metadata.google.internal/computeMetadata/v1/",
            new_webhook_secret(),
            strict_settings,
        )
    assert looked_up == []


def test_unresolvable_host_is_a_clear_error(
    strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {})
    with pytest.raises(DeliveryError, match="无法解析域名 nowhere.example.com") as info:
        validate_channel("webhook", "https://nowhere.example.com/in", new_webhook_secret(), strict_settings)
    assert not isinstance(info.value, UnsafeTarget)


def test_https_only_by_default(strict_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up = fake_dns(monkeypatch, {"hooks.example.com": [PUBLIC]})
    with pytest.raises(UnsafeTarget, match="https"):
        validate_channel("webhook", "http://hooks.example.com/in", new_webhook_secret(), strict_settings)
    assert looked_up == []
    allowed = strict_settings.model_copy(update={"webhook_allow_http": True})
    validate_channel("webhook", "http://hooks.example.com/in", new_webhook_secret(), allowed)


@pytest.mark.parametrize("scheme", ["ftp", "file", "gopher"])
def test_other_schemes_are_refused(scheme: str, settings: Settings) -> None:
    with pytest.raises(UnsafeTarget):
        validate_channel("webhook", f"{scheme}://127.0.0.1/x", new_webhook_secret(), settings)


@pytest.mark.parametrize(
    ("entry", "address", "admitted"),
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.0/8", "127.0.0.5", True),
        ("127.0.0.1", "127.0.0.2", False),
        ("10.0.0.0/8", "10.20.30.40", True),
        ("hooks.internal", "10.20.30.40", True),
        ("169.254.0.0/16", "169.254.169.254", False),  # metadata needs an exact entry
        ("169.254.169.254", "169.254.169.254", True),
    ],
)
def test_allow_list(entry: str, address: str, admitted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"hooks.internal": [address]})
    settings = Settings(_env_file=None, webhook_allow_hosts=[entry])  # type: ignore[call-arg]
    check = lambda: validate_channel("webhook", "https://hooks.internal/in", new_webhook_secret(), settings)  # noqa: E731
    if admitted:
        check()
    else:
        with pytest.raises(UnsafeTarget):
            check()


# ── send time ──


def test_refused_at_send_time_when_the_name_now_points_inside(
    rx: Receiver, strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: public when saved, 127.0.0.1 when sending."""
    answers = {"hooks.example.com": [PUBLIC]}
    fake_dns(monkeypatch, lambda host: answers.get(host))
    settings = strict_settings.model_copy(update={"webhook_allow_http": True})
    secret = new_webhook_secret()
    rx.add_robot("rebind", secret)
    port = rx.base_url.rsplit(":", 1)[1]
    url = f"http://hooks.example.com:{port}/hooks/rebind"
    validate_channel("webhook", url, secret, settings)

    answers["hooks.example.com"] = ["127.0.0.1"]
    result = build_channel("webhook", url, secret, settings).send(message())

    assert (result.ok, result.permanent) == (False, True)
    assert "回环" in (result.error or "")
    assert rx.hits_for("rebind") == []


def test_connection_is_pinned_to_the_checked_address(
    rx: Receiver, strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first lookup (the pre-send check) says public, the connection's own lookup says loopback: refused."""
    calls: list[str] = []

    def flip(host: str) -> list[str]:
        calls.append(host)
        return [PUBLIC] if len(calls) == 1 else ["127.0.0.1"]

    fake_dns(monkeypatch, flip)
    settings = strict_settings.model_copy(update={"webhook_allow_http": True})
    secret = new_webhook_secret()
    rx.add_robot("pin", secret)
    port = rx.base_url.rsplit(":", 1)[1]
    result = build_channel("webhook", f"http://hooks.example.com:{port}/hooks/pin", secret, settings).send(
        message()
    )
    assert result.permanent and "回环" in (result.error or "")
    assert len(calls) == 2 and rx.hits_for("pin") == []


def test_pinned_connection_uses_our_resolver(
    rx: Receiver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name only our resolver knows reaches the receiver: the socket goes to the address we checked."""
    fake_dns(monkeypatch, {"hooks.example.com": ["127.0.0.1"]})
    secret = new_webhook_secret()
    rx.add_robot("pinned-ok", secret)
    port = rx.base_url.rsplit(":", 1)[1]
    result = build_channel(
        "webhook", f"http://hooks.example.com:{port}/hooks/pinned-ok", secret, settings
    ).send(message())
    assert result.ok, result
    assert rx.hits_for("pinned-ok")[0].headers["host"] == f"hooks.example.com:{port}"


def test_private_target_saved_before_a_policy_change_is_refused_when_sending(
    strict_settings: Settings,
) -> None:
    strict = strict_settings.model_copy(update={"webhook_allow_http": True})
    result = build_channel("webhook", "http://10.0.0.1/hooks/x", new_webhook_secret(), strict).send(message())
    assert result.permanent and "内网" in (result.error or "")


def test_redirect_to_metadata_is_refused(rx: Receiver, settings: Settings) -> None:
    from receiver import Redirect

    secret = new_webhook_secret()
    rx.add_robot("redir", secret)
    rx.script("redir", Redirect("http://169.254.169.254/latest/meta-data/iam/"))
    result = build_channel("webhook", rx.webhook_url("redir"), secret, settings).send(message())
    assert (result.ok, result.status_code, result.permanent) == (False, 302, True)
    assert "不跟随跳转" in (result.error or "")
    assert len(rx.hits_for("redir")) == 1
