"""The web service: FastAPI JSON API under /api/ and zh-CN Jinja2 pages.

    create_app(settings, engine) → FastAPI                  (app.py)
     ├── company/   enterprise pages: registration, company page, notification settings, iCal, unsubscribe
     ├── admin/     operator pages under /admin (admin token): ingest, review, corrections, dashboard
     ├── api/       /api/companies/… (company token), /api/notices, /api/admin/… (admin token);
     │              schemas.py holds the one output schema of each object both APIs return
     ├── ops.py     /healthz, /metrics
     └── docs.py    /docs: Swagger UI from installed files (works offline, no inline script)
    templates/company/, templates/admin/ (base.html shared), static/
    deps.py        shared dependencies (session, settings, tokens); choices.py: registry-backed choices
    dates.py       dates as every page shows them (2025年3月11日 周二 17:00, Beijing time)
    page_cache.py  public lists kept rendered per data version (data_version.py); company/output_cache.py: a company's outputs
    app_state.py   objects an app makes once and keeps (caches, throttle, admin sessions)

Labels shown to people come from the registries: fields and operators from the field registry
(``reminder.fields``), channel names and help from the channel classes (``reminder.notify.channels``).
"""

from reminder.web.app import create_app

__all__ = ["create_app"]
