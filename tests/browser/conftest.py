"""Chromium options for dash_duo: several test runs may share the machine.

dash's Browser hard-codes ``--remote-debugging-port=9222``; two headless Chromiums on one port
kill each other's sessions ("browser has closed the connection"). Without the switch chromedriver
lets Chromium pick a free port itself.
"""
from __future__ import annotations

from selenium.webdriver.chrome.options import Options

FIXED_DEBUG_PORT = "--remote-debugging-port=9222"


class _ChromeOptions(Options):
    def add_argument(self, argument: str) -> None:
        if argument != FIXED_DEBUG_PORT:
            super().add_argument(argument)


def pytest_setup_options():
    return _ChromeOptions()
