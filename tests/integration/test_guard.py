"""The guard trusts nothing the browser says (issue 18, finding 4; SPEC §8).

* Every Dash endpoint needs log-in; the only anonymous paths are an exact allow-list (log-in,
  static files, the public directory page and its single callback).
* Which callback a role may call comes from the server's own callback registry, never from the
  request's `outputs`: naming a `directory-*` output on another callback does not pass.
* Malformed callback requests get a 400 and leave no traceback in the server log.
"""
from __future__ import annotations

import json
import logging

import pytest

from auth.users import DEMO_LOGINS
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
DIRECTORY = "/directory/"
DIRECTORY_UPDATE = DIRECTORY + "_dash-update-component"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("guard"))
    seed_minimal_data(app_engine(app))
    return app


@pytest.fixture(scope="module")
def specs(app):
    return callback_specs(logged_in_client(app, "admin"))


def _spec(specs: list[dict], fragment: str) -> dict:
    return next(s for s in specs if fragment in s["output"])


def _tracebacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/directory-admin",
                                  "/api/partners-secret", "/directory/x", "/directory/_reload-hash", "/logout"])
def test_dash_endpoints_and_near_public_paths_need_login(app, path):
    response = app.server.test_client().get(path, headers={"Accept": "application/json"})
    assert response.status_code in (401, 405), (path, response.status_code)


def test_anonymous_visitor_gets_the_public_directory_and_only_its_callbacks(app):
    client = app.server.test_client()
    assert client.get("/directory").status_code in (200, 301, 302, 308)
    assert client.get(DIRECTORY).status_code == 200
    assert client.get(DIRECTORY + "_dash-layout").status_code == 200
    dependencies = client.get(DIRECTORY + "_dash-dependencies").get_json()
    outputs = sorted(d["output"] for d in dependencies)  # the list and its RFP shortlist tools, nothing else
    # the two server callbacks, and the navbar toggler that runs in the browser (clientside, never posted)
    assert [o.lstrip(".").split(".", 1)[0] for o in outputs] == ["directory-grid", "directory-share-link", "shell-collapse"]
    body = request_body(next(d for d in dependencies if d["output"].startswith("..directory-grid")), None)
    response = client.post(DIRECTORY_UPDATE, json=body)
    assert response.status_code == 200
    assert "Найдено партнёров" in json.dumps(response.get_json(), ensure_ascii=False)


def test_the_public_app_knows_no_other_callback(app, specs):
    client = app.server.test_client()
    admin_users = _spec(specs, "admin-users-new-message")
    response = client.post(DIRECTORY_UPDATE, json=request_body(admin_users, "x"))
    assert response.status_code == 400


def test_directory_outputs_in_the_request_do_not_open_a_private_callback(app, specs):
    """A request naming `directory-*` outputs on a private callback: refused before Dash sees it."""
    anonymous = app.server.test_client()
    for spec in (_spec(specs, "quality-body"), _spec(specs, "admin-users-new-message"),
                 _spec(specs, "_pages_content.children")):
        body = request_body(spec, "/directory")
        body["outputs"] = {"id": "directory-count", "property": "children"}
        assert anonymous.post(UPDATE, json=body).status_code == 401, spec["output"]


def test_partner_calling_an_admin_callback_with_its_own_page_outputs_gets_403(app, specs):
    partner = logged_in_client(app, "partner")
    body = request_body(_spec(specs, "admin-users-new-message"), "x")
    body["outputs"] = {"id": "quality-body", "property": "children"}
    response = partner.post(UPDATE, json=body)
    assert response.status_code == 403
    assert response.get_json() == {"error": "forbidden"}


@pytest.mark.parametrize("login_name, fragment", [("partner", "meeting-content"), ("partner", "trends-charts"),
                                                  ("manager", "quality-body"), ("manager", "admin-users-edit"),
                                                  ("management", "admin-settings-policy-message")])
def test_roles_outside_a_page_get_403_from_the_registry(app, specs, login_name, fragment):
    client = logged_in_client(app, login_name)
    response = client.post(UPDATE, json=request_body(_spec(specs, fragment), None))
    assert response.status_code == 403


def test_dependencies_list_only_the_callbacks_of_the_users_role(app):
    partner = logged_in_client(app, "partner")
    outputs = [d["output"] for d in partner.get("/_dash-dependencies").get_json()]
    assert any("quality-body" in o for o in outputs)
    assert not any("admin-" in o or "meeting-" in o or "trends-" in o for o in outputs)


@pytest.mark.parametrize("body", [
    [], "text", 42, {"inputs": "nonsense"}, {"output": 7, "inputs": []},
    {"output": "no-such.children", "outputs": {"id": "no-such", "property": "children"}, "inputs": []},
    {"output": "quality-body.children", "outputs": "quality-body", "inputs": [{"id": "quality-window"}]},
    {"output": "quality-body.children", "outputs": {"id": "quality-body", "property": "children"},
     "inputs": "x", "state": 5},
    {"output": "..admin-upload-payload.data...admin-upload-size-message.children..", "outputs": [], "inputs": []},
])
def test_malformed_callback_requests_get_400_and_no_traceback_in_the_log(app, body, caplog):
    client = logged_in_client(app, "admin")
    with caplog.at_level(logging.INFO):
        response = client.post(UPDATE, json=body)
        bad_json = client.post(UPDATE, data="{not json", content_type="application/json")
    assert_clean(response, allowed=(400,))
    assert_clean(bad_json, allowed=(400,))
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize("login_name", ["anonymous", "partner", "manager"])
def test_crafted_requests_get_plain_answers_and_leave_no_traceback(app, specs, login_name, caplog):
    client = app.server.test_client() if login_name == "anonymous" else logged_in_client(app, login_name)
    role = DEMO_LOGINS.get(login_name)
    statuses = set()
    with caplog.at_level(logging.INFO):
        for spec, value, body in crafted_calls(specs):
            response = client.post(UPDATE, json=body)
            assert_clean(response, allowed=(200, 204, 400, 401, 403))
            statuses.add(response.status_code)
    assert _tracebacks(caplog) == []
    if role is None:
        assert statuses == {401}
    else:
        assert 403 in statuses and 200 in statuses


def test_the_renderers_first_call_without_values_passes(app):
    """Dash's renderer leaves out the value of an input that is still undefined."""
    client = app.server.test_client()
    spec = next(d for d in client.get(DIRECTORY + "_dash-dependencies").get_json()
                if d["output"].startswith("..directory-grid"))
    body = request_body(spec, None)
    for item in body["inputs"][:-1]:
        del item["value"]
    body.pop("state")
    assert client.post(DIRECTORY_UPDATE, json=body).status_code == 200
