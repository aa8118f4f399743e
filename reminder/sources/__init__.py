"""Watching the sources: government notice columns read politely, new calls found without an upload.

    SourceSpec ──► poll_source(spec, state, fetcher, now) ──► PollResult(new_items, details, changed, state)
                       │
                       ├─ Fetcher: robots.txt, conditional GET, one request per host, retries,
                       │           Retry-After, size limit, the webhooks' address guard
                       ├─ read_list: items (links with a date near them) and the next page
                       └─ read_detail: title, date, issuer, body, attachment links
    discover(home_url, fetcher)  proposes a site's notice columns;  preview(spec, fetcher)  tests a source

Plain functions over plain objects: storage, the command line, admin pages and scheduler jobs wrap them.
"""

from reminder.sources.detail import read_detail
from reminder.sources.discover import ColumnCandidate, discover, preview
from reminder.sources.errors import FetchError, FetchTooLarge, RetryLater, RobotsDisallowed, SourceError
from reminder.sources.fetch import Fetcher, FetchPolicy, user_agent
from reminder.sources.listpage import read_list
from reminder.sources.model import (
    AttachmentLink,
    DetailPage,
    FetchResult,
    Hints,
    ListItem,
    ListPage,
    SourceSpec,
    Validators,
)
from reminder.sources.poll import (
    ItemProblem,
    KnownItem,
    PageFetcher,
    PollResult,
    SourceState,
    content_hash,
    next_poll_at,
    poll_source,
)

__all__ = [
    "AttachmentLink",
    "ColumnCandidate",
    "DetailPage",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "FetchTooLarge",
    "Fetcher",
    "Hints",
    "ItemProblem",
    "KnownItem",
    "ListItem",
    "ListPage",
    "PageFetcher",
    "PollResult",
    "RetryLater",
    "RobotsDisallowed",
    "SourceError",
    "SourceSpec",
    "SourceState",
    "Validators",
    "content_hash",
    "discover",
    "next_poll_at",
    "poll_source",
    "preview",
    "read_detail",
    "read_list",
    "user_agent",
]
