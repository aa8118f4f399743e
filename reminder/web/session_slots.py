"""At most a pool's worth of requests hold a database session at once; the others wait on the event loop.

FastAPI runs each sync dependency and each sync route in a worker thread (anyio: 40 by default), and
a request keeps its session's connection between those steps. When more requests than the pool has
connections (SQLAlchemy: 5 + 10 overflow) came at once, every worker thread could sit waiting for a
connection while the requests holding the connections waited for a thread to finish and give them
back: nothing moved until the pool's 30-second timeout, then the waiting requests failed with 500
(issue 16, item 14: 80 concurrent "send test" calls, or any 80 concurrent API calls). A request now
takes a slot before its session exists; one waiting for a slot holds neither a thread nor a
connection, and ``SPARE`` connections stay free for /healthz, the scheduler and the test-send lane.

    session_slot(app) ── async with: at most slot_count(engine) sessions per event loop
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

__all__ = ["SPARE", "UNBOUNDED", "slot_count", "session_slot"]

#: connections left for what does not go through a request's session (/healthz, scheduler, lane)
SPARE = 3
#: slots when the pool sets no bound (SQLite memory databases, NullPool)
UNBOUNDED = 32


def slot_count(engine: Engine) -> int:
    """How many requests may hold a session at once: the pool's connections less ``SPARE`` (at least 1)."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return UNBOUNDED
    overflow = int(getattr(pool, "_max_overflow", 0))
    if overflow < 0:  # unlimited overflow
        return UNBOUNDED
    return max(1, pool.size() + overflow - SPARE)


def _semaphore(app: Any, engine: Engine) -> asyncio.Semaphore:
    """The app's semaphore for the running event loop (a TestClient runs a loop of its own)."""
    by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = getattr(
        app.state, "session_slots", None
    )
    if by_loop is None:
        by_loop = app.state.session_slots = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    if loop not in by_loop:  # no await since the lookup: no other task can slip in on this loop
        by_loop[loop] = asyncio.Semaphore(slot_count(engine))
    return by_loop[loop]


@asynccontextmanager
async def session_slot(app: Any, engine: Engine) -> AsyncIterator[None]:
    """Hold one of the app's session slots (waiting on the event loop while all are taken)."""
    async with _semaphore(app, engine):
        yield
