"""Production mode (SPEC §8, §9): no demo logins, Redis cache, gunicorn workers under a short load test."""
from __future__ import annotations

import os

import pytest
from flask_caching.backends.rediscache import RedisCache
from sqlalchemy import func, select

from app import create_app
from config import Config
from store.models import User
from tests.services import service_missing
from tools.loadtest import (
    RefusedTarget,
    check_local,
    gunicorn_server,
    held,
    locust_executable,
    main,
    prepare_database,
    run_load,
    summarize_stats,
)
from tools.serve import StartupError, prepare_production, redis_problem

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "load-test-password"


def require_redis() -> None:
    """Redis unreachable: a failure inside make test and under CI=true, else a skip with the printed reason."""
    problem = redis_problem(REDIS_URL)
    if problem:
        service_missing(f"Redis unreachable at {REDIS_URL}: {problem}")


@pytest.fixture(scope="module")
def production_app(tmp_path_factory):
    """One production-mode app over a fresh SQLite database (its tests only read, or fail one log-in)."""
    path = tmp_path_factory.mktemp("production") / "prod.db"
    return create_app(Config(database_url=f"sqlite:///{path}", mode="production",
                             redis_url=REDIS_URL, secret_key="x" * 32, testing=True))


def post_login(client, login: str, password: str):
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client.post("/login", data={"csrf_token": token, "login": login, "password": password, "next": "/"})


def test_production_mode_creates_no_demo_users(production_app):
    engine = production_app.server.extensions["quality"]["engine"]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User)) == 0


def test_demo_login_partner_demo_is_refused_in_production(production_app):
    response = post_login(production_app.server.test_client(), "partner", "demo")
    assert response.status_code == 401


def test_production_cache_backend_is_redis(production_app):
    require_redis()
    cache = production_app.server.extensions["quality"]["cache"]
    assert isinstance(cache.cache, RedisCache)
    with production_app.server.app_context():
        cache.set("test-production-probe", 41 + 1, timeout=30)
        assert cache.cache._read_client.get("quality:test-production-probe") is not None
        cache.delete("test-production-probe")


def test_production_start_refuses_when_redis_is_down(tmp_path):
    config = Config(database_url=f"sqlite:///{tmp_path / 'prod.db'}", mode="production",
                    redis_url="redis://127.0.0.1:1/0", secret_key="x" * 32)
    with pytest.raises(StartupError, match=r"unreachable at redis://127\.0\.0\.1:1/0.*make redis"):
        prepare_production(config)


@pytest.mark.parametrize("url", ["http://localhost:8050", "http://10.0.0.5:8050", "http://127.0.0.1.example.com",
                                 "https://127.0.0.1:8050", "http://0.0.0.0:8050"])
def test_load_test_refuses_any_host_but_127_0_0_1(url):
    with pytest.raises(RefusedTarget):
        check_local(url)


def test_load_test_command_exits_2_for_a_remote_host(capsys):
    assert main(["--url", "http://example.com", "--duration", "1", "--users", "1"]) == 2
    assert "only http://127.0.0.1" in capsys.readouterr().err


STATS_CSV = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,\
Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,GET /,5,1,25,25,10,40,100,2.5,0.5,25,30,30,40,40,40,40,40,40,40,40
POST,POST /login,1,1,0,0,0,0,0,0.5,0.5,0,0,0,0,0,0,0,0,0,0,0
,Aggregated,6,2,25,25,10,40,100,3.0,1.0,25,30,30,40,40,40,40,40,40,40,40
"""


def test_locust_statistics_become_the_report_with_errors_counted(tmp_path):
    (tmp_path / "s_stats.csv").write_text(STATS_CSV)
    (tmp_path / "s_failures.csv").write_text("Method,Name,Error,Occurrences\nPOST,POST /login,HTTP 401,1\n")
    report = summarize_stats(tmp_path / "s_stats.csv", tmp_path / "s_failures.csv", users=4, duration_s=2)
    assert report["endpoints"]["GET /"] == {"requests": 5, "req_per_s": 2.5, "p50_ms": 25.0, "p95_ms": 40.0,
                                            "errors": 1}
    assert report["endpoints"]["POST /login"]["p95_ms"] is None  # nothing succeeded: no latency to report
    assert report["total"]["errors"] == 2
    assert report["error_samples"] == ["POST /login: HTTP 401 (1x)"]


def test_users_held_is_the_largest_step_with_p95_within_a_second_and_no_error():
    def step(users, p95, errors):
        return {"users": users, "total": {"requests": 10, "p95_ms": p95, "errors": errors}}

    assert held([step(10, 300, 0), step(20, 900, 0), step(40, 1400, 0), step(80, 500, 3)]) == 20
    assert held([step(10, 1200, 0)]) == 0


def require_locust() -> None:
    """Skip (printing why) when Locust's environment is missing; under CI=true that is a failure."""
    try:
        locust_executable()
    except RuntimeError as problem:
        service_missing(str(problem))


@pytest.fixture(scope="module")
def gunicorn_base(tmp_path_factory):
    """gunicorn (production mode, 2 workers) started on an empty SQLite file, then given the load-test users.

    The schema is made by the master's on_starting hook before the workers fork (gunicorn.conf.py).
    """
    require_redis()
    url = f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'served.db'}"
    with gunicorn_server(url, workers=2, log_path=tmp_path_factory.mktemp('gunicorn-log') / 'server.log') as base:
        prepare_database(url, scale=None, password=PASSWORD)
        yield base


def test_short_locust_load_test_on_gunicorn_workers_has_no_errors(gunicorn_base):
    require_locust()
    report = run_load(gunicorn_base, PASSWORD, duration_s=8, users=4)
    assert report["endpoints"]["POST /login"]["requests"] == 4
    assert any(name.startswith("POST layout") for name in report["endpoints"])
    assert report["total"]["requests"] > 8
    assert report["total"]["errors"] == 0, report["error_samples"]


def test_locust_load_test_counts_a_refused_log_in_as_an_error(gunicorn_base):
    require_locust()
    report = run_load(gunicorn_base, "wrong-password", duration_s=8, users=1)
    assert report["endpoints"]["POST /login"]["errors"] == 1
    assert report["total"]["errors"] == 1


def dash_answer(body: bytes):
    import requests

    response = requests.Response()
    response.status_code, response._content = 200, body
    response.headers["content-type"] = "application/json"
    return response


def test_a_callback_answered_with_the_error_toast_is_a_failure():
    from tools.loadtest import callback_failure

    toast = b'{"multi": true, "response": {}, "sideUpdate": {"shell-error": {"is_open": true, "children": "oops"}}}'
    assert callback_failure(dash_answer(toast)) == "error toast: oops"
    assert callback_failure(dash_answer(b'{"multi": true, "response": {"x": {"children": 1}}}')) is None


def test_a_callback_answered_with_the_error_alert_is_a_failure():
    from tools.loadtest import callback_failure

    alert = b'{"multi": true, "response": {"x": {"children": {"props": {"className": "callback-error mb-0"}}}}}'
    assert callback_failure(dash_answer(alert)) == "error alert in the callback output"
