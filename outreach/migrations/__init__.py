"""Alembic migrations; run with ``outreach db upgrade``."""
