"""Headless Chromium: the programmes' decisions (SPEC §12) as their users click them.

Management excludes a partner from the quarter's TOP-10 and fixes the list (seed 002); a partner asks to
renew its KKV level and the admin approves it (seed 001); an anonymous client builds an RFP shortlist of
Quality Program participants in the public directory and shares it (seed 000).

Data (QUALITY_NOW = 30.11.2026 12:00 MSK): the directory's partners of `test_program_queries.frames`
(A, C network competence centres) plus E (a centre) and the demo partner P0001 (KZ, KKV extended valid to
31.01.2027, so a renewal request is on time); 1cfresh contracts of 2026Q3: A 3, B 1, C 2, E 1; Quality
Program in November 2026: B, C, E (A dropped out).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import time
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import requests
from dash.testing.wait import until
from sqlalchemy import insert

from store.models import CompetenceHistoryRow
from tests.browser.helpers import BROWSER_MARKS, browser_login, click_centered, severe_logs
from tests.integration.callback_harness import app_engine, make_app
from tests.integration.partner_db import insert_frames
from tests.integration.test_program_queries import frames as directory_frames
from tests.integration.test_program_queries import store_decisions

pytestmark = BROWSER_MARKS
NOW = "2026-11-30T12:00:00+03:00"


def _frames() -> dict[str, pd.DataFrame]:
    data = directory_frames()
    extra = pd.DataFrame({
        "partner_id": ["E", "P0001"], "name": ["Эпсилон", "Зета Казахстан"], "city": ["Москва", "Алматы"],
        "region": ["ЦФО", "Алматы"], "country": ["RU", "KZ"], "network_competence_center": [True, False],
        "kkv_level": ["none", "extended"], "kkv_valid_until": [None, dt.date(2027, 1, 31)],
    })
    data["partners"] = pd.concat([data["partners"], extra], ignore_index=True)
    owners = ["A", "A", "A", "B", "C", "C", "E"]
    data["saas_contracts"] = pd.DataFrame({
        "contract_id": [f"S{i}" for i in range(len(owners))], "partner_id": owners,
        "started_at": [pd.Timestamp("2026-08-01", tz="UTC")] * len(owners), "promo": ["none"] * len(owners)})
    return data


@pytest.fixture()
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", NOW)
    app = make_app(tmp_path)
    engine = app_engine(app)
    insert_frames(engine, _frames())
    store_decisions(engine)  # A held in October, B in November
    with engine.begin() as conn:
        conn.execute(insert(CompetenceHistoryRow), [
            {"partner_id": p, "month": dt.date(2026, 11, 1), "keys": 2, "covered": 1, "share": 0.5, "held": True,
             "status": "kept", "window_start": dt.date(2025, 1, 1), "window_end": dt.date(2025, 2, 1)}
            for p in ("C", "E")])
    return app




def _start(dash_duo, app) -> None:
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(1400, 1200)


def _switch_user(dash_duo, login: str) -> None:
    dash_duo.driver.delete_all_cookies()
    browser_login(dash_duo, login)


def _grid(name: str) -> str:
    """CSS selector of a `program_table` grid (its id is a pattern id holding `name`)."""
    return f"""[id*='"name":"{name}"'][id*='"type":"data-grid"']"""


def _grid_ids(dash_duo, grid: str) -> set[str]:
    """Row ids shown in an AG Grid, read in one script call.

    Reading them element by element raced the grid's re-render after a filter (CI saw a stale
    element mid-loop); one `querySelectorAll` in the page sees either the old rows or the new ones.
    """
    ids = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(r => r.getAttribute('row-id'));",
        f"#{grid} .ag-center-cols-container .ag-row",
    )
    return set(ids or [])


def test_management_excludes_a_partner_fixes_the_top10_and_cannot_change_it_afterwards(dash_duo, app):
    _start(dash_duo, app)
    browser_login(dash_duo, "management")
    dash_duo.driver.get(dash_duo.server.url + "/programs/saas")
    dash_duo.wait_for_contains_text("#ps-approval", "ещё не утверждён", timeout=30)
    dash_duo.wait_for_contains_text(_grid("ps-published"), "Альфа", timeout=20)  # A leads 2026Q3 with 3 contracts

    dash_duo.select_dcc_dropdown("#ps-exclude-partner", value="Альфа (A)")
    dash_duo.select_dcc_dropdown("#ps-exclude-reason", value="регулярные жалобы клиентов")
    dash_duo.find_element("#ps-exclude-comment").send_keys("жалобы в сентябре")
    click_centered(dash_duo, "#ps-exclude")
    dash_duo.wait_for_contains_text("#ps-decided", "исключён из ТОП-10 за 2026Q3", timeout=20)
    dash_duo.wait_for_contains_text(_grid("ps-exclusions"), "регулярные жалобы клиентов", timeout=20)
    assert "жалобы в сентябре" in dash_duo.find_element(_grid("ps-exclusions")).text
    published = dash_duo.find_element(_grid("ps-published")).text
    assert "Альфа" not in published and "Вега" in published and "Эпсилон" in published

    click_centered(dash_duo, "#ps-approve")
    dash_duo.wait_for_contains_text("#ps-decided", "ТОП-10 за 2026Q3 утверждён", timeout=20)
    dash_duo.wait_for_contains_text("#ps-approval", "утверждены: management, 30.11.2026 09:00 UTC", timeout=20)

    dash_duo.select_dcc_dropdown("#ps-exclude-partner", value="Вега (C)")
    click_centered(dash_duo, "#ps-exclude")
    dash_duo.wait_for_contains_text("#ps-decision-refused", "уже утверждён (management, 30.11.2026 09:00)",
                                    timeout=20)
    time.sleep(1)  # the body would refresh after a write; nothing was written
    assert "Вега" in dash_duo.find_element(_grid("ps-published")).text
    assert "Вега" not in dash_duo.find_element(_grid("ps-exclusions")).text
    assert severe_logs(dash_duo) == []


def test_partner_requests_a_kkv_renewal_and_the_admin_approves_it(dash_duo, app):
    _start(dash_duo, app)
    browser_login(dash_duo, "partner")
    dash_duo.driver.get(dash_duo.server.url + "/my/programmes")
    dash_duo.wait_for_contains_text("#partner-programmes-kkv-state", "действует до 31.01.2027", timeout=30)
    click_centered(dash_duo, "#partner-programmes-request")
    dash_duo.wait_for_contains_text("#partner-programmes-done", "Заявка подана", timeout=20)
    dash_duo.wait_for_contains_text(_grid("partner-programmes-renewals"), "на рассмотрении", timeout=20)

    _switch_user(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server.url + "/programs/kkv")
    dash_duo.wait_for_contains_text(_grid("pk-requests-grid"), "на рассмотрении", timeout=30)
    dash_duo.select_dcc_dropdown("#pk-review-pick", index=0)
    dash_duo.find_element("#pk-review-comment").send_keys("Отчёты в порядке")
    click_centered(dash_duo, "#pk-approve")
    dash_duo.wait_for_contains_text("#pk-reviewed", "Продление одобрено", timeout=20)
    dash_duo.wait_for_contains_text(_grid("pk-requests-grid"), "одобрена", timeout=20)
    assert "Отчёты в порядке" in dash_duo.find_element(_grid("pk-requests-grid")).text

    _switch_user(dash_duo, "partner")
    dash_duo.driver.get(dash_duo.server.url + "/my/programmes")
    dash_duo.wait_for_contains_text("#partner-programmes-kkv-state", "действует до 31.01.2028", timeout=30)
    renewals = dash_duo.find_element(_grid("partner-programmes-renewals")).text
    assert "одобрена" in renewals and "Отчёты в порядке" in renewals
    assert "продление одобрено" in dash_duo.find_element(_grid("partner-programmes-changes")).text
    assert severe_logs(dash_duo) == []


def test_client_builds_a_quality_program_shortlist_and_shares_it(dash_duo, app):
    _start(dash_duo, app)
    dash_duo.driver.get(dash_duo.server.url + "/directory")
    dash_duo.wait_for_text_to_equal("#directory-count", "Найдено партнёров: 6", timeout=30)
    click_centered(dash_duo, "#directory-quality input")
    dash_duo.wait_for_text_to_equal("#directory-count", "Найдено партнёров: 3", timeout=20)
    until(lambda: _grid_ids(dash_duo, "directory-grid") == {"B", "C", "E"}, timeout=20)

    for partner in ("B", "E"):
        click_centered(dash_duo, f'#directory-grid .ag-center-cols-container [row-id="{partner}"] .ag-selection-checkbox input')
    dash_duo.wait_for_text_to_equal("#directory-shortlist-count", "В шорт-листе: 2", timeout=20)
    url = dash_duo.find_element("#directory-share-url").get_attribute("value")
    query = parse_qs(urlparse(url).query)
    assert query["competence"] == ["quality"] and sorted(query["ids"][0].split(",")) == ["B", "E"]
    csv_href = dash_duo.find_element("#directory-csv").get_attribute("href")

    dash_duo.driver.get(url)
    dash_duo.wait_for_text_to_equal("#directory-count", "Найдено партнёров: 2", timeout=30)
    until(lambda: _grid_ids(dash_duo, "directory-grid") == {"B", "E"}, timeout=20)
    grid = dash_duo.find_element("#directory-grid").text
    assert "Бета" in grid and "Эпсилон" in grid and "Вега" not in grid
    assert "Открыт шорт-лист по ссылке" in dash_duo.find_element("#directory-shortlist-shown").text

    answer = requests.get(csv_href, timeout=20)
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["Партнёр"] for r in rows] == ["Бета", "Эпсилон"]
    listed = requests.get(dash_duo.server.url + "/api/partners?" + urlparse(csv_href).query, timeout=20).json()
    assert sorted(p["id"] for p in listed["partners"]) == ["B", "E"]
    assert severe_logs(dash_duo) == []
