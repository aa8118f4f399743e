"""The application factory: one FastAPI app per settings + engine (never built at import time)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from reminder.config import Settings, get_settings
from reminder.db.engine import make_engine
from reminder.web import docs, ops
from reminder.web.admin import pages as admin_pages
from reminder.web.admin import sources as admin_sources
from reminder.web.api import admin as admin_api
from reminder.web.api import company as company_api
from reminder.web.api import sources as sources_api
from reminder.web.api.bounds import validation_error_handler
from reminder.web.company import pages as company_pages
from reminder.web.csrf import OriginCheckMiddleware
from reminder.web.headers import with_edge_middleware
from reminder.web.throttle import AuthLockoutMiddleware

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, **state: Any) -> FastAPI:
    """Build the app.

    Args:
        settings: default ``get_settings()``.
        engine: default ``make_engine()`` for the configured database.
        state: more objects put on ``app.state`` (e.g. ``scheduler``), for ``reminder serve`` and tests.
    """
    settings = settings or get_settings()
    # /docs is served by reminder.web.docs from installed files (no CDN); ReDoc needs a CDN: off
    app = FastAPI(title="申报提醒 reminder", version="0.1.0", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.sqlalchemy_url)
    app.state.scheduler = None
    for name, value in state.items():
        setattr(app.state, name, value)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (ops, docs, company_api, admin_api, sources_api, company_pages, admin_pages, admin_sources):
        app.include_router(module.router)
    # issue 16 (S1): brute-force lockout, then Origin checks on state-changing requests (outside it)
    app.add_middleware(AuthLockoutMiddleware)
    app.add_middleware(OriginCheckMiddleware)
    app.add_exception_handler(
        RequestValidationError, validation_error_handler
    )  # 422s that echo 1e400 stay 422s
    with_edge_middleware(
        app, settings
    )  # last: outermost (proxy headers first, security headers on every answer)
    return app
