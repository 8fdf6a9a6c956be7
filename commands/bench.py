"""`cli.py bench`: measure ingest, SLA working time, page latency and memory against baselines in the same run.

Every figure is a ratio against a baseline measured in the same process run (machines are noisy):
ingest vs bare ``read_csv`` + ``to_sql`` and vs raw ``COPY`` of the same files, SLA vs ``businesstimedelta``,
page callbacks vs a hello-world Dash callback on the same server, delta loads (1,000 tickets, 200 surveys,
one ticket) into the loaded store vs the same files into the loaded ``small`` store. Ingest, delta loads
and the serving process run in their own processes, so each peak memory is its own. Several scales
(``--scale medium,large``) add the growth ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from config import ROOT, normalize_database_url

BENCH_DIR = ROOT / "bench-data"
DEFAULT_BENCH_DB = "postgresql://postgres@127.0.0.1:5432/quality_bench"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bench", help="benchmark ingest, SLA, pages and memory (ratios vs baselines)")
    parser.add_argument("--scale", default="medium",
                        help="small, medium, large or a comma list (e.g. medium,large) for growth ratios")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_DB))
    parser.add_argument("--sla-rows", type=int, default=1_000_000)
    parser.add_argument("--page-calls", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    scales = [s.strip() for s in args.scale.split(",") if s.strip()]
    unknown = set(scales) - {"small", "medium", "large"}
    if unknown:
        print(f"unknown scale(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results: dict = {"scales": {}}
    url = normalize_database_url(args.database_url)
    if "small" not in scales:  # the delta loads into `small` are the reference of every scale's delta ratio
        results["small_deltas"] = bench_deltas("small", url, quiet=args.json)
    for scale in scales:
        results["scales"][scale] = bench_scale(scale, url, args)
    reference = results["small_deltas"] if "small" not in scales else results["scales"]["small"]["deltas"]
    for figures in results["scales"].values():
        figures["delta_ratio_to_small"] = {
            name: round(d["seconds"] / reference[name]["seconds"], 2) if reference[name]["seconds"] else None
            for name, d in figures["deltas"].items()}
    if len(scales) > 1:
        results["growth"] = growth(results["scales"][scales[0]], results["scales"][scales[-1]])
    if args.json:
        print(json.dumps(results, ensure_ascii=False, default=float))
    else:
        print_table(results)
    return 0


def bench_scale(scale: str, url: str, args: argparse.Namespace) -> dict:
    """Data for `scale` (generated once and reused), loaded into a fresh database, then every measurement."""
    from benchmarks import working_time

    csv_dir = ensure_demo_files(scale, quiet=args.json)
    reset_database(url)
    ingest = _in_subprocess("benchmarks.ingest", csv_dir, url)
    deltas = _in_subprocess("benchmarks.delta", ensure_delta_files(args.json), url)
    pages = _in_subprocess("benchmarks.pages", url, args.page_calls, ensure_delta_files(args.json))
    sla = working_time.measure(n_rows=args.sla_rows)
    return {
        "rows": ingest.get("rows"),
        "ingest": ingest,
        "deltas": deltas["deltas"],
        "sla": sla,
        "pages": pages,
        "memory_mb": {"ingest_peak": ingest.get("peak_rss_mb"), "delta_peak": deltas.get("peak_rss_mb"),
                      "serving": pages.get("rss_mb")},
    }


def bench_deltas(scale: str, url: str, quiet: bool) -> dict:
    """Only the delta loads into a freshly loaded `scale` store (the reference for the delta ratios)."""
    from loaders.ingest import ingest_files
    from store.db import make_engine, migrate

    csv_dir = ensure_demo_files(scale, quiet=quiet)
    reset_database(url)
    engine = make_engine(url)
    migrate(engine)
    ingest_files(engine, [csv_dir])
    engine.dispose()
    return _in_subprocess("benchmarks.delta", ensure_delta_files(quiet), url)["deltas"]


def ensure_delta_files(quiet: bool) -> Path:
    """The delta files, cut from the `small` demo files once (their ids exist at every scale)."""
    from benchmarks.delta import delta_rounds, round_files

    out = BENCH_DIR / "deltas"
    if not all(path.exists() for files in round_files(out) for path in files.values()):
        delta_rounds(ensure_demo_files("small", quiet), out)
    return out


def ensure_demo_files(scale: str, quiet: bool) -> Path:
    out = BENCH_DIR / scale
    if not (out / "tickets.csv").exists():
        from demo import generate, write_csv

        started = time.perf_counter()
        write_csv(generate(scale, seed=42), out)
        if not quiet:
            print(f"generated {scale} demo files in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return out


def reset_database(url: str) -> None:
    """Create the benchmark database if missing and empty it (PostgreSQL), or delete the SQLite file."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": parsed.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(parsed)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _in_subprocess(module: str, *args: object) -> dict:
    """Run a benchmark module in its own process so its peak memory is its own."""
    proc = subprocess.run([sys.executable, "-m", module, *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def growth(small: dict, large: dict) -> dict:
    """Large/medium ratios of the figures that should stay flat (latency) or scale (ingest time)."""
    out: dict = {}
    for page, figure in large["pages"].get("pages", {}).items():
        before = small["pages"].get("pages", {}).get(page)
        if before and before.get("p95_ms"):
            out[f"{page}_p95_ratio"] = round(figure["p95_ms"] / before["p95_ms"], 2)
    if small["ingest"].get("rows_per_s") and large["ingest"].get("rows_per_s"):
        out["ingest_rows_per_s_ratio"] = round(large["ingest"]["rows_per_s"] / small["ingest"]["rows_per_s"], 2)
    return out


def print_table(results: dict) -> None:
    for scale, figures in results["scales"].items():
        print(f"\n== {scale}: {figures['rows']:,} input rows ==")
        ing = figures["ingest"]
        print(f"ingest       {ing['rows_per_s']:>12,.0f} rows/s   read_csv+to_sql {ing['baseline_rows_per_s']:>12,.0f} rows/s"
              f"   time ratio {ing['ratio']:.2f}x (validation, SLA and rollups included; load alone {ing['load_ratio']:.2f}x)")
        print(f"raw COPY     {ing['copy_rows_per_s']:>12,.0f} rows/s   ingest time / COPY time {ing['copy_ratio'] or 0:.2f}x")
        for kind, k in ing.get("per_kind", {}).items():
            print(f"  {kind:<20}{k['rows_per_s']:>12,.0f} rows/s   baseline {k['baseline_rows_per_s']:>12,.0f}"
                  f"   ratio {k['ratio']:.2f}x")
        for name, d in figures["deltas"].items():
            print(f"delta {name:<14} {d['seconds']:>8.2f} s median of {d.get('rounds_seconds')}"
                  f"  (derived refresh {d['derived_seconds']:.2f} s)"
                  f"  {figures['delta_ratio_to_small'][name] or 0:.2f}x its time into small   {d['stages']}")
        sla = figures["sla"]
        print(f"SLA          {sla['rows_per_s']:>12,.0f} rows/s   businesstimedelta {sla['baseline_rows_per_s']:>10,.0f} rows/s"
              f"   speed-up {sla['ratio']:,.0f}x")
        pages = figures["pages"]
        print(f"hello-world callback p50 {pages['hello']['p50_ms']:.1f} ms  p95 {pages['hello']['p95_ms']:.1f} ms")
        for page, p in pages.get("pages", {}).items():
            print(f"  {page:<20} cold {p['cold_ms']:>8.1f} ms  p50 {p['p50_ms']:>8.1f} ms  p95 {p['p95_ms']:>8.1f} ms"
                  f"  {p['p95_ratio']:>6.1f}x hello")
        cold = sorted(pages.get("visits", {}).items(), key=lambda kv: -max(kv[1].values()))[:5]
        print(f"cold first calls (slowest of {len(pages.get('visits', {}))} role × page visits): "
              + ", ".join(f"{k} {max(v.values()):.0f} ms" for k, v in cold))
        for mode, after in (pages.get("after_load") or {}).items():
            print(f"first visits after a load ({mode}{', warmed in ' + str(after['warm_seconds']) + ' s' if mode == 'warmed' else ''}"
                  f"{'' if after['same_minute'] else ', minute changed'}): slowest "
                  + ", ".join(f"{k} {v:.0f} ms" for k, v in after["slowest"].items()))
        mem = figures["memory_mb"]
        print(f"memory       ingest peak {mem['ingest_peak'] or 0:,.0f} MB   delta loads peak {mem['delta_peak'] or 0:,.0f} MB"
              f"   serving {mem['serving'] or 0:,.0f} MB")
    if "growth" in results:
        print("\ngrowth (last / first scale):", json.dumps(results["growth"]))
