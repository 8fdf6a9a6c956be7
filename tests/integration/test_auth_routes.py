"""Every route of the Flask server requires log-in, except the explicit allow-list (SPEC §8)."""
from __future__ import annotations

import re

import pytest

from auth.guard import is_public_path, is_static_path
from tests.integration.callback_harness import TRACEBACK_MARKERS, make_app

# reachable without log-in: the log-in form, the health check, static files and Dash's bundles
OPEN = re.compile(r"^/(login|healthz|lang/|assets/|_dash-component-suites/|favicon\.ico)")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("routes"))


def concrete_urls(app) -> list[tuple[str, str]]:
    """(method, url) for every rule of the url map, converters filled with sample values."""
    urls = []
    for rule in app.server.url_map.iter_rules():
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "sample", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


def test_url_map_has_the_dash_and_auth_routes(app):
    rules = {rule.rule for rule in app.server.url_map.iter_rules()}
    assert {"/login", "/logout", "/_dash-update-component", "/_dash-layout", "/<path:path>"} <= rules


def test_every_route_without_login_is_redirected_or_401(app):
    client = app.server.test_client()
    for method, url in concrete_urls(app):
        if OPEN.match(url) or is_public_path(url) or is_static_path(url):
            continue
        response = client.open(url, method=method, headers={"Accept": "text/html"}, json={})
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.get_json() == {"error": "login required", "login": "/login"}


@pytest.mark.parametrize("path", ["/", "/quality", "/meeting", "/trends", "/programs/quality", "/admin/users",
                                  "/no-such-page", "/_dash-update-component", "/_reload-hash"])
def test_private_paths_are_refused_for_pages_and_api_clients(app, path):
    client = app.server.test_client()
    page = client.get(path, headers={"Accept": "text/html"})
    api = client.get(path, headers={"Accept": "application/json"})
    assert page.status_code in (302, 401, 405)
    assert api.status_code in (401, 405)


def test_open_routes_never_show_a_traceback(app):
    client = app.server.test_client()
    for method, url in concrete_urls(app):
        if not OPEN.match(url):
            continue
        response = client.open(url, method=method, json={})
        text = response.get_data().decode("utf-8", errors="replace")
        assert response.status_code < 500, (method, url)
        assert not any(marker in text for marker in TRACEBACK_MARKERS), url


def test_public_directory_paths_are_open_by_exact_path_only(app):
    assert is_public_path("/directory") and is_public_path("/directory/") and is_public_path("/api/partners")
    assert is_public_path("/directory/_dash-update-component")
    assert not is_public_path("/directory-admin") and not is_public_path("/api/partners-secret")
    assert not is_public_path("/api/partners/P1") and not is_public_path("/directory/anything")
    assert not is_public_path("/_dash-layout") and not is_public_path("/_dash-dependencies")


def test_create_app_twice_gives_each_app_all_callbacks(tmp_path):
    first = make_app(tmp_path / "a")
    second = make_app(tmp_path / "b")
    assert set(first.callback_map) == set(second.callback_map)
    assert any("exportDataAsCsv" in key for key in first.callback_map)
    for app in (first, second):
        assert app.server.test_client().get("/login").status_code == 200
