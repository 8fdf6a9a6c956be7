"""A bounded load test of a locally served app (`make loadtest`): 127.0.0.1 only, fixed duration.

`concurrency` threads, each one logged-in user (own cookie session) with a role taken in turn
from partner, manager, management, admin, loop for `duration` seconds over the pages their role
may open. One visit = what a browser does: GET the page (HTML shell), POST the Dash routing
callback that renders its layout, POST the page's main callback (`BENCH_CALLBACK` of the page
module, body from `benchmarks.pages.payload`) when it declares one. Reported per endpoint:
requests, throughput (req/s over the whole run), p50/p95 latency (ms), errors. An error is a
non-2xx answer, an exception (connection, timeout), or a callback answered with the app's error
toast or error alert (the server caught an exception and showed the friendly message). Exit 1
if any error.

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
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import requests

from benchmarks.pages import DEFAULT_LOGIN, payload

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_HOST = "127.0.0.1"
DEMO_LOGIN_OF_ROLE = {"partner": "partner", "service_manager": "manager", "management": "management",
                      "admin": "admin"}
ROLE_ORDER = ("partner", "service_manager", "management", "admin")
ERROR_TOAST = "shell-error"  # components.shell.ERROR_TOAST: the app caught a callback exception
ERROR_ALERT_CLASS = '"callback-error'  # class of components.alerts.error_alert in a callback's JSON answer
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


@dataclass
class EndpointStats:
    """Latencies (ms) of successful requests and the errors of one endpoint."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def merge(self, other: EndpointStats) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.errors += other.errors
        self.error_samples.extend(other.error_samples[: max(0, 3 - len(self.error_samples))])


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


def log_in(session: requests.Session, base: str, login: str, password: str) -> requests.Response:
    """Post the real log-in form (CSRF token read from the page); success is a 302/303 redirect."""
    page = session.get(f"{base}/login", timeout=REQUEST_TIMEOUT_S).text
    marker = 'name="csrf_token" value="'
    token = page.split(marker, 1)[1].split('"', 1)[0] if marker in page else ""
    return session.post(f"{base}/login", data={"csrf_token": token, "login": login, "password": password,
                                               "next": "/"}, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)


def callback_failure(response: requests.Response) -> str | None:
    """Why a 2xx callback answer is still a failure, or None.

    Failures the app turns into friendly messages: the error toast opened (`on_callback_error`)
    or an output holding `components.alerts.error_alert` (class ``callback-error``).
    """
    if response.status_code == 204 or "json" not in response.headers.get("content-type", ""):
        return None
    side = (response.json() or {}).get("sideUpdate") or {}
    if side.get(ERROR_TOAST, {}).get("is_open"):
        return f"error toast: {side[ERROR_TOAST].get('children')}"
    if ERROR_ALERT_CLASS in response.text:
        return "error alert in the callback output"
    return None


def _timed(stats: dict[str, EndpointStats], endpoint: str, send: Callable[[], requests.Response],
           ok_status: tuple[int, ...] = ()) -> bool:
    """Send one request, record its latency (ms) or its error under `endpoint`; True if it succeeded.

    Success is a 2xx status, or one of `ok_status` when given (the log-in answers with a redirect).
    """
    started = time.perf_counter()
    try:
        response = send()
        good = response.status_code in ok_status if ok_status else 200 <= response.status_code < 300
        problem = None if good else f"HTTP {response.status_code}"
        problem = problem or (callback_failure(response) if "_dash-update-component" in response.url else None)
    except (requests.RequestException, ValueError) as error:
        problem = f"{type(error).__name__}: {error}"
    elapsed_ms = (time.perf_counter() - started) * 1000
    entry = stats.setdefault(endpoint, EndpointStats())
    if problem:
        entry.errors += 1
        if len(entry.error_samples) < 3:
            entry.error_samples.append(problem[:300])
    else:
        entry.latencies_ms.append(elapsed_ms)
    return problem is None


def virtual_user(base: str, login: str, password: str, role: str, targets: list[PageTarget],
                 deadline: float, stats: dict[str, EndpointStats]) -> None:
    """Log in as `login`, then visit the pages of `role` in turn until `deadline` (perf_counter)."""
    session = requests.Session()
    # "POST /login" times the whole log-in: GET of the form (CSRF token) + POST of the credentials
    logged_in = _timed(stats, "POST /login", lambda: log_in(session, base, login, password), ok_status=(302, 303))
    mine = [t for t in targets if role in t.roles] if logged_in else []
    visit = 0
    while mine and time.perf_counter() < deadline:
        page = mine[visit % len(mine)]
        visit += 1
        _timed(stats, f"GET {page.path}", lambda: session.get(f"{base}{page.path}", timeout=REQUEST_TIMEOUT_S))
        _timed(stats, f"POST layout {page.path}", lambda: session.post(
            f"{base}/_dash-update-component", json=routing_payload(page.path), timeout=REQUEST_TIMEOUT_S))
        if page.callback and page.callback_role == role:
            _timed(stats, f"POST callback {page.name}", lambda: session.post(
                f"{base}/_dash-update-component", json=payload(page.callback), timeout=REQUEST_TIMEOUT_S))
    session.close()


