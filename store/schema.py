"""Create or upgrade the schema with the Alembic migrations shipped in store/migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision; True when anything was applied."""
    if current_revision(engine) == head_revision():
        return False
    config = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two workers starting at once must not both migrate.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7415)")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return True
