"""Security headers of every answer (issue 18, finding 6; SPEC §8): a CSP Dash runs under with
frame-ancestors 'none', Referrer-Policy, no framing, HSTS in production, and `no-store` on
everything that is not a static file."""
from __future__ import annotations

import re

import pytest

from auth.users import create_user
from tests.integration.callback_harness import (
    app_engine,
    callback_specs,
    logged_in_client,
    make_app,
    request_body,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("headers"))


def _csp(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", ["/login", "/directory/", "/directory/_dash-layout"])
def test_public_answers_carry_the_security_headers(app, path):
    response = app.server.test_client().get(path)
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["default-src"] == "default-src 'self'" and csp["object-src"] == "object-src 'none'"
    assert "'unsafe-eval'" not in csp["script-src"] and "'unsafe-inline'" not in csp["script-src"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # demo mode over HTTP


def test_inline_scripts_of_the_dash_pages_are_allowed_by_hash(app):
    client = logged_in_client(app, "admin")
    page = client.get("/")
    script_src = _csp(page)["script-src"]
    assert "'sha256-" in script_src
    for dash_app_hashes in (app.csp_hashes(),):
        assert all(h in script_src for h in dash_app_hashes)


def test_logged_in_pages_and_callbacks_are_not_stored(app):
    client = logged_in_client(app, "admin")
    for response in (client.get("/"), client.get("/_dash-layout"), client.get("/_dash-dependencies")):
        assert response.headers["Cache-Control"] == "no-store"
    spec = next(s for s in callback_specs(client) if "trends-charts" in s["output"])
    assert client.post("/_dash-update-component", json=request_body(spec, None)).headers["Cache-Control"] == "no-store"
    asset = client.get("/assets/style.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")


def test_production_over_https_sends_hsts(tmp_path):
    app = make_app(tmp_path, mode="production")
    create_user(app_engine(app), "boss", "long-enough-1", "management")
    client = app.server.test_client()
    response = client.get("/login", base_url="https://pqm.example")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    response = client.post("/login", base_url="https://pqm.example",
                           data={"login": "boss", "password": "long-enough-1", "csrf_token": token, "next": "/"})
    assert response.status_code == 302 and "Strict-Transport-Security" in response.headers
