"""Bring a database's schema up to date with the Alembic migrations shipped in this package.

Runs on every open, inside one transaction, so a database is never left half-migrated. Two
processes opening a fresh database at once queue up: SQLite's BEGIN IMMEDIATE (see engine.py)
and a PostgreSQL advisory lock let one migrate while the other waits and then finds nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from contests.errors import DataError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 0x6373696D  # "csim": an arbitrary advisory-lock id, the same in every csim process


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, revision)
        except CommandError as e:  # e.g. a schema written by a newer csim than this one
            raise DataError(engine.url.render_as_string(hide_password=True), "schema",
                            f"cannot migrate this database: {e}") from None


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