def run_load(base_url: str, password: str, duration_s: float = 30.0, concurrency: int = 20,
             targets: list[PageTarget] | None = None) -> dict:
    """Run the load test; returns the report (see `summarize`). Raises RefusedTarget off 127.0.0.1."""
    base = check_local(base_url)
    targets = targets if targets is not None else discover_targets()
    per_user: list[dict[str, EndpointStats]] = [{} for _ in range(concurrency)]
    started = time.perf_counter()
    deadline = started + duration_s
    threads = []
    for i in range(concurrency):
        role = ROLE_ORDER[i % len(ROLE_ORDER)]
        thread = threading.Thread(target=virtual_user, daemon=True, name=f"user-{i}", args=(
            base, DEMO_LOGIN_OF_ROLE[role], password, role, targets, deadline, per_user[i]))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    merged: dict[str, EndpointStats] = {}
    for stats in per_user:
        for endpoint, entry in stats.items():
            merged.setdefault(endpoint, EndpointStats()).merge(entry)
    return summarize(merged, elapsed, concurrency)


def summarize(stats: dict[str, EndpointStats], elapsed_s: float, concurrency: int) -> dict:
    """Per endpoint and in total: requests, req/s (over `elapsed_s`), p50/p95 ms, errors and samples."""

    def row(entries: list[EndpointStats]) -> dict:
        latencies = np.concatenate([np.asarray(e.latencies_ms, dtype=float) for e in entries]) if entries else []
        errors = sum(e.errors for e in entries)
        count = len(latencies) + errors
        return {"requests": count, "req_per_s": round(count / elapsed_s, 2) if elapsed_s else 0.0,
                "p50_ms": round(float(np.percentile(latencies, 50)), 1) if len(latencies) else None,
                "p95_ms": round(float(np.percentile(latencies, 95)), 1) if len(latencies) else None,
                "errors": errors}

    endpoints = {name: {**row([entry]), "error_samples": entry.error_samples}
                 for name, entry in sorted(stats.items())}
    return {"duration_s": round(elapsed_s, 1), "concurrency": concurrency,
            "total": row(list(stats.values())), "endpoints": endpoints}


def format_table(report: dict) -> str:
    """The report as a fixed-width text table, one line per endpoint and a total line."""
    header = f"{'endpoint':<42}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
    lines = [f"load test: {report['concurrency']} users, {report['duration_s']} s", header, "-" * len(header)]

    def line(name: str, r: dict) -> str:
        p50 = "-" if r["p50_ms"] is None else f"{r['p50_ms']:.1f}"
        p95 = "-" if r["p95_ms"] is None else f"{r['p95_ms']:.1f}"
        return f"{name:<42}{r['requests']:>9}{r['req_per_s']:>9.1f}{p50:>9}{p95:>9}{r['errors']:>8}"

    lines += [line(name, r) for name, r in report["endpoints"].items()]
    lines += ["-" * len(header), line("total", report["total"])]
    for name, r in report["endpoints"].items():
        lines += [f"  {name}: {sample}" for sample in r["error_samples"]]
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

    from auth.users import create_user, demo_partner_id, get_user, set_password
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
            elif (get_user(engine, login).name or "").startswith(RESETTABLE_NAMES):
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
    env = {**os.environ, "QUALITY_MODE": mode, "DATABASE_URL": database_url, "HOST": ALLOWED_HOST,
           "PORT": str(port), "WORKERS": str(workers)}
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
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--concurrency", type=int, default=20, help="logged-in users = threads (default 20)")
    parser.add_argument("--password", default=os.environ.get("LOADTEST_PASSWORD", "demo"),
                        help="password of the demo login names (default $LOADTEST_PASSWORD or demo)")
    parser.add_argument("--serve", action="store_true",
                        help="start gunicorn (production mode) over DATABASE_URL on a free port, stop it after")
    parser.add_argument("--scale", choices=("small", "medium"), default="small",
                        help="with --serve: demo data loaded when the database has no partners")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "3")))
    parser.add_argument("--server-log", type=Path, help="with --serve: append gunicorn's output here")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.concurrency < 1:
        parser.error("--duration must be > 0 and --concurrency >= 1")
    try:
        if args.serve:
            database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
            password = secrets.token_urlsafe(18)
            prepare_database(database_url, args.scale, password)
            with gunicorn_server(database_url, workers=args.workers, log_path=args.server_log) as base:
                report = run_load(base, password, args.duration, args.concurrency)
        else:
            report = run_load(args.url, args.password, args.duration, args.concurrency)
    except RefusedTarget as error:
        print(error, file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"load test failed: {error}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False) if args.json else format_table(report))
    return 1 if report["total"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
