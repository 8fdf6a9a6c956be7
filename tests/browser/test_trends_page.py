"""Headless Chromium: management opens /trends on the small demo, switches to cities and drills into a point."""
from __future__ import annotations

import shutil

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs
from tests.integration.callback_harness import make_app
from tests.integration.demo_backends import demo_sqlite_file

pytestmark = BROWSER_MARKS


@pytest.fixture()
def app(tmp_path, tmp_path_factory):
    shutil.copyfile(demo_sqlite_file(tmp_path_factory), tmp_path / "quality.db")
    return make_app(tmp_path)


def test_management_switches_to_cities_and_drills_into_a_point(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1800)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/trends")
    dash_duo.wait_for_contains_text("#trends-card-csat", "Сибирский ФО", timeout=20)

    dash_duo.select_dcc_dropdown("#trends-dimension", value="Город")
    dash_duo.wait_for_contains_text("#trends-card-sla", "Новосибирск", timeout=20)

    point = dash_duo.find_element("#trends-card-sla .scatterlayer .trace .points path")
    ActionChains(dash_duo.driver).move_to_element(point).click().perform()
    dash_duo.wait_for_contains_text("#trends-drill", "Соблюдение SLA", timeout=20)
    assert "Скачать CSV" in dash_duo.find_element("#trends-drill").text
    assert dash_duo.find_elements("#trends-drill .ag-row")
    assert severe_logs(dash_duo) == []


def _time_order(labels: list[str]) -> list:
    import pandas as pd

    return [pd.Period(label).start_time for label in labels]


def test_filters_survive_a_reload_and_every_time_axis_is_chronological(dash_duo, app):
    from dash.testing.wait import until

    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1800)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/trends?dimension=city&grain=quarter")
    dash_duo.wait_for_contains_text("#trends-card-sla", "Новосибирск", timeout=30)
    assert "Город" in dash_duo.find_element("#trends-dimension").text
    dash_duo.select_dcc_dropdown("#trends-dimension", value="Страна")
    until(lambda: "dimension=country" in dash_duo.driver.current_url, timeout=10)
    dash_duo.driver.get(dash_duo.driver.current_url)  # reload: the filter stays
    dash_duo.wait_for_element("#trends-card-csat .js-plotly-plot", timeout=30)
    assert "Страна" in dash_duo.find_element("#trends-dimension").text
    until(lambda: dash_duo.driver.execute_script(
        "return document.querySelectorAll('#trends .js-plotly-plot').length") >= 5, timeout=30)
    xs = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#trends-charts .js-plotly-plot, #trends-competence .js-plotly-plot'))"
        ".flatMap(g => g.data.map(t => t.x))")
    assert len(xs) >= 5
    for x in xs:
        assert _time_order(x) == sorted(_time_order(x))
    assert severe_logs(dash_duo) == []
