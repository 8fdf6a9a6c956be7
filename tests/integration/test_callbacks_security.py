"""The page router's public paths, malformed callback requests and the exception toast.

Every callback x role x crafted input, with the expected access written as a table: test_callback_access.py.
"""
from __future__ import annotations

import pytest
from dash import Input, Output

from tests.integration.callback_harness import (
    app_engine,
    assert_clean,
    callback_specs,
    crafted_calls,
    logged_in_client,
    make_app,
    request_body,
    seed_minimal_data,
)

UPDATE = "/_dash-update-component"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("callbacks"))
    seed_minimal_data(app_engine(app))
    return app


@pytest.fixture(scope="module")
def specs(app):
    return callback_specs(logged_in_client(app, "admin"))


def test_harness_sees_the_shell_callbacks(specs):
    outputs = {spec["output"] for spec in specs}
    assert any("_pages_content.children" in o for o in outputs)
    assert any("data-grid" in o and "exportDataAsCsv" in o for o in outputs)


def test_every_callback_without_login_answers_401_json(app, specs):
    anonymous = app.server.test_client()
    for spec, value, body in crafted_calls(specs, [None, "/"]):
        response = anonymous.post(UPDATE, json=body)
        assert response.status_code == 401, spec["output"]
        assert response.get_json() == {"error": "login required", "login": "/login"}


def test_page_router_needs_login_for_every_path(app, specs):
    """The directory is its own public app (/directory/): the private router is never anonymous."""
    router = next(s for s in specs if "_pages_content.children" in s["output"])
    anonymous = app.server.test_client()
    for path in ("/", "/quality", "/admin/users", "/directory"):
        body = request_body(router, None)
        body["inputs"] = [{"id": "_pages_location", "property": "pathname", "value": path},
                          {"id": "_pages_location", "property": "search", "value": ""}]
        assert anonymous.post(UPDATE, json=body).status_code == 401, path


def test_malformed_callback_request_answers_400_without_traceback(app):
    client = logged_in_client(app, "admin")
    for body in ({"output": "no-such.children", "inputs": []}, {"inputs": "nonsense"}, []):
        response = client.post(UPDATE, json=body)
        assert_clean(response, allowed=(400,))
    response = client.post(UPDATE, data="{not json", content_type="application/json")
    assert_clean(response, allowed=(400,))


def test_exception_in_a_callback_becomes_a_friendly_toast(tmp_path):
    app = make_app(tmp_path)

    @app.callback(Output("boom-out", "children"), Input("boom-in", "value"))
    def explode(value):
        return 1 / 0

    client = logged_in_client(app, "admin")
    body = {"output": "boom-out.children", "outputs": {"id": "boom-out", "property": "children"},
            "inputs": [{"id": "boom-in", "property": "value", "value": 1}], "changedPropIds": ["boom-in.value"]}
    response = client.post(UPDATE, json=body)
    assert_clean(response)
    assert response.get_json()["sideUpdate"]["shell-error"]["is_open"] is True
    assert "ZeroDivisionError" not in response.get_data(as_text=True)
