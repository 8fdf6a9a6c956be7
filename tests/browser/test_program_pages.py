"""Headless Chromium: the public directory without log-in, and the programme pages of management and admin."""
from __future__ import annotations

import time

import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs
from tests.integration.callback_harness import make_app
from tests.integration.partner_db import demo_copy

pytestmark = BROWSER_MARKS
QUALITY_WORDS = ("NPS", "CSAT", "удовлетвор", "Удовлетвор", "анкет", "Анкет")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programs-browser")
    demo_copy(tmp_path_factory, folder / "quality.db")  # the demo loaded once per worker
    return make_app(folder)


def _screenshot(dash_duo, name: str) -> None:
    folder = os.environ.get("QUALITY_SCREENSHOTS")
    if folder:
        dash_duo.driver.set_window_size(1400, 3000)
        dash_duo.driver.save_screenshot(os.path.join(folder, name))


def wait_text(dash_duo, selector: str, text: str, timeout: float = 20) -> None:
    """Wait until the element shows `text`, ignoring case (KPI titles are upper-cased by CSS)."""
    WebDriverWait(dash_duo.driver, timeout).until(
        lambda driver: any(text.lower() in e.text.lower()
                           for e in driver.find_elements(By.CSS_SELECTOR, selector)),
        message=f"{text!r} not shown in {selector}")


def test_anonymous_visitor_filters_the_directory_and_sees_badges_only(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.driver.get(dash_duo.server.url + "/directory")
    wait_text(dash_duo, "#directory-count", "Найдено партнёров", timeout=30)
    dash_duo.wait_for_element("#directory-grid .ag-row", timeout=10)
    all_partners = dash_duo.find_element("#directory-count").text
    dash_duo.find_element("#directory-quality input").click()
    dash_duo.wait_for_contains_text("#directory-grid", "Программа качества", timeout=10)
    dash_duo.wait_for_text_to_equal("#directory-count", dash_duo.find_element("#directory-count").text)
    assert dash_duo.find_element("#directory-count").text != all_partners
    # read in one script: the grid may redraw its rows between finding a cell and reading it
    read_badges = ("return Array.from(document.querySelectorAll(\"#directory-grid .ag-row [col-id='badges']\"))"
                   ".map(e => e.innerText)")
    deadline = time.monotonic() + 15  # the filtered rows replace the old ones after the count changed
    badges = dash_duo.driver.execute_script(read_badges)
    while not (badges and all("Программа качества" in b for b in badges)) and time.monotonic() < deadline:
        time.sleep(0.3)
        badges = dash_duo.driver.execute_script(read_badges)
    assert badges and all("Программа качества" in b for b in badges), badges
    dash_duo.wait_for_element("#directory-kkv-grid .ag-row", timeout=10)
    text = dash_duo.find_element("#directory").text
    assert not any(word in text for word in QUALITY_WORDS)
    assert dash_duo.find_elements("#shell-login")  # still anonymous
    _screenshot(dash_duo, "directory-anonymous.png")
    assert severe_logs(dash_duo) == []


def test_management_reviews_quality_program_and_kkv(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1000)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/programs/quality")
    wait_text(dash_duo, "#pq-kpi-held", "Держат компетенцию")
    dash_duo.wait_for_contains_text("#pq-window", "Окно ключей")
    dash_duo.wait_for_element("#programs-quality .ag-row", timeout=10)
    assert not dash_duo.find_elements("#pq-run")  # the evaluation button is admin's
    wait_text(dash_duo, "#pq-points", "Действующие баллы")
    _screenshot(dash_duo, "programs-quality.png")

    dash_duo.driver.get(dash_duo.server.url + "/programs/kkv")
    wait_text(dash_duo, "#pk-kpi-overdue", "Просроченные отчёты")
    dash_duo.wait_for_element("#pk-points-chart .main-svg", timeout=10)
    _screenshot(dash_duo, "programs-kkv.png")
    assert severe_logs(dash_duo) == []


def test_admin_changes_a_lead_weight_and_checks_the_speed_claim(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1000)
    browser_login(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server.url + "/programs/saas")
    dash_duo.wait_for_element("#programs-saas .ag-row", timeout=20)
    dash_duo.find_element("#ps-weight-partner").click()  # Dash 4's dropdown: search field inside the opened menu
    partner = dash_duo.wait_for_element(".dash-dropdown-search", timeout=10)
    partner.send_keys("(P0")
    dash_duo.wait_for_element(".dash-dropdown-options .dash-dropdown-option", timeout=10).click()
    weight = dash_duo.find_element("#ps-weight")
    weight.send_keys(Keys.BACKSPACE, "2")
    dash_duo.find_element("#ps-save").click()
    dash_duo.wait_for_contains_text("#ps-saved", "сохранён", timeout=10)
    wait_text(dash_duo, "#ps-body", "Распределение лидов")  # the body reloaded after the save
    _screenshot(dash_duo, "programs-saas.png")

    dash_duo.driver.get(dash_duo.server.url + "/programs/support")
    dash_duo.wait_for_contains_text("#pu-claim", "60–70 %", timeout=20)
    dash_duo.wait_for_element("#pu-speed-chart .main-svg", timeout=10)
    _screenshot(dash_duo, "programs-support.png")
    assert severe_logs(dash_duo) == []
