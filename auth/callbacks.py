"""Which Dash callback a role may call, decided from the server's own callback registry (SPEC §8).

`install_callback_guard(app)` wraps the app's `_dash-update-component` and `_dash-dependencies`
views. A callback request must be a JSON object whose `output` names a server-side callback of this
app (`registered_callback`) and whose `outputs`, `inputs` and `state` match that callback's
registration (`check_callback_request`); anything else is a 400 with a one-line log entry, never
a traceback. Before the shape, the callback's owner is looked up in the registry: a callback defined in a page module
may be called by that page's roles only (403 otherwise), a shared one (components, Dash's page
router) by any logged-in user. The request's `outputs` are only compared with the registration,
never used to decide access. The dependency graph lists only the callbacks the user may call.
"""
from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

import dash
from flask import Response, jsonify, request

from auth.scope import current_scope_or_none
from components.nav import ANY_ROLE, roles_for_page

log = logging.getLogger(__name__)
PAGE_PACKAGE = "pages."
LOCATION_PROPS = frozenset({"pathname", "search", "hash", "href"})
MAX_LOCATION = 4096


class BadCallbackRequest(ValueError):
    """A callback request that does not match any registered callback of the app."""


def _output_parts(output: str) -> list[str]:
    """`..a.b...c.d..` -> ["a.b", "c.d"]; the `@hash` of allow_duplicate outputs is dropped."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    return [part.split("@", 1)[0] for part in parts]


def _split_id(part: str) -> tuple[Any, str]:
    raw_id, _, prop = part.rpartition(".")
    if raw_id.startswith("{"):
        return json.loads(raw_id), prop
    return raw_id, prop


def _id_matches(registered: Any, sent: Any) -> bool:
    """A sent component id fits a registered one (pattern ids: same keys, fixed values equal)."""
    if isinstance(registered, str):
        return sent == registered
    if not isinstance(sent, dict) or set(sent) != set(registered):
        return False
    return all(isinstance(v, list) or sent[k] == v for k, v in registered.items())


def _dependency_ok(item: Any, registered: Any, prop: str) -> bool:
    """One sent output/input/state fits its registration (the renderer omits an undefined value)."""
    entries = item if isinstance(item, list) and isinstance(registered, dict) else [item]
    for entry in entries:
        if not isinstance(entry, dict) or str(entry.get("property")).split("@", 1)[0] != prop:
            return False
        if not _id_matches(registered, entry.get("id")):
            return False
        if prop in LOCATION_PROPS and not _location_ok(prop, entry.get("value")):
            return False
    return True


def _location_ok(prop: str, value: Any) -> bool:
    """A browser's location is short text, its pathname absolute; anything else is forged."""
    if value is None:
        return True
    return isinstance(value, str) and len(value) <= MAX_LOCATION and (prop != "pathname" or value.startswith("/"))


def _dependencies_ok(sent: Any, registered: list[dict]) -> bool:
    if not isinstance(sent, list) or len(sent) != len(registered):
        return False
    return all(
        _dependency_ok(item, json.loads(dep["id"]) if dep["id"].startswith("{") else dep["id"], dep["property"])
        for item, dep in zip(sent, registered)
    )


def registered_callback(app: dash.Dash, body: Any) -> dict:
    """The registry entry of the server-side callback named by `body["output"]`.

    Raises
    ------
    BadCallbackRequest
        not an object, unknown or client-side callback.
    """
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        raise BadCallbackRequest("not a callback request")
    entry = app.callback_map.get(body["output"])
    if entry is None or "callback" not in entry:
        raise BadCallbackRequest("unknown callback")
    return entry


