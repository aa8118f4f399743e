"""The web service: FastAPI JSON API under /api/ and zh-CN Jinja2 pages.

    create_app(settings, engine) → FastAPI
     ├── company_pages   registration, company page, notification settings, iCal, unsubscribe
     ├── company_api     /api/companies/…  (company token)
     ├── admin_pages     /admin/…          (admin token): ingest, review, corrections, dashboard
     ├── admin_api       /api/admin/…      (admin token)
     └── ops             /healthz, /metrics
"""

from reminder.web.app import create_app

__all__ = ["create_app"]
