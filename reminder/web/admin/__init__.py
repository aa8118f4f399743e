"""The operator pages under ``/admin`` (admin token): ingest, review with quotes, corrections, dashboard.

pages.py    the routes (router)
actions.py  ingest, publish, correct, re-queue: what the pages and the admin API both do
queries.py  what the pages and the admin API show (notices, deadlines, deliveries…)
forms.py    posted correction forms → correction values
common.py   templates (Chinese labels from the registries), the admin cookie, the page guard
"""
