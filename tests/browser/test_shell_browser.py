"""Headless Chromium: each demo role logs in and sees its landing page, with no browser console errors."""
from __future__ import annotations


import pytest
from dash.testing.wait import until

from auth.users import DEMO_NAMES
from tests.integration.callback_harness import app_engine, make_app, seed_minimal_data
from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs

pytestmark = BROWSER_MARKS


@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path)
    seed_minimal_data(app_engine(app))
    return app


# login -> text of its landing page (one browser session for all four roles keeps the suite fast)
LANDINGS = {
    "partner": "Альфа Веб",
    "manager": "ООО Ромашка (C00001)",
    "management": "Программа:",  # the programme overview (issue 15)
    "admin": "Свежесть данных",
}


def test_each_demo_role_logs_in_and_sees_its_landing(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    for login_name, landing_text in LANDINGS.items():
        browser_login(dash_duo, login_name)
        dash_duo.wait_for_contains_text("#home", landing_text, timeout=10)
        dash_duo.wait_for_contains_text("#shell-menu", "Главная")
        assert dash_duo.find_element("#shell-brand").text == "Монитор качества партнёров"
        assert dash_duo.find_element("#shell-user").text == DEMO_NAMES[login_name]
        assert severe_logs(dash_duo) == [], login_name
        dash_duo.find_element("#shell-logout").click()
        dash_duo.wait_for_element("#login-form")


def test_anonymous_visitor_is_sent_to_the_login_form(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/trends")
    dash_duo.wait_for_element("#login-form")
    assert dash_duo.driver.current_url.endswith("/login?next=/trends")
    assert severe_logs(dash_duo) == []


def test_language_switch_and_logout(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, "management")
    dash_duo.wait_for_element("#home")
    dash_duo.find_element("#shell-lang-en").click()
    dash_duo.wait_for_contains_text("#home", "Programme:", timeout=10)
    assert dash_duo.find_element("#shell-brand").text == "Partner Quality Monitor"
    dash_duo.find_element("#shell-logout").click()
    dash_duo.wait_for_element("#login-message")
    assert "logged out" in dash_duo.find_element("#login-message").text
    assert severe_logs(dash_duo) == []


def test_the_navbar_folds_behind_the_toggler_on_a_phone(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, "partner")
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.driver.get(dash_duo.server.url + "/")
    dash_duo.wait_for_element("#shell-toggler")
    navbar = dash_duo.find_element("#shell-navbar")
    assert navbar.size["height"] < 80 and not dash_duo.find_element("#shell-logout").is_displayed()
    dash_duo.find_element("#shell-toggler").click()
    dash_duo.wait_for_contains_text("#shell-menu", "Моё качество", timeout=10)
    until(lambda: dash_duo.find_element("#shell-logout").is_displayed(), timeout=5)  # after the unfolding
    assert severe_logs(dash_duo) == []
