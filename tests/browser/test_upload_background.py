"""Headless Chromium: an upload runs as a background job in a separate worker process (DiskcacheManager, the
embedded default), the page shows its progress with Russian stage names, and «Отменить загрузку» stops it
with nothing written."""
from __future__ import annotations

import pytest
from dash.testing.wait import until
from sqlalchemy import func, select

from store.models import Client, IngestRun, Partner
from tests.browser.helpers import BROWSER_MARKS, browser_login
from tests.integration.callback_harness import app_engine, make_app, seed_minimal_data

pytestmark = BROWSER_MARKS


@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path, background_dir=str(tmp_path / "background"), upload_dir=str(tmp_path / "uploads"))
    seed_minimal_data(app_engine(app))
    return app


def _counts(app) -> tuple[int, int, int]:
    with app_engine(app).connect() as conn:
        return tuple(conn.scalar(select(func.count()).select_from(m)) for m in (Partner, Client, IngestRun))


def _clients_csv(path, rows: int):
    with path.open("w", encoding="utf-8") as out:
        out.write("client_id,name,partner_id,city\n")
        out.writelines(f"X{i:07d},Клиент {i},P0001,Омск\n" for i in range(rows))
    return path


def test_a_large_upload_shows_progress_and_cancel_writes_nothing(dash_duo, app, tmp_path, monkeypatch):
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))  # the worker finds the staged files here
    big = _clients_csv(tmp_path / "clients.csv", 400_000)
    before = _counts(app)
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server.url + "/admin/upload")
    dash_duo.wait_for_element("#admin-upload-files input[type=file]").send_keys(str(big))
    # progress comes from the worker process: rows read so far of the expected 400 000
    dash_duo.wait_for_contains_text("#admin-upload-stage", "Чтение и проверка строк (clients)", timeout=60)
    until(lambda: "из 400 000" in dash_duo.find_element("#admin-upload-stage").text
          and dash_duo.find_element("#admin-upload-stage").text.split(":")[1].strip()[0] != "0", timeout=60)
    bar = dash_duo.find_element("#admin-upload-progress .progress-bar")
    assert 0 < int(bar.get_attribute("aria-valuenow")) < 100
    cancel = dash_duo.find_element("#admin-upload-cancel")
    assert cancel.is_enabled()
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", cancel)
    until(lambda: "d-none" in dash_duo.find_element("#admin-upload-busy").get_attribute("class"), timeout=30)
    assert _counts(app) == before  # nothing of the cancelled upload was written
    assert dash_duo.find_element("#admin-upload-report").text.strip() == ""
