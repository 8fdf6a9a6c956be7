"""Ingest speed against the bare baseline of the same files in the same run (SPEC §9).

For every CSV of a demo folder: rows/s of `loaders.ingest_files` (parse, validate, quarantine,
upsert, plus the derived refresh reported separately) versus bare ``pandas.read_csv`` +
``DataFrame.to_sql`` of the same file into a scratch table (``ratio`` = ingest seconds / baseline
seconds, the target is ≤ 2), and versus the floor: a raw PostgreSQL ``COPY`` of the same file into an
all-text table (``copy_ratio``, the issue 14 target is ≤ 5).

Run: ``python -m benchmarks.ingest CSV_DIR DATABASE_URL`` prints one JSON object (last line).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from benchmarks.delta import copy_seconds
from benchmarks.memory import peak_rss_mb
from config import normalize_database_url
from loaders.ingest import ingest_files
from loaders.schemas import LOAD_ORDER
from store.db import make_engine, migrate


def measure(csv_dir: str | Path, engine_url: str) -> dict:
    """Per kind and in total: ingest rows/s, loader-only rows/s and read_csv+to_sql rows/s."""
    engine = make_engine(normalize_database_url(engine_url))
    migrate(engine)
    paths = [Path(csv_dir) / f"{kind}.csv" for kind in LOAD_ORDER if (Path(csv_dir) / f"{kind}.csv").exists()]
    reports = ingest_files(engine, paths)
    ingest_peak_mb = peak_rss_mb()  # before the baselines
    per_kind: dict[str, dict] = {}
    for path, report in zip(paths, reports):
        baseline = _baseline_seconds(engine, path)
        copy = copy_seconds(engine, path) if engine.dialect.name == "postgresql" else None
        load_seconds = report.seconds - report.derived_seconds
        per_kind[report.kind] = {
            "rows": report.rows,
            "rejected": report.rejected,
            "seconds": round(report.seconds, 3),
            "derived_seconds": round(report.derived_seconds, 3),
            "rows_per_s": _rate(report.rows, report.seconds),
            "load_rows_per_s": _rate(report.rows, load_seconds),
            "baseline_seconds": round(baseline, 3),
            "baseline_rows_per_s": _rate(report.rows, baseline),
            "ratio": round(report.seconds / baseline, 2) if baseline else None,
            "load_ratio": round(load_seconds / baseline, 2) if baseline else None,
            "copy_seconds": None if copy is None else round(copy, 3),
            "copy_ratio": round(report.seconds / copy, 2) if copy else None,
        }
    engine.dispose()
    rows = sum(k["rows"] for k in per_kind.values())
    seconds = sum(k["seconds"] for k in per_kind.values())
    load_seconds = seconds - sum(k["derived_seconds"] for k in per_kind.values())
    baseline = sum(k["baseline_seconds"] for k in per_kind.values())
    copy = sum(k["copy_seconds"] or 0 for k in per_kind.values())
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": _rate(rows, seconds),
        "load_rows_per_s": _rate(rows, load_seconds),
        "baseline_seconds": round(baseline, 2),
        "baseline_rows_per_s": _rate(rows, baseline),
        "ratio": round(seconds / baseline, 2) if baseline else None,
        "load_ratio": round(load_seconds / baseline, 2) if baseline else None,
        "copy_seconds": round(copy, 2),
        "copy_rows_per_s": _rate(rows, copy),
        "copy_ratio": round(seconds / copy, 2) if copy else None,
        "per_kind": per_kind,
        "peak_rss_mb": ingest_peak_mb,
        "baselines_peak_rss_mb": peak_rss_mb(),
    }


def _baseline_seconds(engine, path: Path) -> float:
    """Bare pandas: read the CSV with inferred types and append it to a fresh scratch table."""
    scratch = f"bench_scratch_{path.stem}"
    started = time.perf_counter()
    frame = pd.read_csv(path)
    frame.to_sql(scratch, engine, if_exists="replace", index=False)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text(f'DROP TABLE IF EXISTS "{scratch}"'))
    return seconds


def _rate(rows: int, seconds: float) -> float:
    return round(rows / seconds, 1) if seconds > 0 else 0.0


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))
