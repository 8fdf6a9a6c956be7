"""A bounded load test of a locally served app (`make loadtest`): 127.0.0.1 only, fixed duration.

Locust (headless, `tools/locustfile.py`, in its own environment: `make loadtest-deps`) runs `users`
logged-in users, the four roles (partner, manager, management, admin) in equal numbers, for `duration`
seconds; each visits the pages its role may open as a browser does: GET the page (HTML shell), POST the
Dash routing callback that renders its layout, POST the page's main callback (`BENCH_CALLBACK` of the
page module, body from `benchmarks.pages.payload`) when it declares one. `--users 10,20,40` runs steps
one after the other and reports the most users held with p95 ≤ 1 s and no error. Reported per endpoint
from Locust's CSV statistics: requests, req/s, p50/p95 latency (ms), errors. An error is a non-2xx
answer, an exception (connection, timeout), or a callback answered with the app's error toast or error
alert (the server caught an exception and showed the friendly message). Exit 1 if any error.

`--serve` starts gunicorn (production mode, several workers) over DATABASE_URL on a free port,
loads the demo data (`--scale`) when the database has no partners, gives the four demo login
names a fresh random password (load-test databases only: production mode has no demo users),
runs the test and stops the server.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from benchmarks.pages import DEFAULT_LOGIN, payload
from tools.dash_answer import callback_failure  # noqa: F401 - part of this module's interface

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_HOST = "127.0.0.1"
DEMO_LOGIN_OF_ROLE = {"partner": "partner", "service_manager": "manager", "management": "management",
                      "admin": "admin"}
ROLE_ORDER = ("partner", "service_manager", "management", "admin")
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/quality_loadtest"
REQUEST_TIMEOUT_S = 60
RESETTABLE_NAMES = ("Load test ", "Demo ")  # users whose password --serve may replace


class RefusedTarget(ValueError):
    """The load test only ever runs against 127.0.0.1."""


@dataclass(frozen=True)
class PageTarget:
    """One page a virtual user visits: its path, the roles allowed on it, its main callback if any."""

    name: str
    path: str
    roles: frozenset[str]
    callback: dict | None = None
    callback_role: str | None = None


def check_local(base_url: str) -> str:
    """`base_url` without a trailing slash; raises RefusedTarget unless its host is 127.0.0.1."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname != ALLOWED_HOST:
        raise RefusedTarget(f"refusing to load-test {base_url!r}: only http://{ALLOWED_HOST}:PORT is allowed")
    return base_url.rstrip("/")


def discover_targets() -> list[PageTarget]:
    """Every registered login-only page with its roles and `BENCH_CALLBACK` (same registry as the server)."""
    import dash

    from components.nav import roles_for_page

    if not dash.page_registry:  # register the pages as create_app does, without a database
        dash.Dash("app", use_pages=True, pages_folder=str(ROOT / "pages"), assets_folder=str(ROOT / "assets"))
    login_roles = {login: role for role, login in DEMO_LOGIN_OF_ROLE.items()}
    targets = []
    for page in dash.page_registry.values():
        roles = roles_for_page(page)
        if roles is None or page["path"] == "/404":
            continue
        spec = getattr(sys.modules.get(page["module"]), "BENCH_CALLBACK", None)
        targets.append(PageTarget(
            name=page["module"].rsplit(".", 1)[-1], path=page["path"], roles=roles, callback=spec,
            callback_role=login_roles.get(spec.get("login", DEFAULT_LOGIN)) if spec else None,
        ))
    return sorted(targets, key=lambda t: t.path)


