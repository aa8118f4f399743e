"""Alembic migrations of the reminder database (see reminder.db.migrate)."""
