"""Shared pytest fixtures.

`engine`: a migrated, empty database, once on SQLite (a temporary file) and once on PostgreSQL
(TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test). On PostgreSQL each test session
works in a private throw-away database created beside the configured one (concurrent sessions never
share tables; the configured database itself when the role cannot create databases): schema public
dropped, recreated and migrated once, every table emptied before each test. An unreachable server fails the
PostgreSQL tests inside `make test` and under CI=true, and skips them with the printed reason elsewhere
(tests/services.py). `_chromium` does the same for the browser tests.

`make test` runs the suite on pytest-xdist workers (`-n auto --dist loadgroup`). Every test carries an
`xdist_group`, so one group runs whole on one worker: a module by default (its module-scoped fixtures,
such as a loaded demo, are built once), the tests that share one outside resource in one group each:
every Redis user (Celery workers and the production cache on fixed Redis databases), and each test of a
module that sets XDIST_SPREAD alone (long tests with cheap or no module fixtures: the every-page browser
walk, the callback access walk, the incremental deltas, the privacy properties). Each worker is a
pytest session of its own: a private PostgreSQL database, its own temporary SQLite files. The groups reach
pytest-xdist through `pytest_xdist_make_scheduler` below (xdist 3.8 cannot read the marks under pytest 9).
"""
from __future__ import annotations

import ast
import functools
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from config import normalize_database_url
from store.db import make_engine, migrate
from store.models import Base
from tests.services import service_missing

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


REDIS_MODULES = {"test_production.py", "test_sessions.py", "test_celery_jobs.py", "test_upload_celery.py"}
TESTS = Path(__file__).parent


@functools.cache
def _spreads(path: str) -> bool:
    """Whether the module at `path` (from the root) sets XDIST_SPREAD = True; read, not imported: the
    xdist controller groups node ids without importing any test module."""
    tree = ast.parse((TESTS.parent / path).read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is True
               and any(isinstance(target, ast.Name) and target.id == "XDIST_SPREAD" for target in node.targets)
               for node in tree.body)


def xdist_group(nodeid: str) -> str:
    """The group a test runs in under pytest-xdist: the Redis users share one; a module that sets
    XDIST_SPREAD (long tests without module fixtures) spreads its tests; every other module is its own."""
    path = nodeid.split("::")[0]
    if Path(path).name in REDIS_MODULES:
        return "redis"
    if _spreads(path):
        return nodeid
    return str((TESTS.parent / path).relative_to(TESTS))


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group(item.nodeid)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` by `xdist_group`. pytest-xdist 3.8 groups by the marks only through the suffix it
    appends to `item._nodeid`, an attribute pytest 9 no longer reads (a node id is `item._id`): every test
    went to the workers alone, a module's tests to both (its module fixtures, such as a loaded demo, built
    on each) and the Redis users at once. The scheduler groups the node ids itself."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class GroupScheduling(LoadGroupScheduling):
        """Whole groups, the longest expected first (a browser test ~6 s, an XDIST_SPREAD test ~20 s,
        another ~0.5 s: the longest units should not start last)."""

        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):  # an xdist whose suffix pytest reads again
                return nodeid.split("@")[-1]
            return xdist_group(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:
                self.ordered = True
                for scope in sorted(self.workqueue, key=lambda scope: -sum(map(_expected_seconds, self.workqueue[scope]))):
                    self.workqueue.move_to_end(scope)
            super()._assign_work_unit(node)

    return GroupScheduling(config, log)


def _expected_seconds(nodeid: str) -> float:
    path = nodeid.split("::")[0]
    return 20.0 if _spreads(path) else 6.0 if path.startswith("tests/browser/") else 0.5


def test_database_url() -> str:
    return normalize_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL))


def _postgres_engine(url: str) -> Engine:
    """The PostgreSQL database at `url` with schema public dropped, recreated and migrated."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    return engine


def _private_database(base: str) -> tuple[str, Callable[[], None]]:
    """A throw-away database beside TEST_DATABASE_URL's, so concurrent test sessions never share tables.

    Falls back to the configured database itself when the role may not create databases.
    """
    url = make_url(base)
    name = f"{url.database}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except ProgrammingError:
        admin.dispose()
        return base, lambda: None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


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
    """PostgreSQL migrated once per session in a private database (schema public dropped and recreated)."""
    base = test_database_url()
    try:
        with make_engine(base).connect():
            pass
    except OperationalError as exc:
        service_missing(f"PostgreSQL unreachable at {base.split('@')[-1]}: {str(exc.orig).strip().splitlines()[0]}")
    url, drop = _private_database(base)
    engine = _postgres_engine(url)
    yield engine
    engine.dispose()
    drop()


@pytest.fixture(scope="session")
def _chromium() -> None:
    """Chromium and chromedriver for dash_duo (browser tests use it through BROWSER_MARKS)."""
    if not (shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("google-chrome"))):
        service_missing("chromium and chromedriver are needed (make browser installs them)")


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
