"""The before-request guard: every route requires log-in except an explicit allow-list (SPEC §8).

Allowed without log-in: the login form and its POST, log-out, the language switch, static assets
and Dash's JS bundles/layout/dependency graph (they carry no data), and the public paths of
`PUBLIC_PATHS` (the partner directory and its API) together with the Dash callbacks of public pages
(ids starting with a prefix of `PUBLIC_CALLBACK_PREFIXES`, and the page router for a public path).
Everything else: a page request is redirected to /login, any other request gets 401 JSON.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from urllib.parse import quote

from dash.exceptions import DependencyException
from flask import Flask, Response, jsonify, redirect, request, session
from flask_login import current_user, logout_user
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# public pages and APIs (badges only, never quality data); others add theirs with `public_path`
PUBLIC_PATHS: set[str] = {"/directory", "/api/partners"}
# Dash callbacks whose outputs all start with one of these are callable without log-in
PUBLIC_CALLBACK_PREFIXES: set[str] = {"directory-"}
# infrastructure that carries no data and is needed to render any page, public ones included
_OPEN_EXACT = {"/login", "/logout", "/healthz", "/favicon.ico", "/_favicon.ico", "/_dash-layout", "/_dash-dependencies"}
_OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/lang/", "/_alive_")
UPDATE_COMPONENT = "/_dash-update-component"
PAGES_ROUTER_OUTPUT = "_pages_content.children"
SESSION_SEEN = "seen"


def public_path(path: str) -> Callable[[Callable], Callable]:
    """Decorator for a Flask view (or page module helper) that must be reachable without log-in."""

    def decorate(view: Callable) -> Callable:
        PUBLIC_PATHS.add(path.rstrip("/") or "/")
        return view

    return decorate


def is_public_path(path: str) -> bool:
    path = path.rstrip("/") or "/"
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)


def _is_open(path: str) -> bool:
    return path in _OPEN_EXACT or path.startswith(_OPEN_PREFIXES) or is_public_path(path)


def _is_public_callback(body: dict) -> bool:
    """A public page's callback, or the page router asked to render a public path."""
    output = str(body.get("output", ""))
    if output.startswith("..") and PAGES_ROUTER_OUTPUT in output:
        pathname = next(
            (i.get("value") for i in body.get("inputs", []) if isinstance(i, dict) and i.get("property") == "pathname"),
            None,
        )
        return isinstance(pathname, str) and is_public_path(pathname)
    outputs = body.get("outputs")
    flat = outputs if isinstance(outputs, list) else [outputs]
    ids = []
    for o in flat:
        for item in o if isinstance(o, list) else [o]:
            if not isinstance(item, dict):
                return False
            ids.append(json.dumps(item.get("id"), sort_keys=True) if isinstance(item.get("id"), dict) else str(item.get("id")))
    return bool(ids) and all(any(i.startswith(p) for p in PUBLIC_CALLBACK_PREFIXES) for i in ids)


def unauthorized_response() -> Response:
    """401 JSON for API/callback requests, redirect to the login form for page requests."""
    path = request.path
    wants_page = request.method == "GET" and not path.startswith(("/_dash", "/api/")) and (
        "text/html" in request.headers.get("Accept", "") or not request.headers.get("Accept")
    )
    if wants_page:
        return redirect(f"/login?next={quote(request.full_path.rstrip('?'), safe='/?=&')}")
    response = jsonify(error="login required", login="/login")
    response.status_code = 401
    return response


def _session_expired(minutes: int) -> bool:
    """Idle timeout enforced on the server too (the signed cookie also expires after `minutes`)."""
    seen = session.get(SESSION_SEEN)
    now = time.time()
    if seen is not None and now - float(seen) > minutes * 60:
        return True
    session[SESSION_SEEN] = now
    return False


def install_guard(server: Flask, session_minutes: int) -> None:
    """Register the log-in guard as the first before-request function of `server`."""

    def guard():
        if current_user.is_authenticated and _session_expired(session_minutes):
            from auth.audit import audit

            audit("session_expired")
            logout_user()
            session.clear()
        if current_user.is_authenticated or _is_open(request.path):
            return None
        if request.path == UPDATE_COMPONENT and request.method == "POST":
            body = request.get_json(silent=True)
            if isinstance(body, dict) and _is_public_callback(body):
                return None
        return unauthorized_response()

    server.before_request_funcs.setdefault(None, []).insert(0, guard)


def install_error_handlers(server: Flask) -> None:
    """No traceback ever reaches the user: unexpected errors are logged and answered plainly."""

    @server.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            if error.code is not None and error.code < 400:
                return error
            if request.path.startswith(("/_dash", "/api/")) or error.code != 404:
                response = jsonify(error=error.name, code=error.code)
                response.status_code = error.code or 500
                return response
            return error
        if isinstance(error, DependencyException):  # unknown JS bundle requested
            response = jsonify(error="not found", code=404)
            response.status_code = 404
            return response
        log.exception("unhandled error on %s %s", request.method, request.path)
        if request.path == UPDATE_COMPONENT:
            # callback exceptions are answered by Dash's on_error; what is left is a malformed request
            response = jsonify(error="invalid callback request")
            response.status_code = 400
            return response
        if request.path.startswith(("/_dash", "/api/")) or request.method != "GET":
            response = jsonify(error="internal error: the problem was logged, please try again later")
            response.status_code = 500
            return response
        from auth.views import error_page

        return error_page(), 500
