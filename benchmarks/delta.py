"""Daily loads into a loaded store: what a small file costs (issue 14), and the raw COPY floor of a full load.

`delta_files` cuts three files from the `small` demo files (whose ids exist at every scale, so the same
files load into `small`, `medium` and `large`): 1,000 tickets and 200 surveys under new ids, and one
ticket; `delta_rounds` cuts `ROUNDS` such sets (other rows and ids each). `measure_deltas` loads each into the
store of `engine_url` through `loaders.ingest_files` (validation, upsert, SLA and every rollup and comparison
refresh, one transaction per file), round after round, and reports the median round of each.

`copy_seconds` is the floor: PostgreSQL ``COPY`` of the same CSV file into an all-text table, no
parsing, no validation, no index.

Run: ``python -m benchmarks.delta DELTA_DIR DATABASE_URL`` prints one JSON object (last line).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from benchmarks.memory import peak_rss_mb
from config import normalize_database_url
from loaders.ingest import ingest_files
from store.db import make_engine

DELTAS = {"tickets_1000": ("tickets", 1_000), "surveys_200": ("surveys", 200), "ticket_1": ("tickets", 1)}
ID_COLUMN = {"tickets": "ticket_id", "surveys": "survey_id"}


ROUNDS = 3  # each delta is loaded this many times (distinct ids each round): the median is reported


def delta_files(small_dir: Path, out: Path, seed: int = 14, tag: str = "D") -> dict[str, Path]:
    """The delta files (name -> path): rows of the small demo files under new ids (`tag` prefix)."""
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, (kind, rows) in DELTAS.items():
        source = pd.read_csv(small_dir / f"{kind}.csv", dtype=str, keep_default_na=False)
        picked = source.sample(n=rows, random_state=seed).reset_index(drop=True)
        picked[ID_COLUMN[kind]] = [f"{tag}{name.upper()}-{i:05d}" for i in range(rows)]
        path = out / name / f"{kind}.csv"
        path.parent.mkdir(exist_ok=True)
        picked.to_csv(path, index=False)
        files[name] = path
    return files


def delta_rounds(small_dir: Path, out: Path) -> list[dict[str, Path]]:
    """`ROUNDS` sets of delta files under ``out/round<i>/`` (other rows, other id prefixes each round)."""
    return [delta_files(small_dir, out / f"round{i}", seed=14 + i, tag="DEFGHIJ"[i]) for i in range(ROUNDS)]


def round_files(delta_dir: Path) -> list[dict[str, Path]]:
    """The delta files of each round found under `delta_dir` (`delta_rounds`' layout)."""
    return [{name: delta_dir / f"round{i}" / name / f"{kind}.csv" for name, (kind, _) in DELTAS.items()}
            for i in range(ROUNDS)]


def measure_deltas(engine: Engine, rounds: list[dict[str, Path]]) -> dict[str, dict]:
    """Seconds of each delta load (and of its derived refresh), loaded in turn into the store of `engine`, round
    after round (the three kinds alternate, so a busy moment of the machine does not fall on one kind): per delta
    the median round (its seconds and stages) and every round's seconds."""
    runs: dict[str, list[dict]] = {name: [] for name in DELTAS}
    for files in rounds:
        for name, path in files.items():
            started = time.perf_counter()
            report = ingest_files(engine, [path])[0]
            runs[name].append({"rows": report.rows, "accepted": report.accepted,
                               "seconds": round(time.perf_counter() - started, 3),
                               "derived_seconds": round(report.derived_seconds, 3),
                               "stages": {k: round(v, 3) for k, v in getattr(report, "derived_stages", {}).items()}})
    out = {}
    for name, measured in runs.items():
        median = sorted(measured, key=lambda run: run["seconds"])[len(measured) // 2]
        out[name] = {**median, "rounds_seconds": [run["seconds"] for run in measured]}
    return out


def copy_seconds(engine: Engine, path: Path) -> float:
    """Seconds to COPY the CSV file `path` into a fresh all-text table (PostgreSQL), streamed in 1 MB blocks."""
    header = pd.read_csv(path, nrows=0).columns
    table = f"bench_copy_{path.stem}"
    columns = ", ".join(f'"{c}" text' for c in header)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
            cursor.execute(f'CREATE UNLOGGED TABLE "{table}" ({columns})')
        raw.commit()
        started = time.perf_counter()
        with (raw.cursor() as cursor, open(path, "rb") as source,
              cursor.copy(f'COPY "{table}" FROM STDIN WITH (FORMAT csv, HEADER true)') as copy):
            while block := source.read(1 << 20):
                copy.write(block)
        raw.commit()
        seconds = time.perf_counter() - started
        with raw.cursor() as cursor:
            cursor.execute(f'DROP TABLE "{table}"')
        raw.commit()
    finally:
        raw.close()
    return seconds


def main(delta_dir: str, engine_url: str) -> dict:
    engine = make_engine(normalize_database_url(engine_url))
    result = measure_deltas(engine, round_files(Path(delta_dir)))
    engine.dispose()
    return {"deltas": result, "peak_rss_mb": peak_rss_mb()}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
