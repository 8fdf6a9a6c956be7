"""Headless Chromium: the demo `manager` prepares a client meeting on /meeting and downloads the PDF."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from sqlalchemy import insert

from store.models import Client
from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs
from tests.integration.callback_harness import app_engine, make_app
from reports.meeting import meeting_brief
from tests.integration.test_meeting_brief import insert_meeting_data

pytestmark = BROWSER_MARKS


@pytest.fixture()
def app(tmp_path):
    """C1 «ООО Ромашка» (seed-004 shift) and C3 «ИП Лютик» (no tickets) served by `manager`; C2 by another."""
    app = make_app(tmp_path)
    engine = app_engine(app)
    insert_meeting_data(engine, manager="manager")
    with engine.begin() as conn:
        conn.execute(insert(Client), [{"client_id": "C3", "name": "ИП Лютик", "service_manager": "manager"}])
    return app


# console.error of the page, readable (chromedriver's log only says "Object")
CAPTURE_ERRORS = """window.__errors = []; const original = console.error;
console.error = function (...args) {
  window.__errors.push(args.map(a => { try { return (a && a.stack) || JSON.stringify(a) || String(a); }
                                      catch (e) { return String(a); } }).join(' '));
  original.apply(console, args); };"""


def _start(dash_duo, app) -> None:
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_ERRORS})
    browser_login(dash_duo, "manager")


def _downloaded(folder: str, suffix: str, timeout: float = 15.0) -> Path | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in Path(folder).glob(f"*{suffix}") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.2)
    return None


def test_manager_picks_a_client_sees_the_flag_and_downloads_the_pdf(dash_duo, app):
    _start(dash_duo, app)
    if os.environ.get("MEETING_SCREENSHOT"):
        dash_duo.driver.set_window_size(1400, 4000)
    dash_duo.driver.get(dash_duo.server.url + "/meeting")
    dash_duo.wait_for_element("#meeting-client", timeout=20)
    # SPEC §6: opens on the client that needs attention most (C1 with the seed-004 finding, not
    # C3 «ИП Лютик», first by name, without tickets)
    dash_duo.wait_for_contains_text("#meeting-flags", "Разработка вытесняет поддержку", timeout=20)
    assert "ООО Ромашка (C1)" in dash_duo.find_element("#meeting-client").text
    flag = dash_duo.find_element(".meeting-flag-development_pressure").text
    assert "понизить приоритет" in flag and "+60 п.п." in flag.replace("\u00a0", " ")
    with app_engine(app).connect() as conn:
        expected = meeting_brief(conn, "C1")["findings"]
    cards = dash_duo.driver.find_elements("css selector", "#meeting-flags .meeting-finding")
    assert len(cards) == len(expected) <= 5  # one card per finding, the seed's pattern is one
    assert "⚠" in dash_duo.find_element("#meeting-kpi-table").text
    if os.environ.get("MEETING_SCREENSHOT"):
        time.sleep(1)
        dash_duo.driver.save_screenshot(os.environ["MEETING_SCREENSHOT"])

    dash_duo.find_element("#meeting-pdf").click()
    pdf = _downloaded(dash_duo.download_path, ".pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    assert severe_logs(dash_duo) == []


def test_client_without_tickets_shows_the_empty_state(dash_duo, app):
    _start(dash_duo, app)
    dash_duo.driver.get(dash_duo.server.url + "/meeting?client=C3")
    dash_duo.wait_for_contains_text("#meeting-content", "нет обращений", timeout=20)
    assert severe_logs(dash_duo) == []


def test_management_deep_link_opens_that_client(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/meeting?client=C1")
    dash_duo.wait_for_contains_text("#meeting-flags", "Разработка вытесняет поддержку", timeout=20)
    assert "ООО Ромашка (C1)" in dash_duo.find_element("#meeting-client").text
    assert severe_logs(dash_duo) == []


def test_chosen_client_and_period_survive_a_reload(dash_duo, app):
    _start(dash_duo, app)
    dash_duo.driver.get(dash_duo.server.url + "/meeting")
    dash_duo.wait_for_contains_text("#meeting-flags", "Разработка вытесняет поддержку", timeout=20)
    dash_duo.select_dcc_dropdown("#meeting-client", value="ИП Лютик (C3)")
    until(lambda: "client=C3" in dash_duo.driver.current_url, timeout=10)
    dash_duo.driver.get(dash_duo.driver.current_url)  # reload the shared link
    dash_duo.wait_for_contains_text("#meeting-content", "нет обращений", timeout=20)
    assert "ИП Лютик (C3)" in dash_duo.find_element("#meeting-client").text
    dash_duo.driver.get(dash_duo.server.url + "/meeting?client=C1&end=2024-05-28")
    dash_duo.wait_for_contains_text("#meeting-period", "15.05–28.05.2024", timeout=20)
    dash_duo.driver.get(dash_duo.server.url + "/meeting?client=C2")  # another manager's client
    dash_duo.wait_for_element("#meeting-content", timeout=20)
    assert "C2" not in dash_duo.find_element("#meeting-client").text
    assert severe_logs(dash_duo) == []
