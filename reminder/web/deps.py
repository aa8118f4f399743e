"""Request dependencies, declared once as ``Annotated`` aliases: the session, the settings, who is asking.

Tokens: the admin token comes from settings; a company's management token is a long random string shown
once, of which only the sha256 is stored (``Company.token_hash``). Both are accepted as
``Authorization: Bearer …`` (API) or ``?token=…`` / the ``token`` cookie (pages and the iCal feed).
Comparisons are constant-time, and a wrong token never tells whether the company exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from reminder.config import Settings
from reminder.db.models import Company
from reminder.web.session_slots import session_slot

__all__ = [
    "SettingsDep",
    "SessionDep",
    "AdminDep",
    "CompanyDep",
    "new_token",
    "hash_token",
    "request_token",
    "MAX_ID",
    "IdPath",
]


def new_token() -> str:
    """A fresh management token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored for a token: sha256 hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed when the route returns without raising.

    At most a pool's worth of requests hold one at once (``session_slots``: otherwise a burst of
    requests deadlocked the worker threads against the connection pool, issue 16 item 14). The
    database calls of commit, rollback and close run in a worker thread, never on the event loop.
    """
    engine = request.app.state.engine
    async with session_slot(request.app, engine):
        session = Session(engine, expire_on_commit=False)  # objects stay readable after commit
        try:
            yield session
            if _unfinished(session):
                await run_in_threadpool(session.commit)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(session.rollback)
            raise
        finally:
            if session.in_transaction():
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(session.close)
            else:  # nothing to give back to the pool: no database call, no thread
                session.close()


def _unfinished(session: Session) -> bool:
    """Whether the session has a transaction or changes to commit. A route that committed itself (a
    read-only page, :mod:`reminder.web.page_cache`) saves the two worker-thread hops of commit and close:
    under load, waking a thread cost more than serving a kept page (issue 15)."""
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
#: "function" scope: committed (and the connection given back) before the response is sent, so a
#: client following a redirect reads what the request wrote
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def request_token(request: Request) -> str | None:
    """The token a request carries: Bearer header, then ?token=, then the ``token`` cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.query_params.get("token") or request.cookies.get("token") or None


def require_admin(request: Request, settings: SettingsDep) -> None:
    """401 without a token, 403 with a wrong one (or when no admin token is configured)."""
    token = request_token(request)
    if token is None:
        raise HTTPException(
            401, "需要管理员令牌 / admin token required", headers={"WWW-Authenticate": "Bearer"}
        )
    expected = settings.admin_token.get_secret_value() if settings.admin_token else None
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(403, "令牌无效 / invalid token")


#: the largest row id (PostgreSQL integer); larger path ids are a 422, not a database error
MAX_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def require_company(company_id: IdPath, request: Request, session: SessionDep) -> Company:
    """The company the path names, if the request's token is its management token.

    A missing company and a wrong token give the same 403, so ids cannot be probed.
    """
    token = request_token(request)
    if token is None:
        raise HTTPException(
            401, "需要企业管理链接中的令牌 / company token required", headers={"WWW-Authenticate": "Bearer"}
        )
    company = session.get(Company, company_id)
    if (
        company is None
        or company.token_hash is None
        or not hmac.compare_digest(company.token_hash, hash_token(token))
    ):
        raise HTTPException(403, "令牌无效 / invalid token")
    return company


AdminDep = Annotated[None, Depends(require_admin)]
CompanyDep = Annotated[Company, Depends(require_company)]
