"""Helpers of the admin page tests: an app over a migrated test database, logged-in Flask test clients,
and a Dash callback called over HTTP exactly as the browser calls it (POST /_dash-update-component).
"""
from __future__ import annotations

import json
from typing import Any

import dash
from flask.testing import FlaskClient
from sqlalchemy import Engine

from app import create_app
from auth.users import create_user
from config import Config

PASSWORD = "admin-secret-1"
PARTNER_ID = "P1"


def admin_app(engine: Engine) -> dash.Dash:
    """The app in production mode (no demo logins) with one admin, one partner user and partner P1."""
    from store.models import Partner

    with engine.begin() as conn:
        conn.execute(Partner.__table__.insert().values(partner_id=PARTNER_ID, name="Альфа", city="Омск",
                                                       country="RU", network_competence_center=False,
                                                       kkv_level="none"))
    app = create_app(Config(database_url=str(engine.url), secret_key="test", mode="production", testing=True),
                     engine=engine)
    create_user(engine, "root", PASSWORD, "admin")
    create_user(engine, "alpha", PASSWORD, "partner", partner_id=PARTNER_ID)
    return app


def logged_in(app: dash.Dash, login: str, password: str = PASSWORD) -> FlaskClient:
    """A test client with a session of `login` (through the real log-in form and its CSRF token)."""
    client = app.server.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": token, "next": "/"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _key(id_: Any, prop: str) -> str:
    return f"{dash._utils.stringify_id(id_)}.{prop}"  # noqa: SLF001 - the wire format of the pinned dash


def call(client: FlaskClient, app: dash.Dash, outputs: list[tuple[Any, str]], inputs: list[tuple[Any, str, Any]],
         state: list[tuple[Any, str, Any]] = (), changed: int | None = None) -> tuple[int, dict | None]:
    """POST one callback request; returns (HTTP status, ``response`` of the JSON body or None).

    The callback is found by its first output. `changed` is the position of the input that triggered
    the call (default: every input).
    """
    first = _key(*outputs[0])
    output = next(k for k in app.callback_map if k.strip(".").split("...")[0] == first)
    body = {
        "output": output,
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [_key(i, p) for n, (i, p, _v) in enumerate(inputs) if changed in (None, n)],
    }
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    payload = response.get_json(silent=True)
    return response.status_code, (payload or {}).get("response") if isinstance(payload, dict) else None


def text_of(value: Any) -> str:
    """All text inside a serialized Dash component tree."""
    if isinstance(value, dict):
        return " ".join(text_of(v) for k, v in value.items() if k not in ("type", "namespace"))
    if isinstance(value, list):
        return " ".join(text_of(v) for v in value)
    return "" if value is None else str(value)
