"""Headless Chromium screenshots of every page each demo role can open (`make screenshots`).

Serves the app on a free local port over a demo SQLite database (created once under
instance/screenshots.db), logs in as each demo login and saves `screenshots/<role>-<page>.png`.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[1]
PAGES = {  # role -> paths it may open (components/nav.py)
    "partner": ["/", "/quality", "/my/programmes", "/notifications", "/directory"],
    "manager": ["/", "/meeting"],
    "management": ["/", "/trends", "/meeting", "/programs/quality", "/programs/kkv", "/programs/saas",
                   "/programs/support", "/directory"],
    "admin": ["/", "/admin/upload", "/admin/users", "/admin/settings", "/admin/jobs", "/admin/outbox", "/programs/quality"],
    None: ["/login", "/directory"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser(width: int = 1440, height: int = 1000) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_until_loaded(driver: webdriver.Chrome, seconds: float = 20) -> None:
    """Wait for Dash to finish its callbacks (no loading spinners, title not 'Updating')."""
    deadline = time.time() + seconds
    time.sleep(1.0)
    while time.time() < deadline:
        busy = driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=\"true\"], ._dash-loading').length")
        if not busy:
            break
        time.sleep(0.3)
    time.sleep(1.0)


def log_in(driver: webdriver.Chrome, base: str, login: str) -> None:
    driver.get(base + "/login")
    driver.find_element(By.ID, "login-login").send_keys(login)
    driver.find_element(By.ID, "login-password").send_keys("demo")
    driver.find_element(By.ID, "login-submit").click()
    time.sleep(1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--lang", choices=("ru", "en"), default="ru")
    parser.add_argument("--width", type=int, default=1440, help="window width in px (390: a phone)")
    parser.add_argument("--role", action="append", help="only these demo logins (repeatable)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{ROOT / 'instance' / 'screenshots.db'}",
           "QUALITY_MODE": "demo", "HOST": "127.0.0.1", "PORT": str(port)}
    server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(port, server)
        for login, paths in PAGES.items():
            if args.role and (login or "anonymous") not in args.role:
                continue
            driver = browser(args.width)
            try:
                if login:
                    log_in(driver, base, login)
                driver.get(f"{base}/lang/{args.lang}?next=/")
                for path in paths:
                    driver.get(base + path)
                    wait_until_loaded(driver)
                    height = driver.execute_script("return document.body.scrollHeight")
                    driver.set_window_size(args.width, min(max(height, 900), 4000))
                    suffix = "" if args.width == 1440 else f"-{args.width}"
                    suffix += "" if args.lang == "ru" else f"-{args.lang}"
                    name = f"{login or 'anonymous'}-{path.strip('/').replace('/', '_') or 'home'}{suffix}.png"
                    driver.save_screenshot(str(args.out / name))
                    print(args.out / name)
            finally:
                driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


def _wait_for_server(port: int, server: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("the app exited before serving")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit("the app did not start in time")


if __name__ == "__main__":
    sys.exit(main())
