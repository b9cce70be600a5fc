"""The tables (SQLAlchemy models) and the Alembic migrations that build them."""