def routing_payload(path: str) -> dict:
    """The body Dash's renderer posts to render a page's layout (dash.page_container routing callback)."""
    return payload({"output": ".._pages_content.children..._pages_store.data..",
                    "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                               {"id": "_pages_location", "property": "search", "value": ""}]})


def write_plan(path: Path, password: str, targets: list[PageTarget] | None = None) -> Path:
    """The JSON plan `tools/locustfile.py` reads: pages with roles and callback bodies, log-in names, password."""
    targets = targets if targets is not None else discover_targets()
    plan = {
        "password": password, "logins": DEMO_LOGIN_OF_ROLE,
        "targets": [{"name": t.name, "path": t.path, "roles": sorted(t.roles), "layout": routing_payload(t.path),
                     "callback": payload(t.callback) if t.callback else None, "callback_role": t.callback_role}
                    for t in targets],
    }
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return path


def locust_executable() -> Path:
    """Locust of its own environment (`make loadtest-deps`): selenium 4.2 (dash[testing]) keeps urllib3 1.26 in
    the app's venv, which Locust 2.47 cannot import."""
    path = Path(os.environ.get("LOCUST", ROOT / ".venv-locust" / "bin" / "locust"))
    if not path.exists():
        raise RuntimeError(f"Locust not found at {path}: run `make loadtest-deps` (or set LOCUST)")
    return path


def run_load(base_url: str, password: str, duration_s: float = 30.0, users: int = 20,
             targets: list[PageTarget] | None = None, csv_dir: Path | None = None) -> dict:
    """Run Locust headless for `duration_s` with `users` logged-in users (the four roles in equal numbers);
    returns `summarize_stats` of its CSV statistics. Raises RefusedTarget off 127.0.0.1."""
    base = check_local(base_url)
    with tempfile.TemporaryDirectory(prefix="loadtest-") as scratch:
        out = Path(csv_dir or scratch)
        out.mkdir(parents=True, exist_ok=True)
        plan = write_plan(Path(scratch) / "plan.json", password, targets)
        prefix = out / f"locust-{users}"
        command = [str(locust_executable()), "-f", str(ROOT / "tools" / "locustfile.py"), "--headless",
                   "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{duration_s:g}s",
                   "--host", base, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
                   "--stop-timeout", "10", "--exit-code-on-error", "0"]
        proc = subprocess.run(command, env={**os.environ, "LOADTEST_PLAN": str(plan)}, cwd=ROOT,
                              capture_output=True, text=True, timeout=duration_s + 120, check=False)
        stats = Path(f"{prefix}_stats.csv")
        if proc.returncode != 0 or not stats.exists():
            raise RuntimeError(f"locust failed (exit {proc.returncode}): {proc.stderr[-1500:]}")
        return summarize_stats(stats, Path(f"{prefix}_failures.csv"), users, duration_s)


def summarize_stats(stats_csv: Path, failures_csv: Path, users: int, duration_s: float) -> dict:
    """Locust's CSV statistics as the report: per endpoint and in total requests, req/s, p50/p95 ms, errors."""
    import pandas as pd

    stats = pd.read_csv(stats_csv)

    def row(r: pd.Series) -> dict:
        ok = int(r["Request Count"]) > int(r["Failure Count"])
        return {"requests": int(r["Request Count"]), "req_per_s": round(float(r["Requests/s"]), 2),
                "p50_ms": float(r["50%"]) if ok else None, "p95_ms": float(r["95%"]) if ok else None,
                "errors": int(r["Failure Count"])}

    endpoints = {r["Name"]: row(r) for _, r in stats[stats["Name"] != "Aggregated"].iterrows()}
    total = stats[stats["Name"] == "Aggregated"]
    failures = pd.read_csv(failures_csv) if failures_csv.exists() else pd.DataFrame()
    samples = [f"{f['Name']}: {f['Error']} ({f['Occurrences']}x)" for _, f in failures.head(10).iterrows()]
    return {"users": users, "duration_s": duration_s, "endpoints": endpoints,
            "total": row(total.iloc[0]) if len(total) else {"requests": 0, "req_per_s": 0.0, "p50_ms": None,
                                                             "p95_ms": None, "errors": 0},
            "error_samples": samples}


def held(reports: list[dict], p95_limit_ms: float = 1000.0) -> int:
    """The most users of the steps that kept p95 ≤ `p95_limit_ms` with no error (0 if none did)."""
    good = [r["users"] for r in reports if not r["total"]["errors"] and (r["total"]["p95_ms"] or 0) <= p95_limit_ms
            and r["total"]["requests"]]
    return max(good, default=0)


def format_table(report: dict) -> str:
    """One step's report as a fixed-width table, one line per endpoint and a total line."""
    header = f"{'endpoint':<42}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
    lines = [f"load test: {report['users']} users, {report['duration_s']:g} s (Locust)", header, "-" * len(header)]

    def line(name: str, r: dict) -> str:
        p50 = "-" if r["p50_ms"] is None else f"{r['p50_ms']:.0f}"
        p95 = "-" if r["p95_ms"] is None else f"{r['p95_ms']:.0f}"
        return f"{name:<42}{r['requests']:>9}{r['req_per_s']:>9.1f}{p50:>9}{p95:>9}{r['errors']:>8}"

    lines += [line(name, r) for name, r in report["endpoints"].items()]
    lines += ["-" * len(header), line("total", report["total"])]
    lines += [f"  {sample}" for sample in report["error_samples"]]
    return "\n".join(lines)


# --- serving the app for the test -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((ALLOWED_HOST, 0))
        return sock.getsockname()[1]


def prepare_database(database_url: str, scale: str | None, password: str) -> None:
    """Create/migrate the database, load the demo `scale` when it has no partners, set the load-test users.

    The four demo login names (partner, manager, management, admin: the demo data assigns its
    clients and partner to them) are created, or given `password` when they exist and were made
    by the demo or an earlier load test; any other existing user of that name stops the test.
    """
    from sqlalchemy import func, select

    from auth.users import DEMO_NAMES, create_user, demo_partner_id, get_user, set_password
    from config import Config, normalize_database_url
    from store.db import make_engine
    from store.models import Partner
    from tools.serve import prepare_production

    url = normalize_database_url(database_url)
    prepare_production(Config.from_env(database_url=url, mode="demo"))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            partners = conn.scalar(select(func.count()).select_from(Partner))
        if not partners and scale:
            from commands.demo import load_demo

            print(f"loading the {scale} demo data into {engine.url.database}…", file=sys.stderr, flush=True)
            load_demo(engine, scale=scale)
        for role, login in DEMO_LOGIN_OF_ROLE.items():
            if get_user(engine, login) is None:
                create_user(engine, login, password, role,
                            partner_id=demo_partner_id() if role == "partner" else None,
                            name=f"Load test {login}", check_partner=False)
            elif (get_user(engine, login).name or "") in DEMO_NAMES.values() or \
                    (get_user(engine, login).name or "").startswith(RESETTABLE_NAMES):
                set_password(engine, login, password)
            else:
                raise RuntimeError(f"user {login!r} of {engine.url.database} was not made by the demo or the load "
                                   "test: refusing to change its password (use a load-test database)")
    finally:
        engine.dispose()


def wait_healthy(base: str, process: subprocess.Popen, timeout_s: float = 90.0) -> None:
    """Wait for /healthz to answer 200; raises RuntimeError if the server exits or never answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer {base}/healthz within {timeout_s:.0f} s")


@contextlib.contextmanager
def gunicorn_server(database_url: str, workers: int = 3, port: int | None = None,
                    mode: str = "production", log_path: Path | None = None) -> Iterator[str]:
    """Serve ``app:server()`` with gunicorn on 127.0.0.1 (free port by default); yields the base URL.

    Uses gunicorn.conf.py (migrations once in the master). Stopped with SIGINT, gunicorn's quick shutdown (SIGKILL after
    15 s) on exit. Server output goes to `log_path` (default: discarded).
    """
    port = port or free_port()
    # plain HTTP on 127.0.0.1: the session cookie must not be HTTPS-only for the load test's clients
    env = {**os.environ, "QUALITY_MODE": mode, "DATABASE_URL": database_url, "HOST": ALLOWED_HOST,
           "PORT": str(port), "WORKERS": str(workers), "SECURE_COOKIES": "0"}
    if log_path:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    output = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "app:server()"],
        cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True)
    base = f"http://{ALLOWED_HOST}:{port}"
    try:
        wait_healthy(base, process)
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log_path:
            output.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=f"http://{ALLOWED_HOST}:8050", help="server to test (127.0.0.1 only)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load per step (default 30)")
    parser.add_argument("--users", default="20",
                        help="logged-in users, or a comma list of steps (e.g. 10,20,40) run one after the other")
    parser.add_argument("--password", default=os.environ.get("LOADTEST_PASSWORD", "demo"),
                        help="password of the demo login names (default $LOADTEST_PASSWORD or demo)")
    parser.add_argument("--serve", action="store_true",
                        help="start gunicorn (production mode) over DATABASE_URL on a free port, stop it after")
    parser.add_argument("--scale", choices=("small", "medium"), default="small",
                        help="with --serve: demo data loaded when the database has no partners")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "3")))
    parser.add_argument("--server-log", type=Path, help="with --serve: append gunicorn's output here")
    parser.add_argument("--csv-dir", type=Path, help="keep Locust's CSV statistics here (locust-<users>_*.csv)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = parser.parse_args(argv)
    try:
        steps = [int(u) for u in args.users.split(",") if u.strip()]
    except ValueError:
        steps = []
    if args.duration <= 0 or not steps or min(steps) < 1:
        parser.error("--duration must be > 0 and --users whole numbers >= 1")
    try:
        check_local(args.url)
        if args.serve:
            database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
            password = secrets.token_urlsafe(18)
            prepare_database(database_url, args.scale, password)
            with gunicorn_server(database_url, workers=args.workers, log_path=args.server_log) as base:
                reports = [run_load(base, password, args.duration, users, csv_dir=args.csv_dir) for users in steps]
        else:
            reports = [run_load(args.url, args.password, args.duration, users, csv_dir=args.csv_dir)
                       for users in steps]
    except RefusedTarget as error:
        print(error, file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"load test failed: {error}", file=sys.stderr)
        return 1
    summary = {"steps": reports, "users_held": held(reports)}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print("\n\n".join(format_table(r) for r in reports))
        print(f"\nusers held with p95 <= 1 s and no error: {summary['users_held']}")
    return 1 if any(r["total"]["errors"] for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
