"""Headless Chromium: each role's home page answers «what needs my attention now» (issue 15).

The tiles must show exactly what the report functions behind the pages compute.
"""
from __future__ import annotations


import pytest
from dash.testing.wait import until

from components.format import fmt_number, fmt_percent
from demo.generator import (
    DEMO_MANAGER_CLIENT_IDS,
    DEMO_PARTNER_ID,
    DETERIORATING_CLIENT_ID,
)
from reports.meeting import attention_ranking, meeting_brief
from reports.partner import partner_report
from reports.trends import default_mover_quarter, metric_trend
from tests.browser.helpers import BROWSER_MARKS, browser_login, severe_logs
from tests.integration.callback_harness import app_engine, make_app
from tests.integration.partner_db import demo_copy

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("home-browser")
    demo_copy(tmp_path_factory, folder / "quality.db")  # the demo loaded once per worker
    return make_app(folder)


def _open_home(dash_duo, app, login: str) -> None:
    dash_duo.start_server(app, navigate=False)
    browser_login(dash_duo, login)
    dash_duo.driver.get(dash_duo.server.url + "/")
    dash_duo.wait_for_element("#home-greeting", timeout=60)


def _tile_value(dash_duo, tile: str) -> str:
    return dash_duo.find_element(f"#{tile} .home-tile-value").text.replace("\u00a0", " ")


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_partner_tiles_equal_the_partner_report_and_link_to_the_page(dash_duo, app):
    _open_home(dash_duo, app, "partner")
    with app_engine(app).connect() as conn:
        report = partner_report(conn, DEMO_PARTNER_ID, "quarter")
    assert _tile_value(dash_duo, "home-tile-csat") == _plain(fmt_percent(report["kpi"]["csat"]["csat"], 1))
    assert _tile_value(dash_duo, "home-tile-nps") == _plain(fmt_number(report["kpi"]["nps_partner"]["nps"], 1))
    assert _tile_value(dash_duo, "home-tile-sla") == _plain(fmt_percent(report["tickets_summary"]["compliance"], 1))
    assert dash_duo.find_element("#home-tile-csat").get_attribute("href").endswith("/quality")
    if report["competence"]["margin"] is not None and report["competence"]["margin"] <= 2:
        assert dash_duo.find_elements(".home-risk-competence_margin")
    assert severe_logs(dash_duo) == []


def test_manager_clients_are_ranked_by_attention_with_badges(dash_duo, app):
    _open_home(dash_duo, app, "manager")
    dash_duo.wait_for_element(".home-client", timeout=60)
    with app_engine(app).connect() as conn:
        ranking = attention_ranking(conn, sorted(DEMO_MANAGER_CLIENT_IDS),
                                    lambda states: {c: meeting_brief(conn, c)["findings"] for c in states})
        findings = meeting_brief(conn, DETERIORATING_CLIENT_ID)["findings"]
    items = dash_duo.find_elements(".home-client")
    shown = [item.get_attribute("href").rsplit("client=", 1)[1] for item in items]
    assert shown == [row["client_id"] for row in ranking]
    assert shown[0] == DETERIORATING_CLIENT_ID  # the seed-004 client needs attention most
    assert f"находок: {len(findings)}" in items[0].text and len(findings) >= 1
    # every badge reads at WCAG AA contrast (Flatly's `text-dark` is grey: 1.5:1 on its amber badge)
    contrasts = dash_duo.driver.execute_script(BADGE_CONTRASTS, ".home-client .badge")
    assert len(contrasts) >= len(items) and min(ratio for _, ratio in contrasts) >= 4.5, contrasts
    assert severe_logs(dash_duo) == []


BADGE_CONTRASTS = """
const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                   return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
return Array.from(document.querySelectorAll(arguments[0])).map(el => {
  const style = getComputedStyle(el), a = lum(style.color), b = lum(style.backgroundColor);
  return [el.textContent, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
});
"""


def test_management_tiles_equal_the_trend_report(dash_duo, app):
    _open_home(dash_duo, app, "management")
    with app_engine(app).connect() as conn:
        table = metric_trend(conn, "csat", "total", "quarter")
    values = dict(zip(table["period"].astype(str), table["value"]))
    quarter = default_mover_quarter(sorted(values))
    assert _tile_value(dash_duo, "home-tile-csat") == _plain(fmt_percent(values[quarter], 1))
    until(lambda: dash_duo.find_elements(".home-mover"), timeout=10)
    assert severe_logs(dash_duo) == []


def test_admin_sees_freshness_and_quarantine_per_kind(dash_duo, app):
    _open_home(dash_duo, app, "admin")
    rows = dash_duo.find_elements(".home-kind")
    assert len(rows) >= 10
    assert "Обращения" in dash_duo.find_element("#home-counts").text
    assert dash_duo.find_element("#home-quarantine").text.startswith("В карантине строк:")
