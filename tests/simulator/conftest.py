"""Fixtures for the simulator's tests: a fresh database per test, on SQLite and on the real
PostgreSQL server (a database created for the test and dropped after it, so nobody's data is touched)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_ADMIN_DB = "test"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A URL to an empty database that exists for this test only, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'csim.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def pg_url():
    """A URL to an empty PostgreSQL database created for this test and dropped after it."""
    name = f"csim_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_SERVER}/{PG_ADMIN_DB}", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as e:
        admin.dispose()
        pytest.skip(f"PostgreSQL server at 127.0.0.1:5432 not reachable: {str(e).splitlines()[0]}")
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def judge():
    """The real judge, with its default local sandbox."""
    from judge.runner import Judge, JudgeConfig

    with Judge(JudgeConfig(sandbox="local")) as j:
        yield j
