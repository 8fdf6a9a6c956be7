"""Helpers of the loader tests: write small input files, load them, read back what was stored."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from loaders.ingest import FileReport, ingest_files
from store.frames import read_frame, read_sql
from store.models import KIND_TABLES, Base, QuarantineRow

OPERATIONAL_TABLES = {"ingest_runs", "quarantine", "audit_log", "users"}

DATA = Path(__file__).resolve().parents[1] / "data"
BASE = DATA / "base"  # partners P1 (RU) P2 (KZ) P3 (UA); clients C1 RU, C2 KZ, C3 UA, C4 24x7; PRJ1, PRJ2; S1, S2; T1, T2


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def load(engine: Engine, *items, **options) -> list[FileReport]:
    return ingest_files(engine, list(items), **options)


def load_one(engine: Engine, item, **options) -> FileReport:
    (report,) = load(engine, item, **options)
    return report


_SEEDED: dict[str, dict[str, list[dict]]] = {}  # backend -> table -> rows after loading BASE


def seed(engine: Engine) -> None:
    """The base partners, staff, clients, projects and tickets every reference test builds on.

    The first test of a backend loads BASE through the loaders; later ones restore the rows that
    load stored (derived tables included), which is far quicker than re-deriving SLA values.
    """
    backend = engine.dialect.name
    if backend not in _SEEDED:
        reports = load(engine, BASE)
        assert [r.rejected for r in reports] == [0] * len(reports), [r.errors for r in reports]
        with engine.connect() as conn:
            _SEEDED[backend] = {t.name: [dict(r._mapping) for r in conn.execute(t.select())]
                                for t in Base.metadata.sorted_tables if t.name not in OPERATIONAL_TABLES}
        return
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            rows = _SEEDED[backend].get(table.name)
            if rows:  # generated ids are left to the database so its sequences stay right
                conn.execute(table.insert(), [{k: v for k, v in r.items() if k != "id"} for r in rows])


def stored(engine: Engine, kind: str) -> pd.DataFrame:
    model, key = KIND_TABLES[kind]
    with engine.connect() as conn:
        frame = read_frame(conn, select(model.__table__))
    return frame.sort_values(list(key)).reset_index(drop=True)


def count(engine: Engine, kind: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(KIND_TABLES[kind][0])).scalar_one()


def quarantine(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return read_sql(conn, select(QuarantineRow.__table__).order_by(QuarantineRow.id))


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def reasons(report: FileReport) -> list[tuple]:
    return [(e["row"], e["column"], e["reason"]) for e in report.errors]
