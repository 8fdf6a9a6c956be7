"""Chromium options and server ports for dash_duo: several test processes may share the machine.

dash's Browser hard-codes ``--remote-debugging-port=9222``; two headless Chromiums on one port
kill each other's sessions ("browser has closed the connection"). Without the switch chromedriver
lets Chromium pick a free port itself. Likewise dash's test server counts ports up from 58050 in every
process, so two pytest-xdist workers would start their apps on the same port: each test starts from a
port the operating system has just found free instead.
"""
from __future__ import annotations

import socket

import pytest
from dash.testing.application_runners import BaseDashRunner
from selenium.webdriver.chrome.options import Options

FIXED_DEBUG_PORT = "--remote-debugging-port=9222"


class _ChromeOptions(Options):
    def add_argument(self, argument: str) -> None:
        if argument != FIXED_DEBUG_PORT:
            super().add_argument(argument)


def pytest_setup_options():
    return _ChromeOptions()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _dash_server_port(monkeypatch) -> None:
    monkeypatch.setattr(BaseDashRunner, "_next_port", free_port())
