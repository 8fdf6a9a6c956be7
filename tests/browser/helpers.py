"""What every browser test shares: its marks (skipped with the reason when Chromium is missing) and log-in."""
from __future__ import annotations

import shutil

import pytest

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not (shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("google-chrome"))),
                       reason="chromium and chromedriver are needed (make browser installs them)"),
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
