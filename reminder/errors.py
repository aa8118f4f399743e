"""The error tree of the whole package.

    ReminderError
     ├── ExtractError
     │    ├── LoadError            a file or URL could not be read as text
     │    │    ├── UnsupportedFormat
     │    │    ├── EncodingError
     │    │    └── InputTooLarge
     │    └── DataFileError        a bundled rule table is malformed
     ├── ProfileError              a company profile is invalid
     ├── StorageError              database missing, out of date or unreachable
     └── DeliveryError             a channel is misconfigured

Every message says, in Chinese and English, what was asked, what went wrong and what to do.
"""

from __future__ import annotations

__all__ = [
    "ReminderError",
    "ExtractError",
    "LoadError",
    "UnsupportedFormat",
    "EncodingError",
    "InputTooLarge",
    "DataFileError",
    "ProfileError",
    "StorageError",
    "DeliveryError",
]


class ReminderError(Exception):
    """Base of every error this package raises on purpose."""

    #: process exit code the CLI uses for this error
    exit_code = 1


class ExtractError(ReminderError):
    """Extraction could not proceed."""


class LoadError(ExtractError):
    """A document could not be read as text.

    Args:
        source: the file path or URL as the user gave it.
        reason: what went wrong and what to do, bilingual.
    """

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class UnsupportedFormat(LoadError):
    """The file type is not one we can read."""


class EncodingError(LoadError):
    """The bytes are not text in any Chinese encoding we know."""


class InputTooLarge(LoadError):
    """The input exceeds the configured size limit."""


class DataFileError(ExtractError):
    """A bundled data file (rule table) is malformed; names the file and key."""


class ProfileError(ReminderError, ValueError):
    """A company profile is invalid. ``errors`` maps field name → Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        detail = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
        super().__init__(f"企业信息有误 / invalid company profile: {detail}")


class StorageError(ReminderError):
    """The database is missing, out of date or unreachable."""


class DeliveryError(ReminderError):
    """A notification channel is misconfigured (raised when it is saved, not when it sends)."""
