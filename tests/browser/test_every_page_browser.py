"""Headless Chromium walks every page of every role over the small demo, at 1440 px and 390 px, in Russian
(and a few in English), one browser session per role: no console error, no blank page, no sideways scroll, its
own tab title, no Latin code in the Russian interface, «Нет доступа» on pages not meant for the role.
"""
from __future__ import annotations

import re
import shutil
import time

import pytest

from app import create_app
from config import Config
from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs
from tests.integration.demo_backends import demo_sqlite_file

pytestmark = BROWSER_MARKS
XDIST_SPREAD = True  # one role per test: pytest-xdist may walk two roles at once (tests/conftest.py)

# login -> (pages it may open, pages it may not)
WALK = {
    "partner": (["/", "/quality", "/directory"], ["/trends", "/meeting", "/admin/upload"]),
    "manager": (["/", "/meeting"], ["/quality", "/programs/quality"]),
    "management": (["/", "/trends", "/meeting", "/quality", "/programs/quality", "/programs/kkv",
                    "/programs/saas", "/programs/support", "/directory"], ["/admin/users"]),
    "admin": (["/", "/admin/upload", "/admin/users", "/admin/settings"], []),
}
NARROW_PAGES = {"/", "/quality", "/meeting", "/trends", "/programs/quality", "/admin/upload"}
ENGLISH_PAGES = ["/", "/trends", "/meeting", "/programs/support"]
# words a Russian reader meets as they are: product and file-format names, acronyms of the domain
LATIN_ALLOWED = {
    "CSAT", "NPS", "SLA", "CSV", "XLSX", "PDF", "RU", "EN", "ID", "IT", "ITS", "ITSaaS", "SaaS", "cfresh", "TOP",
    "Bitrix", "UTF", "BOM", "KZ", "UA", "BY", "CRM", "JSON", "IP", "Windows", "Excel",
    "admin", "management", "manager", "partner",  # the demo users' logins: data the admin typed, not codes
    # the production-calendar file format the admin must write (admin/settings help): column and value names
    "XML", "date", "kind", "holiday", "holidays", "workday", "short",
}
# a word of two or more Latin letters, not part of an address, a path, a file name or an e-mail
LATIN_WORD = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z_]{1,}(?![\w@/]|\.\w)")
ROMAN_QUARTER = re.compile(r"^(I|II|III|IV)$")
# the page's content: a page of the main app renders into _pages_content; the public directory is its own app
# (issue 18) without it
CONTENT_JS = ("(document.getElementById('_pages_content') || "
              "document.querySelector('.shell-navbar ~ .container-fluid') || {innerText: ''})")


@pytest.fixture()
def demo_app(tmp_path_factory, tmp_path):
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_sqlite_file(tmp_path_factory), path)
    return create_app(Config(database_url=f"sqlite:///{path}", testing=True, secret_key="walk"))


def _settle(dash_duo, seconds: float = 20) -> None:
    """Wait until Dash has drawn the page: content present and no callback running, three polls in a row
    (a chained callback starts within milliseconds of the one before; 0.4 s of quiet is the page at rest).
    The content is the one `_visit` checks: on the directory, which has no _pages_content, the wait once
    never saw content and ran out its 20 s on every visit."""
    deadline = time.time() + seconds
    quiet = 0
    time.sleep(0.2)
    while time.time() < deadline and quiet < 3:
        busy = dash_duo.driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length"
            f" + ({CONTENT_JS}.innerText.trim() ? 0 : 1)")
        quiet = 0 if busy else quiet + 1
        time.sleep(0.2)


def _latin_words(text: str) -> set[str]:
    words = {w for w in LATIN_WORD.findall(text) if not ROMAN_QUARTER.match(w)}
    return {w for w in words if w not in LATIN_ALLOWED}


def _visit(dash_duo, path: str, width: int, lang: str) -> list[str]:
    """Open `path`, return the problems found."""
    driver = dash_duo.driver
    driver.set_window_size(width, 900)
    driver.get(dash_duo.server.url + path)
    _settle(dash_duo)
    where = f"{path} @{width} {lang}"
    problems = [f"{where}: console {entry['message'][-160:]}" for entry in severe_logs(dash_duo)]
    content = driver.execute_script(f"return {CONTENT_JS}.innerText")
    if not content.strip():
        problems.append(f"{where}: blank page")
    # clientWidth, not innerWidth: the latter counts a vertical scrollbar and hid a 4 px sideways scroll
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 1:
        problems.append(f"{where}: scrolls sideways by {overflow} px")
    title = driver.title
    if title in ("", "Dash") or title == "Монитор качества партнёров" and path != "/":
        problems.append(f"{where}: tab title {title!r}")
    if lang == "ru":
        body = driver.execute_script("return document.body.innerText")
        latin = _latin_words(body)
        if latin:
            problems.append(f"{where}: Latin words {sorted(latin)}")
    else:
        if re.search("[а-яА-Я]", title):
            problems.append(f"{where}: Russian tab title {title!r}")
        body = driver.execute_script("return document.body.innerText")
        russian_number = re.search(r"\d,\d{1,2}(?!\d)|\d \d{3}(?!\d)", body)
        if russian_number:
            problems.append(f"{where}: Russian number format {russian_number.group(0)!r}")
    return problems


@pytest.mark.parametrize("login", list(WALK))
def test_every_page_of_every_role_reads_well_at_desktop_and_phone_width(dash_duo, demo_app, login):
    allowed, forbidden = WALK[login]
    dash_duo.start_server(demo_app, navigate=False)
    browser_login(dash_duo, login)
    problems: list[str] = []
    for path in allowed:
        for width in (1440, 390) if path in NARROW_PAGES else (1440,):
            problems += [f"{login} {p}" for p in _visit(dash_duo, path, width, "ru")]
    if login == "admin":
        dash_duo.driver.set_window_size(1440, 900)
        dash_duo.driver.get(dash_duo.server.url + "/")
        _settle(dash_duo)
        navbar = dash_duo.driver.execute_script("return document.getElementById('shell-navbar').offsetHeight")
        if navbar > 70:
            problems.append(f"admin navbar at 1440 px is {navbar} px tall (two lines)")
    for path in forbidden:
        problems += [f"{login} {p}" for p in _visit(dash_duo, path, 1440, "ru")]
        if "Нет доступа" not in dash_duo.driver.execute_script("return document.body.innerText"):
            problems.append(f"{login} {path}: no «Нет доступа»")
    dash_duo.driver.get(dash_duo.server.url + "/no/such/page")
    _settle(dash_duo)
    if "Страница не найдена" not in dash_duo.driver.execute_script("return document.body.innerText"):
        problems.append(f"{login}: unknown address without «Страница не найдена»")
    # log-out is a POST with the CSRF token (issue 18); the button may be folded at phone width
    dash_duo.driver.execute_script("document.getElementById('shell-logout-form').submit()")
    dash_duo.wait_for_element("#login-form")
    assert problems == [], "\n".join(problems)


def test_management_pages_in_english_read_as_english(dash_duo, demo_app):
    """The English switch: English tab titles and number formats on the pages management opens most."""
    dash_duo.start_server(demo_app, navigate=False)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/lang/en?next=/")
    problems = [f"management {p}" for path in ENGLISH_PAGES for p in _visit(dash_duo, path, 1440, "en")]
    assert problems == [], "\n".join(problems)
