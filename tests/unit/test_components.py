"""Shared Dash pieces: KPI card, empty state, graph locale, data grid, i18n."""
from __future__ import annotations

import pandas as pd

from components.cards import kpi_card
from components.cards import empty_state
from components.charts import graph
from components.grid import column_defs, data_grid, grid_id
from components.i18n import register_strings, t


def texts(component) -> list[str]:
    """Every string inside a component tree."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif hasattr(node, "children"):
            walk(node.children)

    walk(component)
    return found


def test_kpi_card_shows_value_interval_and_answer_count():
    card = kpi_card("NPS", 42.4, interval=(30.0, 55.55), n=120, decimals=0)
    assert texts(card) == ["NPS", "42", "95 % интервал: 30 … 56", "120 ответов"]
    assert "kpi-too-few" not in card.className


def test_kpi_card_with_fewer_than_five_answers_is_greyed_without_interval():
    card = kpi_card("CSAT", 100.0, unit="%", interval=(20.0, 100.0), n=3)
    assert texts(card) == ["CSAT", "100 %", "мало ответов (n = 3)"]
    assert "kpi-too-few" in card.className


def test_empty_state_without_login_has_no_upload_link():
    state = empty_state()
    assert texts(state) == ["Данных пока нет", "Загрузите файлы, чтобы увидеть здесь данные."]


def test_graph_uses_the_russian_locale_and_separators():
    figure = graph("trends-nps", {"data": [{"type": "bar", "x": ["a"], "y": [1234.5]}]})
    assert figure.config["locale"] == "ru" and figure.config["displaylogo"] is False
    assert figure.figure["layout"]["separators"] == ", "


def test_column_defs_filter_by_type_and_translate_known_headers():
    frame = pd.DataFrame({"client_id": ["C1"], "users": [5], "created": pd.to_datetime(["2024-01-01"])})
    defs = {d["field"]: d for d in column_defs(frame)}
    assert defs["client_id"]["headerName"] == "Клиент" and defs["client_id"]["filter"] == "agTextColumnFilter"
    assert defs["users"]["filter"] == "agNumberColumnFilter"
    assert defs["created"]["filter"] == "agDateColumnFilter"


def test_data_grid_paginates_sorts_filters_and_exports_csv():
    grid = data_grid("home-counts", pd.DataFrame({"kind": ["a", "b"], "rows": [1, 2]}), page_size=10)
    button, ag = grid.children[0].children, grid.children[1]
    assert ag.id == grid_id("home-counts") and button.id == {"type": "data-grid-csv", "name": "home-counts"}
    assert ag.dashGridOptions["pagination"] is True and ag.dashGridOptions["paginationPageSize"] == 10
    assert ag.defaultColDef["sortable"] and ag.defaultColDef["filter"]
    assert ag.csvExportParams["fileName"] == "home-counts.csv"
    assert ag.rowData == [{"kind": "a", "rows": 1}, {"kind": "b", "rows": 2}]


def test_t_formats_and_falls_back_to_the_key():
    register_strings({"test.hello": {"ru": "Привет, {name}", "en": "Hello, {name}"}})
    assert t("test.hello", name="Оля") == "Привет, Оля"
    assert t("test.hello", "en", name="Olga") == "Hello, Olga"
    assert t("test.no-such-key") == "test.no-such-key"