def check_callback_request(body: dict, entry: dict) -> None:
    """Check that the request's outputs, inputs and state match the registered callback `entry`.

    Raises
    ------
    BadCallbackRequest
        outputs/inputs/state that do not match the registration (a location property that is
        not text), changedPropIds that are not a list of strings.
    """
    parts = [_split_id(p) for p in _output_parts(body["output"])]
    outputs = body.get("outputs")
    sent_outputs = outputs if isinstance(outputs, list) and body["output"].startswith("..") else [outputs]
    if len(sent_outputs) != len(parts) or not all(
        _dependency_ok(item, rid, prop) for item, (rid, prop) in zip(sent_outputs, parts)
    ):
        raise BadCallbackRequest("outputs do not match the callback")
    if not _dependencies_ok(body.get("inputs"), entry["inputs"]) or not _dependencies_ok(
        body.get("state", []), entry.get("state", [])
    ):
        raise BadCallbackRequest("inputs or state do not match the callback")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallbackRequest("changedPropIds must be a list of strings")


def callback_roles(entry: dict, output: str) -> frozenset[str]:
    """Roles that may call a registered callback: its page's roles (the page module that defines it,
    else the page whose id prefix all its outputs carry, STYLE.md — Dash's own helpers such as a
    background callback's cancel), any logged-in role when it is shared (components, Dash's router)."""
    module = getattr(inspect.unwrap(entry["callback"]), "__module__", "") or "" if "callback" in entry else ""
    page = dash.page_registry.get(module)
    if page is not None:
        return roles_for_page(page) or ANY_ROLE
    by_prefix = _roles_by_prefix(output)
    if by_prefix is not None:
        return by_prefix
    if module.startswith(PAGE_PACKAGE):
        return frozenset()  # a page module that is not a registered page: nobody
    return ANY_ROLE


def _roles_by_prefix(output: str) -> frozenset[str] | None:
    """Roles of the page whose id prefix all of `output`'s component ids carry, else None."""
    ids = [str(_split_id(p)[0]) for p in _output_parts(output)]
    for name, page in dash.page_registry.items():
        prefix = name.rsplit(".", 1)[-1].replace("_", "-") + "-"
        if ids and all(i.startswith(prefix) or f'"{prefix}' in i for i in ids):
            return roles_for_page(page) or ANY_ROLE
    return None


def _error(message: str, status: int) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def guard_update_view(app: dash.Dash, view: Callable[..., Any], public: bool = False) -> Callable[..., Any]:
    """`view` (Dash's callback endpoint) behind the shape check and the registry's role check."""

    def guarded_update(*args: Any, **kwargs: Any) -> Any:
        body = request.get_json(silent=True)
        try:
            entry = registered_callback(app, body)
            if not public:
                scope = current_scope_or_none()
                if scope is None:
                    return _error("login required", 401)
                if scope.role not in callback_roles(entry, body["output"]):
                    log.info("callback %s refused to role %s", body["output"][:200], scope.role)
                    return _error("forbidden", 403)
            check_callback_request(body, entry)
        except BadCallbackRequest as error:
            log.info("refused callback request on %s: %s", request.path, error)
            return _error("invalid callback request", 400)
        return view(*args, **kwargs)

    return guarded_update


def dependencies_view(app: dash.Dash) -> Callable[..., Any]:
    """The dependency graph with only the callbacks the logged-in user's role may call."""

    def filtered_dependencies() -> Any:
        scope = current_scope_or_none()
        if scope is None:
            return _error("login required", 401)
        visible = []
        for spec in app._callback_list:  # what Dash serves at _dash-dependencies
            if scope.role in callback_roles(app.callback_map.get(spec["output"], {}), spec["output"]):
                visible.append(spec)
        return Response(dash._utils.to_json(visible), content_type="application/json")

    return filtered_dependencies


def install_callback_guard(app: dash.Dash, public: bool = False) -> None:
    """Wrap `app`'s callback endpoint (and, for a private app, its dependency graph)."""
    prefix = app.config.routes_pathname_prefix
    views = app.server.view_functions
    update = prefix + "_dash-update-component"
    views[update] = guard_update_view(app, views[update], public=public)
    if not public:
        views[prefix + "_dash-dependencies"] = dependencies_view(app)
