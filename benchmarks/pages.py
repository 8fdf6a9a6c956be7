"""Latency of every page's main callback vs a hello-world Dash callback on the same server.

Each page module declares ``BENCH_CALLBACK`` (output, inputs, state and optionally the demo
``login`` to call it as). The callbacks are posted to ``/_dash-update-component`` through the
Flask test client of one app, logged in, exactly as a browser would; p50/p95 are reported in ms
and as a ratio to the hello-world callback measured in the same run.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from dash import Input, Output

import pages as pages_package
from benchmarks.memory import peak_rss_mb
from config import Config, normalize_database_url
from store.db import make_engine

HELLO = {"output": "bench-hello-out.children",
         "inputs": [{"id": "bench-hello-in", "property": "value", "value": "x"}], "state": []}
DEFAULT_LOGIN = "admin"


def bench_callbacks() -> dict[str, dict]:
    """Page path -> BENCH_CALLBACK of every page module that declares one."""
    found = {}
    for module_info in pkgutil.iter_modules(pages_package.__path__):
        module = importlib.import_module(f"pages.{module_info.name}")
        spec = getattr(module, "BENCH_CALLBACK", None)
        if spec:
            found[module_info.name] = spec
    return found


def measure(database_url: str, calls: int = 30, warmup: int = 2, delta_dir: str | Path | None = None) -> dict[str, Any]:
    """p50/p95 ms of each page's main callback and of hello-world; serving process RSS in MB; with `delta_dir`
    (the delta files of `benchmarks.delta`), the first visits after a load too (`after_load_visits`)."""
    from app import create_app, ready_to_serve

    app = create_app(Config.from_env(database_url=database_url, mode="demo"))

    @app.callback(Output("bench-hello-out", "children"), Input("bench-hello-in", "value"))
    def hello(value: str) -> str:
        return f"hello {value}"

    ready_to_serve(app)  # as a serving worker (`app.server`, `app.main`): the start's objects frozen
    specs = bench_callbacks()
    clients: dict[str, Any] = {}
    visits = visit_every_page(app, clients)  # first: the cold calls of a fresh process after a load
    hello_ms = _timed(_client(app, clients, DEFAULT_LOGIN), HELLO, calls, warmup)
    results = {}
    for name, spec in specs.items():
        client = _client(app, clients, spec.get("login", DEFAULT_LOGIN))
        ms = _timed(client, spec, calls, warmup)
        # the first call runs the queries (cold cache); the rest are what users mostly get (scoped cache)
        results[name] = {"cold_ms": round(ms[0], 1), "p50_ms": _pct(ms[warmup:], 50), "p95_ms": _pct(ms[warmup:], 95),
                         "p95_ratio": round(_pct(ms[warmup:], 95) / max(_pct(hello_ms[warmup:], 95), 1e-6), 1)}
    after_load = after_load_visits(app, clients, database_url, Path(delta_dir)) if delta_dir else None
    return {"hello": {"p50_ms": _pct(hello_ms[warmup:], 50), "p95_ms": _pct(hello_ms[warmup:], 95)},
            "pages": results, "visits": visits, "after_load": after_load,
            "cold_max_ms": max([v["layout_ms"] for v in visits.values()]
                               + [v.get("callback_ms", 0) for v in visits.values()], default=0),
            "rss_mb": peak_rss_mb(),
            "calls": calls}


def visit_every_page(app, clients: dict) -> dict[str, dict]:
    """Each role opens each of its pages once, as a browser does (layout routing callback, then the page's main
    callback): ms of those first calls per "role page" (the process's peak memory then covers every view)."""
    from tools.loadtest import (
        DEMO_LOGIN_OF_ROLE,
        ROLE_ORDER,
        discover_targets,
        routing_payload,
    )

    visits = {}
    for role in ROLE_ORDER:
        client = _client(app, clients, DEMO_LOGIN_OF_ROLE[role])
        for target in discover_targets():
            if role not in target.roles:
                continue
            entry = {"layout_ms": _post_ms(client, routing_payload(target.path))}
            if target.callback and target.callback_role == role:
                entry["callback_ms"] = _post_ms(client, payload(target.callback))
            visits[f"{role} {target.path}"] = entry
    return visits


def after_load_visits(app, clients: dict, database_url: str, delta_dir: Path) -> dict[str, dict]:
    """The first visits of every role to every page after a load, in a process that served them before (what a
    gunicorn worker sees after each daily file): a one-ticket file is loaded, then

    * ``stale``: the cache is only made stale, as a load always did: each first view is computed on its visit;
    * ``warmed``: the load's warm (`jobs.warm.warm_after_load`) computes the first views before the visits.

    ``same_minute`` says whether the visits fell in the minute of the warm (cached views carry the minute of the
    live SLA state: a warm serves the first visits of its minute).
    """
    from components.cache import invalidate_data_cache, live_bucket
    from jobs.warm import warm_after_load

    engine = make_engine(normalize_database_url(database_url))
    out = {}
    for mode in ("stale", "warmed"):
        _load_one_ticket(engine, delta_dir, mode)
        started = time.perf_counter()
        minute = live_bucket()
        if mode == "warmed":
            warm_after_load(app.server)
        else:
            with app.server.app_context():
                invalidate_data_cache()
        warm_seconds = time.perf_counter() - started
        visits = visit_every_page(app, clients)
        out[mode] = {"warm_seconds": round(warm_seconds, 2), "same_minute": minute == live_bucket(),
                     "max_ms": max(max(v.values()) for v in visits.values()),
                     "slowest": dict(sorted(((k, max(v.values())) for k, v in visits.items()), key=lambda kv: -kv[1])[:5]),
                     "visits": visits}
    engine.dispose()
    return out


def _load_one_ticket(engine, delta_dir: Path, tag: str) -> None:
    """Load the one-ticket delta file under a new id (a daily file into the loaded store)."""
    from loaders.ingest import ingest_files

    rows = pd.read_csv(delta_dir / "round0" / "ticket_1" / "tickets.csv", dtype=str, keep_default_na=False)
    rows["ticket_id"] = f"AFTERLOAD-{tag}-{time.time_ns()}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tickets.csv"
        rows.to_csv(path, index=False)
        report = ingest_files(engine, [path])[0]
    if report.accepted != 1:
        raise RuntimeError(f"the one-ticket load was not accepted: {report.errors[:3]}")


def _post_ms(client, body: dict) -> float:
    started = time.perf_counter()
    response = client.post("/_dash-update-component", json=body)
    if response.status_code not in (200, 204):
        raise RuntimeError(f"{body['output']}: HTTP {response.status_code} {response.get_data(as_text=True)[:300]}")
    return round((time.perf_counter() - started) * 1000, 1)


def _client(app, clients: dict, login: str):
    if login not in clients:
        client = app.server.test_client()
        login_with_form(client, login)
        clients[login] = client
    return clients[login]


def login_with_form(client, login: str, password: str = "demo") -> None:
    """Log in through the real form (CSRF token read from the page)."""
    page = client.get("/login").get_data(as_text=True)
    marker = 'name="csrf_token" value="'
    token = page.split(marker, 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"csrf_token": token, "login": login, "password": password, "next": "/"})
    if response.status_code not in (302, 303):
        raise RuntimeError(f"log-in as {login} failed: HTTP {response.status_code}")


def payload(spec: dict) -> dict:
    """The JSON body Dash's renderer posts for one callback."""
    output = spec["output"]
    outputs = [_prop(o) for o in output.strip(".").split("...")] if output.startswith("..") else _prop(output)
    return {"output": output, "outputs": outputs, "inputs": spec["inputs"], "state": spec.get("state", []),
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in spec["inputs"][:1]]}


def _prop(output: str) -> dict:
    component, prop = output.rsplit(".", 1)
    return {"id": component, "property": prop}


def _timed(client, spec: dict, calls: int, warmup: int) -> list[float]:
    """Milliseconds of every call, the `warmup` first ones included (callers slice them off)."""
    body = payload(spec)
    times = []
    for i in range(calls + warmup):
        started = time.perf_counter()
        response = client.post("/_dash-update-component", json=body)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{spec['output']}: HTTP {response.status_code} {response.get_data(as_text=True)[:300]}")
        times.append(elapsed)
    return times


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if values else float("nan")



if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], calls=int(sys.argv[2]), delta_dir=sys.argv[3] if len(sys.argv) > 3 else None)))
