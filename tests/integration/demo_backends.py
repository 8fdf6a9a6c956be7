"""The small demo on each backend, for tests that read it: SQLite loaded once per session, PostgreSQL a copy.

`demo_sqlite_file` loads the demo through the real ingest once per test session; `demo_engine` yields it on
SQLite (a private copy) or copies the given tables into the session's PostgreSQL database and rebuilds the
rollups there with `refresh`.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from commands.demo import load_demo
from store.db import make_engine, migrate
from store.frames import read_frame


def demo_sqlite_file(tmp_path_factory) -> Path:
    """The small demo loaded once per test session (shared by the trends tests; copy before writing)."""
    path = tmp_path_factory.getbasetemp() / "trends-demo" / "demo.db"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        load_demo(engine, "small")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    return path


def demo_engine(request, tmp_path_factory, label: str, copied: Sequence[type],
                refresh: Callable[[Connection], None]) -> Iterator[Engine]:
    """Generator for a module fixture parametrized over "sqlite" and "postgresql"."""
    template = demo_sqlite_file(tmp_path_factory)
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp(f"{label}-sqlite") / "demo.db"
        shutil.copyfile(template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("_postgres_session")
    from tests.conftest import _empty_postgres

    _empty_postgres(engine)
    source = make_engine(f"sqlite:///{template}")
    with source.connect() as src, engine.begin() as dst:
        for model in copied:
            rows = read_frame(src, select(model)).astype(object)
            rows = rows.where(rows.notna(), None)
            if len(rows):
                dst.execute(model.__table__.insert(), rows.to_dict("records"))
        refresh(dst)
    source.dispose()
    yield engine
    _empty_postgres(engine)
