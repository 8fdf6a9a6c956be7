"""Headless Chromium: the admin uploads a CSV through the dcc.Upload file input and sees the per-file report
and the quarantined row; the settings page opens with the default policy filled in."""
from __future__ import annotations


import pytest
from dash.testing.wait import until

from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs
from tests.integration.callback_harness import app_engine, make_app, seed_minimal_data

pytestmark = BROWSER_MARKS


@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path)
    seed_minimal_data(app_engine(app))
    return app


def test_admin_uploads_a_csv_and_sees_the_report_and_the_quarantine(dash_duo, app, tmp_path):
    partners = tmp_path / "partners.csv"
    partners.write_text("partner_id;name;city\nP0003;Гамма;Омск\nP0004;;Томск\n", encoding="utf-8")
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server.url + "/admin/upload")
    dash_duo.wait_for_element("#admin-upload-files input[type=file]").send_keys(str(partners))
    dash_duo.wait_for_contains_text("#admin-upload-report", "загружен частично", timeout=20)
    report = dash_duo.find_element("#admin-upload-report").text
    assert "partners.csv" in report and "строка 2, название: не заполнено обязательное поле" in report
    dash_duo.wait_for_contains_text("#admin-upload .data-grid", "не заполнено обязательное поле", timeout=10)
    assert severe_logs(dash_duo) == []


def test_settings_page_shows_the_default_policy_targets(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server.url + "/admin/settings")
    dash_duo.wait_for_element("#admin-settings-simple_hours")
    until(lambda: dash_duo.find_element("#admin-settings-simple_hours").get_attribute("value") == "8", timeout=10)
    button = dash_duo.wait_for_element("#admin-settings-recompute")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)
    dash_duo.wait_for_contains_text("#admin-settings-recompute-message", "Пересчитано обращений: 0", timeout=20)
    coverage = dash_duo.find_element("#admin-settings-coverage-table").text  # calendars by year and source
    assert "Россия" in coverage and "пакет holidays" in coverage
    assert severe_logs(dash_duo) == []
