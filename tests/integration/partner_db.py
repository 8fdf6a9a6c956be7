"""Database helpers of the rollup and partner-report tests: a migrated engine per backend, frame loading.

`migrated_engine(backend)` gives a fresh, migrated SQLite file or a throw-away PostgreSQL database
(TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test; skipped with the reason when
unreachable). `insert_frames` writes SPEC §3 frames straight into their tables, so these tests do not
depend on the loaders.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from config import normalize_database_url
from store.db import make_engine, migrate
from store.models import KIND_TABLES
from tests.services import service_missing

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
AS_OF = pd.Timestamp("2026-11-23 10:00", tz="UTC")  # demo "today" (demo/clock.py)


@contextlib.contextmanager
def migrated_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated empty database of `backend` ("sqlite" or "postgresql"), dropped afterwards."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    base = make_url(normalize_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)))
    name = f"pqm_partner_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:  # the server is not there; any other error is a real failure
        admin.dispose()
        service_missing(f"PostgreSQL unreachable at {base.render_as_string(hide_password=True)}: {exc.__class__.__name__}")
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def insert_frames(engine: Engine, frames: dict[str, pd.DataFrame]) -> None:
    """Insert SPEC §3 frames into their tables, last row per natural key (as the loaders' upsert)."""
    with engine.begin() as conn:
        for kind, frame in frames.items():
            model, key = KIND_TABLES[kind]
            table = model.__table__
            columns = [c for c in frame.columns if c in table.c]
            if frame.empty:
                continue
            frame = frame.drop_duplicates(list(key), keep="last")  # the loaders upsert by natural key
            data = {column: [None if pd.isna(v) else v for v in frame[column].astype(object).tolist()]
                    for column in columns}
            conn.execute(table.insert(), [dict(zip(data, row)) for row in zip(*data.values())])


def load_demo(engine: Engine, frames: dict[str, pd.DataFrame], as_of: pd.Timestamp = AS_OF) -> None:
    """Insert demo frames and materialize what ingest would: rollups and ticket SLA values."""
    from store.comparison_rollup import refresh_comparison_rollup
    from store.derived import materialize_sla
    from store.rollups import refresh_rollups

    insert_frames(engine, frames)
    with engine.begin() as conn:
        materialize_sla(conn, now=as_of)  # first, as at ingest: the ticket rollups read ticket_sla
        refresh_rollups(conn, now=as_of)
        refresh_comparison_rollup(conn, now=as_of)  # last: it reads the survey rollup


PAGE_KINDS = ("partners", "clients", "projects", "monitor_tests", "license_keys", "surveys", "tickets",
              "ticket_pauses", "worklog", "deposits")


def page_subset(frames: dict[str, pd.DataFrame], partner_id: str, other_tickets: int = 2000) -> dict[str, pd.DataFrame]:
    """The kinds the partner page reads; tickets cut to the partner's own plus `other_tickets` of others
    (enough other partners' rows to catch a leak, a fraction of the load time)."""
    subset = {kind: frames[kind] for kind in PAGE_KINDS}
    tickets = subset["tickets"]
    owner = tickets["partner_id"].fillna(tickets["client_id"].map(frames["clients"].set_index("client_id")["partner_id"]))
    own = owner == partner_id
    keep = own | (~own).cumsum().le(other_tickets) & ~own
    subset["tickets"] = tickets[keep]
    for kind in ("ticket_pauses", "worklog"):
        subset[kind] = subset[kind][subset[kind]["ticket_id"].isin(subset["tickets"]["ticket_id"])]
    return subset


def demo_copy(tmp_path_factory, target: Path, partner_id: str | None = None) -> Path:
    """`target`: a copy of the small demo (seed 42; its `page_subset` of `partner_id` when given) as `load_demo`
    stores it, loaded into a SQLite file once per test session (worker) and copied for each use."""
    from demo import generate

    template = tmp_path_factory.getbasetemp() / f"partner-demo-{partner_id or 'all'}" / "demo.db"
    if not template.exists():
        template.parent.mkdir(exist_ok=True)
        frames = generate("small", seed=42)
        engine = make_engine(f"sqlite:///{template}")
        migrate(engine)
        load_demo(engine, page_subset(frames, partner_id) if partner_id else frames)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    shutil.copyfile(template, target)
    return target
