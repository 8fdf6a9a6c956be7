"""Headless Chromium, production mode: an upload is enqueued from the page over Redis, runs in a separate
Celery worker process (`celery -A jobs.worker worker`), reports its progress to the page and ends with the report."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from auth.users import create_user
from store.models import Client
from tests.browser.helpers import BROWSER_MARKS, browser_login
from tests.celery_worker import celery_worker
from tests.integration.callback_harness import app_engine, make_app, seed_minimal_data
from tests.integration.test_production import require_redis

pytestmark = BROWSER_MARKS


@pytest.fixture()
def worker(tmp_path):
    require_redis()
    with celery_worker(f"sqlite:///{tmp_path / 'quality.db'}", tmp_path / "uploads", tmp_path / "worker.log") as url:
        yield url


def test_an_upload_runs_in_the_celery_worker_and_reports_progress(dash_duo, tmp_path, worker, monkeypatch):
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    app = make_app(tmp_path, mode="production", redis_url=worker, upload_dir=str(tmp_path / "uploads"))
    seed_minimal_data(app_engine(app))
    create_user(app_engine(app), "root", "admin-secret-1", "admin")
    clients = tmp_path / "clients.csv"
    with clients.open("w", encoding="utf-8") as out:
        out.write("client_id,name,partner_id,city\n")
        out.writelines(f"X{i:07d},Клиент {i},P0001,Омск\n" for i in range(400_000))
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, "root", "admin-secret-1")
    dash_duo.driver.get(dash_duo.server.url + "/admin/upload")
    dash_duo.wait_for_element("#admin-upload-files input[type=file]").send_keys(str(clients))
    dash_duo.wait_for_contains_text("#admin-upload-stage", "из 400 000", timeout=90)
    dash_duo.wait_for_contains_text("#admin-upload-report", "загружен", timeout=180)
    assert "clients.csv" in dash_duo.find_element("#admin-upload-report").text
    with app_engine(app).connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Client)) == 400_003
    log = (tmp_path / "worker.log").read_text()
    assert "background_callback_" in log and "succeeded" in log  # the load ran as a task of the worker
