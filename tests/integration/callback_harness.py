"""Calls every Dash callback of an app the way a hostile browser could, through the Flask test client.

Page helpers extend it: `CRAFTED_VALUES` holds the values sent for every input and state (None,
wrong types, huge strings, other partners' and clients' ids); `crafted_calls` yields one request
body per (callback, value); `assert_clean` checks that an answer is a plain status with JSON or
nothing, never a traceback. Tests build an app with `make_app` and log in with `login`.
"""
from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
from flask.testing import FlaskClient
from sqlalchemy import Engine, insert
from werkzeug.test import TestResponse

from app import create_app
from auth.users import DEMO_PASSWORD
from config import Config
from store.models import Client, Partner

# sent for every input/state of every callback
CRAFTED_VALUES: list[Any] = [
    None, "", -1, 10**15, True, "x" * 20_000, [], ["P0002", "C00002"], {"partner_id": "P0002"},
    "P0002", "C00002", "'; DROP TABLE users; --",
]
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "KeyError(")
FORBIDDEN_MARKER = "forbidden"


def make_app(tmp_path: Path, mode: str = "demo", **overrides: Any) -> dash.Dash:
    """An app over a fresh SQLite file in `tmp_path` (demo mode creates the demo logins)."""
    config = Config(database_url=f"sqlite:///{tmp_path / 'quality.db'}", mode=mode, testing=True,
                    secret_key="test-secret", **overrides)
    return create_app(config)


def app_engine(app: dash.Dash) -> Engine:
    return app.server.extensions["quality"]["engine"]


def seed_minimal_data(engine: Engine) -> None:
    """Two partners and three clients: P0001 (the demo partner) owns C00001-2, P0002 owns C00003;
    the demo `manager` serves C00001 and C00003."""
    with engine.begin() as conn:
        conn.execute(insert(Partner), [
            {"partner_id": "P0001", "name": "Альфа Веб", "city": "Омск", "region": "Сибирь", "country": "RU"},
            {"partner_id": "P0002", "name": "Бета Софт", "city": "Томск", "region": "Сибирь", "country": "RU"},
        ])
        conn.execute(insert(Client), [
            {"client_id": "C00001", "name": "ООО Ромашка", "partner_id": "P0001", "service_manager": "manager"},
            {"client_id": "C00002", "name": "АО Василёк", "partner_id": "P0001", "service_manager": "other"},
            {"client_id": "C00003", "name": "ИП Лютик", "partner_id": "P0002", "service_manager": "manager"},
        ])


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "login form has no CSRF token"
    return match.group(1)


def login(client: FlaskClient, login_name: str, password: str = DEMO_PASSWORD, next_: str = "/",
          **request: Any) -> TestResponse:
    """Submit the log-in form like a browser (GET the form for its CSRF token, then POST);
    `request` goes to the POST (e.g. headers, environ_base)."""
    return client.post("/login", data={"login": login_name, "password": password,
                                       "csrf_token": csrf_token(client), "next": next_}, **request)


def logout(client: FlaskClient) -> TestResponse:
    """Log out like the navbar's form: POST /logout with the CSRF token the layout carries."""
    layout = client.get("/_dash-layout").get_data(as_text=True)
    match = re.search(r'"name":\s*"csrf_token"[^}]*?"value":\s*"([^"]+)"|"value":\s*"([^"]+)"[^}]*?"name":\s*"csrf_token"',
                      layout)
    token = next((g for g in match.groups() if g), "") if match else ""
    return client.post("/logout", data={"csrf_token": token})


def logged_in_client(app: dash.Dash, login_name: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    client = app.server.test_client()
    response = login(client, login_name, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def callback_specs(client: FlaskClient) -> list[dict]:
    """The callbacks as the browser sees them (`/_dash-dependencies`, after the first page load)."""
    client.get("/")
    response = client.get("/_dash-dependencies")
    assert response.status_code == 200
    return [spec for spec in response.get_json() if spec.get("clientside_function") is None]


def _concrete_id(raw: str) -> str | dict:
    """A concrete component id: pattern-matching wildcards (MATCH/ALL/ALLSMALLER) become "x"."""
    if not raw.startswith("{"):
        return raw
    parsed = json.loads(raw)
    return {k: ("x" if isinstance(v, list) else v) for k, v in parsed.items()}


def _split_output(output: str) -> list[tuple[str, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [(part.rsplit(".", 1)[0], part.rsplit(".", 1)[1]) for part in parts]


def _is_all(raw: str) -> bool:
    return raw.startswith("{") and any(v in (["ALL"], ["ALLSMALLER"]) for v in json.loads(raw).values())


def request_body(spec: dict, value: Any) -> dict:
    """A `/_dash-update-component` body calling `spec` with `value` in every input and state."""
    outputs = [{"id": _concrete_id(i), "property": p} for i, p in _split_output(spec["output"])]

    def fill(dep: dict) -> Any:
        item = {"id": _concrete_id(dep["id"]), "property": dep["property"], "value": value}
        return [item] if _is_all(dep["id"]) else item

    inputs = [fill(d) for d in spec["inputs"]]
    first = inputs[0] if inputs else None
    first = first[0] if isinstance(first, list) else first
    changed = [] if first is None else [
        (json.dumps(first["id"], separators=(",", ":"), sort_keys=True) if isinstance(first["id"], dict)
         else first["id"]) + "." + first["property"]
    ]
    return {
        "output": spec["output"],
        "outputs": outputs if spec["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "state": [fill(d) for d in spec.get("state", [])],
        "changedPropIds": changed,
    }


def crafted_calls(specs: list[dict], values: list[Any] | None = None) -> Iterator[tuple[dict, Any, dict]]:
    """(spec, value, body) for every callback and every crafted value."""
    for spec in specs:
        for value in CRAFTED_VALUES if values is None else values:
            yield spec, value, request_body(spec, value)


def assert_clean(response: TestResponse, allowed: tuple[int, ...] = (200, 204, 400, 403)) -> None:
    """A plain answer: an allowed status, JSON (or empty) body, no traceback or internals."""
    text = response.get_data(as_text=True)
    assert response.status_code in allowed, (response.status_code, text[:500])
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, text[:1000]
    if text:
        json.loads(text)


def page_roles_for(app: dash.Dash, spec: dict) -> frozenset[str] | None:
    """Roles of the page owning a callback (the module of its function, else its page-prefixed
    output ids, STYLE.md); None when the callback belongs to no page or to a public one."""
    from components.nav import roles_for_page

    entry = app.callback_map.get(spec["output"], {})
    module = getattr(inspect.unwrap(entry["callback"]), "__module__", None) if "callback" in entry else None
    if module in dash.page_registry:
        return roles_for_page(dash.page_registry[module])
    ids = [i for i, _ in _split_output(spec["output"])]
    for name, page in dash.page_registry.items():
        prefix = name.rsplit(".", 1)[-1].replace("_", "-") + "-"
        if ids and all(i.startswith(prefix) for i in ids):
            return roles_for_page(page)
    return None


def denied(response: TestResponse) -> bool:
    """True when a callback answered "no access": refused by the guard (403), no update (204) or
    the forbidden alert only."""
    if response.status_code in (204, 403):
        return True
    text = response.get_data(as_text=True)
    return response.status_code == 200 and FORBIDDEN_MARKER in text
