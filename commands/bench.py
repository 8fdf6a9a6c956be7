"""`cli.py bench`: measure ingest, SLA working time, page latency and memory against baselines in the same run.

Every figure is a ratio against a baseline measured in the same process run (machines are noisy):
ingest vs bare ``read_csv`` + ``to_sql``, SLA vs ``businesstimedelta``, page callbacks vs a hello-world
Dash callback on the same server. Several scales (``--scale medium,large``) add the growth ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
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
    for scale in scales:
        results["scales"][scale] = bench_scale(scale, normalize_database_url(args.database_url), args)
    if len(scales) > 1:
        results["growth"] = growth(results["scales"][scales[0]], results["scales"][scales[-1]])
    if args.json:
        print(json.dumps(results, ensure_ascii=False, default=float))
    else:
        print_table(results)
    return 0


def bench_scale(scale: str, url: str, args: argparse.Namespace) -> dict:
    """Data for `scale` (generated once and reused), loaded into a fresh database, then every measurement."""
    from benchmarks import pages as pages_bench
    from benchmarks import working_time

    csv_dir = ensure_demo_files(scale, quiet=args.json)
    reset_database(url)
    ingest = _in_subprocess("benchmarks.ingest", csv_dir, url)
    sla = working_time.measure(n_rows=args.sla_rows)
    pages = pages_bench.measure(url, calls=args.page_calls)
    return {
        "rows": ingest.get("rows"),
        "ingest": ingest,
        "sla": sla,
        "pages": pages,
        "memory_mb": {"ingest_peak": ingest.get("peak_rss_mb"), "serving": pages.get("rss_mb")},
    }


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


def _in_subprocess(module: str, csv_dir: Path, url: str) -> dict:
    """Run a benchmark module in its own process so its peak memory is its own."""
    proc = subprocess.run([sys.executable, "-m", module, str(csv_dir), url],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
        for kind, k in ing.get("per_kind", {}).items():
            print(f"  {kind:<20}{k['rows_per_s']:>12,.0f} rows/s   baseline {k['baseline_rows_per_s']:>12,.0f}"
                  f"   ratio {k['ratio']:.2f}x")
        sla = figures["sla"]
        print(f"SLA          {sla['rows_per_s']:>12,.0f} rows/s   businesstimedelta {sla['baseline_rows_per_s']:>10,.0f} rows/s"
              f"   speed-up {sla['ratio']:,.0f}x")
        pages = figures["pages"]
        print(f"hello-world callback p50 {pages['hello']['p50_ms']:.1f} ms  p95 {pages['hello']['p95_ms']:.1f} ms")
        for page, p in pages.get("pages", {}).items():
            print(f"  {page:<20} cold {p['cold_ms']:>8.1f} ms  p50 {p['p50_ms']:>8.1f} ms  p95 {p['p95_ms']:>8.1f} ms"
                  f"  {p['p95_ratio']:>6.1f}x hello")
        mem = figures["memory_mb"]
        print(f"memory       ingest peak {mem['ingest_peak'] or 0:,.0f} MB   serving {mem['serving'] or 0:,.0f} MB")
    if "growth" in results:
        print("\ngrowth (last / first scale):", json.dumps(results["growth"]))
