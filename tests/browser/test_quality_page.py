"""Headless Chromium: the demo partner opens «Моё качество» and sees its KPI cards; management picks a partner."""
from __future__ import annotations

import os
import socket

import pytest
from dash.testing.wait import until

from demo import generate
from demo.generator import DEMO_PARTNER_ID
from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs
from tests.integration.callback_harness import app_engine, make_app
from tests.integration.partner_db import load_demo, page_subset

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("quality-browser"))
    load_demo(app_engine(app), page_subset(generate("small", seed=42), DEMO_PARTNER_ID))
    return app


def _start(dash_duo, app) -> None:
    """Serve on a free port: dash_duo's default port 58050 may be taken by another test process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dash_duo.start_server(app, navigate=False, port=port)


def _screenshot(dash_duo, name: str) -> None:
    folder = os.environ.get("QUALITY_SCREENSHOTS")
    if folder:
        dash_duo.driver.set_window_size(1400, 3000)
        dash_duo.driver.save_screenshot(os.path.join(folder, name))


def _wait_text(dash_duo, selector: str, *parts: str, timeout: float = 30) -> None:
    """Wait until the element's text (upper-cased: card titles are shown upper-case) holds every part."""
    def shown() -> bool:
        try:
            text = dash_duo.find_element(selector).text.upper()
        except Exception:  # noqa: BLE001 - the element is being replaced; try again
            return False
        return all(part in text for part in parts)

    until(shown, timeout, msg=f"{selector} never showed {parts}")


def test_partner_sees_its_kpi_cards_with_intervals_and_switches_the_window(dash_duo, app):
    _start(dash_duo, app)
    browser_login(dash_duo, "partner")
    dash_duo.driver.get(dash_duo.server.url + "/quality")
    dash_duo.wait_for_contains_text("#quality-kpi-csat", "CSAT", timeout=90)  # titles are shown upper-case
    # read through waits: the body may re-render once while the page settles
    _wait_text(dash_duo, "#quality-kpi-csat", "УДОВЛЕТВОРЁННОСТЬ", "%")
    _wait_text(dash_duo, "#quality-kpi-nps-partner", "РЕКОМЕНДУЮТ ВАС", "95 % ИНТЕРВАЛ", "НОВОСИБИРСК")
    _wait_text(dash_duo, "#quality-partner-name", "1С-ИНТЕГРАТОР «ЦИФРА»")
    assert not dash_duo.find_element("#quality-partner").is_displayed()  # no list of other partners
    dash_duo.wait_for_element("#quality-distribution .main-svg", timeout=10)
    dash_duo.wait_for_element("#quality-tickets .ag-row", timeout=10)
    _screenshot(dash_duo, "quality-partner.png")

    dash_duo.find_element("label[for='_dbcprivate_radioitems_quality-window_input_quarter']").click()
    dash_duo.wait_for_contains_text("#quality-body", "Период: III кв. 2026 (", timeout=90)
    assert severe_logs(dash_duo) == []


def test_management_picks_a_partner_in_the_dropdown(dash_duo, app):
    _start(dash_duo, app)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/quality?partner=P0002")
    dash_duo.wait_for_contains_text("#quality-partner-name", "Лаборатория «Гамма»", timeout=90)
    dash_duo.wait_for_element("#quality-kpi-csat")
    _screenshot(dash_duo, "quality-management.png")


def test_partner_and_window_survive_a_reload(dash_duo, app):
    _start(dash_duo, app)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/quality?partner=P0002")
    dash_duo.wait_for_contains_text("#quality-partner-name", "Лаборатория «Гамма»", timeout=90)
    dash_duo.find_element("#quality-window label[for$='1'], #quality-window input[value='quarter'] + label").click()
    until(lambda: "window=quarter" in dash_duo.driver.current_url and "partner=P0002" in dash_duo.driver.current_url,
          timeout=15)
    dash_duo.driver.get(dash_duo.driver.current_url)  # reload the shared link
    dash_duo.wait_for_contains_text("#quality-partner-name", "Лаборатория «Гамма»", timeout=90)
    assert dash_duo.find_element("#quality-window input[value='quarter']").is_selected()
    assert severe_logs(dash_duo) == []
