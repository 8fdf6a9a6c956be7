"""Test-client helpers of the programme page tests: log in through the real form, call Dash callbacks."""
from __future__ import annotations

import json
import re

from flask.testing import FlaskClient


def log_in(client: FlaskClient, login: str, password: str = "demo") -> None:
    """Log `client` in through GET/POST /login (CSRF token from the form)."""
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": token, "next": "/"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def call(client: FlaskClient, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
         states: list[tuple[str, str, object]] = (), path: str = "/_dash-update-component") -> tuple[int, dict | None]:
    """POST one callback request as the browser would to `path` (the private app's callback
    endpoint, or the public directory's); returns (status, response JSON or None)."""
    output_spec = [{"id": i, "property": p} for i, p in outputs]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".." if len(outputs) > 1
        else f"{outputs[0][0]}.{outputs[0][1]}",
        "outputs": output_spec if len(outputs) > 1 else output_spec[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in states],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"] if inputs else [],
    }
    response = client.post(path, json=body)
    text = response.get_data(as_text=True)
    return response.status_code, (json.loads(text) if text.strip().startswith("{") else None)
