"""Encryption at rest for channel targets and secrets (robot keys live in webhook URLs).

    settings.data_key = "newest,older,…" (Fernet keys) ─ MultiFernet: encrypt with the newest,
                                                         decrypt with any ─ rotate: put a new key
                                                         first, run ``reencrypt_channels``, drop the old
    no data_key ─ a random development key in {data_dir}/dev-data-key (mode 0600), never derived

Columns typed :class:`EncryptedText` store ``fernet:<token>``; a value without the prefix is a row
written before encryption and is read as it is (``reminder.db.rekey.reencrypt_channels`` or migration
0008 encrypt it).
``cryptography``'s Fernet (AES-128-CBC + HMAC-SHA256, versioned tokens) is the well-kept choice here:
authenticated, key rotation built in (``MultiFernet.rotate``), no parameters to get wrong.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import Dialect

from reminder.config import get_settings
from reminder.errors import StorageError

__all__ = ["PREFIX", "DEV_DATA_KEY_FILE", "EncryptedText", "cipher", "new_data_key"]

PREFIX = "fernet:"
DEV_DATA_KEY_FILE = "dev-data-key"


def new_data_key() -> str:
    """A fresh key for REMINDER_DATA_KEY (urlsafe base64 of 32 random bytes)."""
    return Fernet.generate_key().decode()


def _dev_key(path: Path) -> str:
    """The development key kept in ``path``, created once at random with mode 0600 (O_EXCL: no race)."""
    try:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_data_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


@functools.lru_cache(maxsize=8)
def _cipher(keys: str, data_dir: str) -> MultiFernet:
    texts = [k.strip() for k in keys.split(",") if k.strip()] or [
        _dev_key(Path(data_dir) / DEV_DATA_KEY_FILE)
    ]
    try:
        return MultiFernet([Fernet(k.encode()) for k in texts])
    except ValueError:
        raise StorageError(
            "REMINDER_DATA_KEY 无效：应为逗号分隔的 Fernet 密钥（reminder.db.crypto.new_data_key() 生成）/ "
            "invalid REMINDER_DATA_KEY: comma-separated Fernet keys"
        ) from None


def cipher() -> MultiFernet:
    """The cipher for the configured keys (newest first)."""
    settings = get_settings()
    keys = settings.data_key.get_secret_value() if settings.data_key else ""
    return _cipher(keys, str(settings.data_dir.resolve()))


class EncryptedText(sa.TypeDecorator[str]):
    """Text encrypted with :func:`cipher` before it is written; plaintext of older rows read as is."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return PREFIX + cipher().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or not str(value).startswith(PREFIX):
            return value  # type: ignore[no-any-return]
        try:
            return cipher().decrypt(str(value)[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise StorageError(
                "无法解密渠道数据：REMINDER_DATA_KEY 中没有加密它的密钥 / cannot decrypt channel data: "
                "the key it was encrypted with is not in REMINDER_DATA_KEY"
            ) from None
