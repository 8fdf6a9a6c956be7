"""Scope of the logged-in user, the `authorized` decorator, scoped cache keys and the role menu."""
from __future__ import annotations

import json

import dash
import pytest
from dash import Input, Output
from flask_login import login_user

from auth import Scope, authorized, current_scope
from auth.scope import LoginUser, NotAuthenticated
from auth.users import get_user
from components.cache import scoped_memoize
from components.nav import menu_for, roles_for_page
from tests.integration.callback_harness import app_engine, assert_clean, logged_in_client, make_app, seed_minimal_data

UPDATE = "/_dash-update-component"


@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path)
    seed_minimal_data(app_engine(app))
    return app


def scope_of(app, login_name: str) -> Scope:
    with app.server.test_request_context("/"):
        login_user(LoginUser(get_user(app_engine(app), login_name)))
        return current_scope()


def test_service_manager_scope_holds_only_their_clients(app):
    scope = scope_of(app, "manager")
    assert scope.client_ids == frozenset({"C00001", "C00003"})
    assert scope.can_see_client("C00001") and not scope.can_see_client("C00002")
    assert not scope.can_see_partner("P0001")


def test_partner_scope_is_its_own_partner_and_its_clients(app):
    scope = scope_of(app, "partner")
    assert (scope.partner_id, scope.client_ids) == ("P0001", frozenset({"C00001", "C00002"}))
    assert scope.can_see_partner("P0001") and not scope.can_see_partner("P0002")


def test_management_scope_sees_everything(app):
    scope = scope_of(app, "management")
    assert scope.sees_all and scope.client_ids is None
    assert scope.can_see_client("C00003") and scope.can_see_partner("P0002")


def test_current_scope_without_login_raises(app):
    with app.server.test_request_context("/"), pytest.raises(NotAuthenticated):
        current_scope()


def test_authorized_rejects_unknown_roles():
    with pytest.raises(ValueError):
        authorized(roles=("superuser",))


def _post(client, body):
    return client.post(UPDATE, json=body)


def test_authorized_callback_denies_other_roles_with_the_forbidden_alert(tmp_path):
    app = make_app(tmp_path)

    @app.callback(Output("t-out", "children"), Input("t-in", "value"))
    @authorized(roles=("management",))
    def secret(value, scope):
        return f"{scope.login}:{value}"

    body = {"output": "t-out.children", "outputs": {"id": "t-out", "property": "children"},
            "inputs": [{"id": "t-in", "property": "value", "value": "P0002"}], "changedPropIds": ["t-in.value"]}
    allowed = _post(logged_in_client(app, "management"), body)
    assert allowed.get_json()["response"]["t-out"]["children"] == "management:P0002"
    refused = _post(logged_in_client(app, "partner"), body)
    assert_clean(refused)
    assert "forbidden" in refused.get_json()["response"]["t-out"]["children"]["props"]["className"]


def test_authorized_multi_output_callback_denies_per_output(tmp_path):
    app = make_app(tmp_path)

    @app.callback(Output("m-text", "children"), Output("m-store", "data"), Input("m-in", "value"))
    @authorized(roles=("admin",))
    def both(value):
        return "secret", {"secret": value}

    body = {"output": "..m-text.children...m-store.data..",
            "outputs": [{"id": "m-text", "property": "children"}, {"id": "m-store", "property": "data"}],
            "inputs": [{"id": "m-in", "property": "value", "value": 1}], "changedPropIds": ["m-in.value"]}
    response = _post(logged_in_client(app, "manager"), body).get_json()["response"]
    assert "m-store" not in response
    assert "forbidden" in response["m-text"]["children"]["props"]["className"]


def test_scoped_memoize_never_shares_results_between_scopes(app):
    calls = []

    @scoped_memoize(timeout=60)
    def visible_clients():
        calls.append(1)
        return sorted(current_scope().client_ids or ["*"])

    results = {}
    for name in ("manager", "partner", "manager"):
        with app.server.test_request_context("/"):
            login_user(LoginUser(get_user(app_engine(app), name)))
            results.setdefault(name, []).append(visible_clients())
    assert results["manager"] == [["C00001", "C00003"], ["C00001", "C00003"]]
    assert results["partner"] == [["C00001", "C00002"]]
    assert len(calls) == 2  # the second manager call is a cache hit


def test_menu_shows_only_registered_pages_allowed_to_the_role(app):
    registry = {
        "pages.home": {"path": "/"}, "pages.quality": {"path": "/quality"}, "pages.trends": {"path": "/trends"},
        "pages.programs_qp": {"path": "/programs/quality", "name": "QP"},
    }
    with app.server.test_request_context("/"):
        partner = [item.children.href for item in menu_for("partner", registry)]
        management = menu_for("management", registry)
    assert partner == ["/", "/quality"]
    assert [getattr(i, "label", None) or i.children.href for i in management] == [
        "/", "/quality", "/trends", "Программы"]


def test_page_roles_come_from_the_menu_unless_the_page_declares_them():
    assert roles_for_page({"path": "/quality"}) == frozenset({"partner", "management", "admin"})
    assert roles_for_page({"path": "/admin/users"}) == frozenset({"admin"})
    assert roles_for_page({"path": "/directory"}) is None
    assert roles_for_page({"path": "/x", "roles": ("admin",)}) == frozenset({"admin"})


def test_registered_pages_are_guarded_by_role(app):
    home = dash.page_registry["pages.home"]
    assert home["layout"].allowed_roles == frozenset({"partner", "service_manager", "management", "admin"})


def test_home_landing_per_role(app):
    router_body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"],
    }
    texts = {}
    for name in ("partner", "manager", "management", "admin"):
        client = logged_in_client(app, name)
        client.get("/")
        texts[name] = json.dumps(_post(client, router_body).get_json(), ensure_ascii=False)
    assert "Альфа Веб" in texts["partner"] and "/quality" in texts["partner"]
    manager = texts["manager"]
    assert "C00001" in manager and "C00003" in manager and "C00002" not in manager
    assert "home-tile-csat" in texts["management"] and "/trends" in texts["management"]
    assert "home-counts" in texts["admin"] and "Партнёры" in texts["admin"]
