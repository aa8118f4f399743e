"""The error tree of the whole package.

    ReminderError
     ├── ExtractError
     │    ├── LoadError            a file or URL could not be read as text
     │    │    ├── UnsupportedFormat
     │    │    ├── EncodingError
     │    │    └── InputTooLarge
     │    └── DataFileError        a data table (packaged or overridden) is malformed
     ├── ProfileError              a company profile is invalid
     ├── NotFoundError             no company or notice with the id, name or code given
     ├── StorageError              database missing, out of date or unreachable
     ├── CorrectionError           an operator's correction is invalid or finds nothing to correct
     ├── DeliveryError             a channel is misconfigured
     │    └── UnsafeTarget         a webhook URL points at a loopback/private/metadata address
     ├── RenderError               a message payload lacks what its template needs
     └── OutboxError               the reminder outbox refused an operation
          ├── DispatcherBusy       another dispatcher holds the SQLite lease
          ├── ReminderNotFound     no reminder with that id
          └── NotRequeueable       only dead reminders can be re-queued

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
    "DuplicateCompany",
    "NotFoundError",
    "StorageError",
    "CorrectionError",
    "DeliveryError",
    "UnsafeTarget",
    "RenderError",
    "OutboxError",
    "DispatcherBusy",
    "ReminderNotFound",
    "NotRequeueable",
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
    """A data table (rule table, vocabulary, field registry) is malformed; names the file and key.

    Args:
        message: what is wrong, bilingual, naming the file and the key.
        file: the table as read (packaged path or the operator's override), when known.
        key: the offending key, e.g. ``conditions.headcount.ops``, when known.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        super().__init__(message)


class ProfileError(ReminderError, ValueError):
    """A company profile is invalid. ``errors`` maps field name → Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        detail = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
        super().__init__(f"企业信息有误 / invalid company profile: {detail}")


class DuplicateCompany(ProfileError):
    """The credit code or name is another company's. ``errors`` names that company: for operators only;
    public pages answer without naming anyone (issue 16, item 2)."""


class NotFoundError(ReminderError, LookupError):
    """No company or notice matches what was asked for; the message names what was looked up."""


class StorageError(ReminderError):
    """The database is missing, out of date or unreachable."""


class CorrectionError(ReminderError, ValueError):
    """An operator's correction cannot be made.

    Args:
        field: the input field at fault (e.g. "date", "kind", "target_id").
        message: what is wrong and what to do, bilingual.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class DeliveryError(ReminderError):
    """A notification channel is misconfigured (raised when it is saved, not when it sends)."""


class UnsafeTarget(DeliveryError):
    """A webhook URL is refused: not https, or it resolves to a loopback, private, link-local or metadata address.

    Args:
        url: the URL with its secrets masked.
        reason: what was refused and how to fix it, bilingual.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{reason} ({url})")


class RenderError(ReminderError, ValueError):
    """A reminder payload lacks a key its template needs (a bug in whoever built the payload)."""


class OutboxError(ReminderError):
    """The reminder outbox refused an operation."""


class DispatcherBusy(OutboxError):
    """Another dispatcher holds the SQLite lease (SQLite allows one dispatcher at a time).

    Args:
        holder: the worker name holding the lease.
        until: when the lease expires unless renewed (ISO text).
    """

    exit_code = 3

    def __init__(self, holder: str, until: str) -> None:
        self.holder = holder
        self.until = until
        super().__init__(
            f"另一个发送进程正在运行 / another dispatcher holds the SQLite lease (holder {holder}, until {until}); "
            "SQLite allows one dispatcher at a time: stop the other `reminder worker` / `reminder serve`, "
            "wait for its lease to expire, or use PostgreSQL for several workers"
        )


class ReminderNotFound(OutboxError, LookupError):
    """No reminder has the id asked for."""

    def __init__(self, reminder_id: int) -> None:
        self.reminder_id = reminder_id
        super().__init__(
            f"没有编号为 {reminder_id} 的提醒 / no reminder with id {reminder_id}; "
            "list them with `reminder reminders list`"
        )


class NotRequeueable(OutboxError):
    """Only a dead reminder can be re-queued."""

    def __init__(self, reminder_id: int, status: str) -> None:
        self.reminder_id = reminder_id
        self.status = status
        super().__init__(
            f"提醒 {reminder_id} 的状态是 {status}，只有发送失败(dead)的提醒可以重新排队 / reminder {reminder_id} "
            f"is {status}: only dead reminders can be re-queued (`reminder reminders list --status dead`)"
        )
