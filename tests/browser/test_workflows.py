"""Headless Chromium: the programmes' workflows (SPEC §12) as their users click them.

The manager agrees an action at a meeting, records the meeting and opens it from the history; the
partner gives the reason of a churned 1cfresh contract.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from store.models import Partner, SaasContract
from tests.browser.helpers import BROWSER_MARKS, browser_login, click_centered, severe_logs
from tests.integration.callback_harness import app_engine, make_app
from tests.integration.test_meeting_brief import insert_meeting_data

pytestmark = BROWSER_MARKS




@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path)
    engine = app_engine(app)
    insert_meeting_data(engine, manager="manager")
    with engine.begin() as conn:
        conn.execute(insert(Partner), [{"partner_id": "P0001", "name": "Альфа", "city": "Омск", "country": "RU",
                                        "kkv_level": "none", "kkv_valid_until": None}])
        conn.execute(insert(SaasContract), [
            {"contract_id": "K1", "partner_id": "P0001", "client_id": "C9", "promo": "none",
             "started_at": dt.datetime(2026, 8, 1, tzinfo=dt.UTC), "ended_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC)},
        ])
    return app


def test_manager_agrees_an_action_records_the_meeting_and_opens_it_from_the_history(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1200)
    browser_login(dash_duo, "manager")
    dash_duo.driver.get(dash_duo.server.url + "/meeting?client=C1")
    title = dash_duo.wait_for_element("#meeting-actions-title", timeout=20)
    dash_duo.wait_for_element("#meeting-actions-no-open", timeout=20)
    dash_duo.wait_for_element("#meeting-kpi-table", timeout=20)  # the brief above has rendered
    title.send_keys("Привлечь второго специалиста на 2-ю линию")
    click_centered(dash_duo, "#meeting-actions-save")
    dash_duo.wait_for_element("#meeting-actions-done", timeout=20)
    dash_duo.wait_for_contains_text("#meeting-actions-open", "Привлечь второго специалиста", timeout=20)
    assert "запланировано" in dash_duo.find_element("#meeting-actions-open").text

    click_centered(dash_duo, "#meeting-actions-fix")
    dash_duo.wait_for_contains_text("#meeting-actions-message", "Встреча зафиксирована", timeout=20)
    dash_duo.wait_for_contains_text("#meeting-actions-last", "Привлечь второго специалиста", timeout=20)
    link = dash_duo.find_element("#meeting-actions-history a")
    assert "/meeting/history?snapshot=" in link.get_attribute("href")
    dash_duo.driver.execute_script("arguments[0].click();", link)  # the refreshed list may still be fading in
    dash_duo.wait_for_contains_text("#meeting-history-actions", "Привлечь второго специалиста", timeout=20)
    assert "ООО Ромашка" in dash_duo.find_element("#meeting-history h2").text
    assert severe_logs(dash_duo) == []


def test_partner_gives_the_reason_of_a_churned_contract(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1200)
    browser_login(dash_duo, "partner")
    dash_duo.driver.get(dash_duo.server.url + "/my/programmes")
    dash_duo.wait_for_contains_text("#partner-programmes-churn", "K1", timeout=20)
    dash_duo.select_dcc_dropdown("#partner-programmes-contract", index=0)
    dash_duo.select_dcc_dropdown("#partner-programmes-reason", value="цена")
    click_centered(dash_duo, "#partner-programmes-save")
    dash_duo.wait_for_element("#partner-programmes-done", timeout=20)
    dash_duo.wait_for_contains_text("#partner-programmes-churn", "цена", timeout=20)
    assert severe_logs(dash_duo) == []
