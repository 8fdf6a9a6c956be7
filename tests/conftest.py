"""Shared pytest fixtures.

`engine`: a migrated, empty database, once on SQLite (a temporary file) and once on PostgreSQL
(TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test: schema public dropped, recreated
and migrated once per session, every table emptied before each test). PostgreSQL tests are skipped
with the printed reason when the server is unreachable, except under CI=true where that fails.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from config import normalize_database_url
from store.db import make_engine, migrate
from store.models import Base

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


def test_database_url() -> str:
    return normalize_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL))


def _postgres_engine() -> Engine:
    """The test PostgreSQL database with schema public dropped, recreated and migrated."""
    url = test_database_url()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL unreachable at {url.split('@')[-1]}: {str(exc.orig).strip().splitlines()[0]}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true requires PostgreSQL)")
        print(f"\nSKIP {reason}", file=sys.stderr)
        pytest.skip(reason)
    migrate(engine)
    return engine


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file made once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_session():
    """PostgreSQL migrated once per session (schema public dropped and recreated first)."""
    engine = _postgres_engine()
    yield engine
    engine.dispose()


def _empty_postgres(engine: Engine) -> None:
    """Every table emptied between tests (DELETE: far quicker than TRUNCATE on tiny tables)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path) -> Engine:
    """A migrated empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("_postgres_session")
    _empty_postgres(engine)
    yield engine
    engine.dispose()
