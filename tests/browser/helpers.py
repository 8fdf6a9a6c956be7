"""What every browser test shares: its marks (Chromium missing: a failure inside make test, else a skip with
the reason; tests/services.py) and log-in."""
from __future__ import annotations

import time

import pytest
from selenium.common.exceptions import ElementClickInterceptedException

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.usefixtures("_chromium"),
]


def browser_login(dash_duo, login_name: str, password: str = "demo") -> None:
    """Log in through the real form (in a desktop-wide window: the navbar folds below 992 px) and wait for
    the Dash app to mount."""
    dash_duo.driver.set_window_size(1440, 900)
    dash_duo.driver.get(dash_duo.server.url + "/login")
    dash_duo.wait_for_element("#login-login").send_keys(login_name)
    dash_duo.find_element("#login-password").send_keys(password)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#react-entry-point", timeout=10)


def severe_logs(dash_duo) -> list:
    """Browser console entries of level SEVERE (errors)."""
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


def click_centered(dash_duo, selector: str, attempts: int = 5) -> None:
    """Scroll the element to the middle of the window and click it, again while the page above it is still
    growing (sections that render in parts); instant: Bootstrap scrolls smoothly."""
    for attempt in range(attempts):
        element = dash_duo.find_element(selector)
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
