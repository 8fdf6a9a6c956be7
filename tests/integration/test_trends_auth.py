"""The /trends callbacks over HTTP: management gets identified data, other roles and crafted requests get nothing."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.integration.callback_harness import assert_clean, logged_in_client, make_app
from tests.integration.demo_backends import demo_sqlite_file

UPDATE = "/_dash-update-component"
GRAPH = {"type": "trends-graph", "chart": "sla"}
FILTERS = [{"id": "trends-country", "property": "value", "value": []},
           {"id": "trends-region", "property": "value", "value": []}]
DATES = [{"id": "trends-dates", "property": "start_date", "value": None},
         {"id": "trends-dates", "property": "end_date", "value": None}]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trends_app")
    shutil.copyfile(demo_sqlite_file(tmp_path_factory), folder / "quality.db")
    return make_app(folder)


def _text(response) -> str:
    data = response.get_json(silent=True)
    return json.dumps(data, ensure_ascii=False) if data is not None else response.get_data(as_text=True)


def _charts(client, dimension="region", grain="quarter", countries=None):
    body = {"output": "trends-charts.children", "outputs": {"id": "trends-charts", "property": "children"},
            "inputs": [{"id": "trends-dimension", "property": "value", "value": dimension},
                       {"id": "trends-grain", "property": "value", "value": grain},
                       {"id": "trends-country", "property": "value", "value": countries or []},
                       FILTERS[1], *DATES],
            "changedPropIds": ["trends-dimension.value"]}
    return client.post(UPDATE, json=body)


def _drill(client, click):
    gid = json.dumps(GRAPH, separators=(",", ":"), sort_keys=True)
    body = {"output": "trends-drill.children", "outputs": {"id": "trends-drill", "property": "children"},
            "inputs": [[{"id": GRAPH, "property": "clickData", "value": click}]],
            "state": [{"id": "trends-dimension", "property": "value", "value": "city"},
                      {"id": "trends-grain", "property": "value", "value": "quarter"}, *FILTERS,
                      {"id": "trends-mover-metric", "property": "value", "value": "csat"},
                      {"id": "trends-mover-quarter", "property": "value", "value": "2025Q2"}],
            "changedPropIds": [gid + ".clickData"]}
    return client.post(UPDATE, json=body)


def _click(period, group):
    return {"points": [{"x": period, "y": 80, "customdata": [group]}]}


def test_management_sees_regions_of_every_partner(app):
    response = _charts(logged_in_client(app, "management"))
    text = _text(response)
    assert response.status_code == 200
    assert "Сибирский ФО" in text and "Соблюдение SLA" in text


def test_benchmark_callback_answers_with_the_charts(app):
    import sys

    bench = next(m for name, m in sys.modules.items() if name.endswith("trends") and "pages" in name).BENCH_CALLBACK
    output_id, prop = bench["output"].rsplit(".", 1)
    body = {**bench, "outputs": {"id": output_id, "property": prop},
            "changedPropIds": [bench["inputs"][0]["id"] + "." + bench["inputs"][0]["property"]]}
    response = logged_in_client(app, "admin").post(UPDATE, json=body)
    assert response.status_code == 200 and "trends-graph" in _text(response)


def test_management_drills_into_the_tickets_of_a_city(app):
    text = _text(_drill(logged_in_client(app, "management"), _click("2024Q2", "Новосибирск")))
    assert "Новосибирск" in text and "trends-drill-title" in text and "Скачать CSV" in text


@pytest.mark.parametrize("login", ["partner", "manager"])
def test_other_roles_get_no_trend_or_drill_data(app, login):
    client = logged_in_client(app, login)
    for response in (_charts(client), _charts(client, "partner"), _drill(client, _click("2024Q2", "Новосибирск"))):
        text = _text(response)
        assert response.status_code in (200, 204, 403)  # 403: refused by the guard from the registry
        assert "forbidden" in text or response.status_code == 204
        assert "Сибирский ФО" not in text and "Новосибирск" not in text and "SLA" not in text


def test_anonymous_request_is_refused(app):
    response = _charts(app.server.test_client())
    assert response.status_code == 401


@pytest.mark.parametrize("dimension,countries", [
    ("'; DROP TABLE surveys; --", []), (["region"], []), ("region", "RU"), ("region", ["XX"]),
    ("region", [{"a": 1}]), (None, None),
])
def test_crafted_filter_values_get_a_plain_message(app, dimension, countries):
    response = _charts(logged_in_client(app, "management"), dimension, countries=countries)
    assert_clean(response)
    assert "не распознано" in _text(response)


@pytest.mark.parametrize("click", [
    None, {}, {"points": "x"}, {"points": [{"x": "2024Q9", "customdata": ["Омск"]}]},
    {"points": [{"x": "2024Q2", "customdata": [{"sql": 1}]}]},
    {"points": [{"x": "2024Q2", "customdata": ["' OR 1=1 --"]}]},
])
def test_crafted_click_data_answers_plainly(app, click):
    response = _drill(logged_in_client(app, "management"), click)
    assert_clean(response)
    assert "Новосибирск" not in _text(response)
