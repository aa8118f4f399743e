"""The JSON API under ``/api/``, documented at ``/docs``.

company.py          /api/companies/…, /api/notices (company token; notices are public)
admin.py            /api/admin/…  (admin token)
schemas.py          the output schema of each object both APIs return (deadline, condition)
company_schemas.py  the enterprise API's bodies
admin_schemas.py    the operator API's bodies (corrections, ingest reports…)
views.py            rows and match views → response schemas
"""
