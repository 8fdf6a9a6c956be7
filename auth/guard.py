"""The before-request guard: every route requires log-in except an exact allow-list (SPEC §8).

Allowed without log-in, by exact path only (`ANONYMOUS_PATHS`): the log-in form and its POST,
the health check, the language switch, the public partner directory (its own small Dash app
under `/directory/` with one callback, and its JSON API), and static files (`STATIC_PREFIXES`:
assets and Dash's JS bundles, which carry no data). Dash's layout, dependency graph and callback
endpoint of the main app are private. Which callback a logged-in role may call is decided by
`auth.callbacks` from the server's own registry. A page request without log-in is redirected
to /login, any other request gets 401 JSON.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import quote

from dash.exceptions import DependencyException
from flask import Flask, Response, jsonify, redirect, request, session
from flask_login import current_user, logout_user
from werkzeug.exceptions import HTTPException

from components.i18n import LANGUAGES

log = logging.getLogger(__name__)

DIRECTORY_PREFIX = "/directory/"
PARTNERS_API = "/api/partners"
SHORTLIST_CSV = "/api/partners/shortlist.csv"
# the public directory: its page, its Dash app's layout, dependency graph and single callback
DIRECTORY_PATHS = frozenset({
    "/directory", DIRECTORY_PREFIX,
    DIRECTORY_PREFIX + "_dash-layout", DIRECTORY_PREFIX + "_dash-dependencies",
    DIRECTORY_PREFIX + "_dash-update-component",
})
ANONYMOUS_PATHS = frozenset({
    "/login", "/healthz", "/favicon.ico", "/_favicon.ico", DIRECTORY_PREFIX + "_favicon.ico", PARTNERS_API,
    SHORTLIST_CSV, *DIRECTORY_PATHS,
    *(f"/lang/{code}" for code in LANGUAGES),
})
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/",
                   DIRECTORY_PREFIX + "assets/", DIRECTORY_PREFIX + "_dash-component-suites/")
UPDATE_COMPONENT = "/_dash-update-component"
SESSION_SEEN = "seen"
SEEN_RESOLUTION = 60  # seconds: the idle clock is written back at most once a minute


def is_public_path(path: str) -> bool:
    """True for the exact paths anyone may request (static files are `is_static_path`)."""
    return path in ANONYMOUS_PATHS


def is_static_path(path: str) -> bool:
    return path.startswith(STATIC_PREFIXES) and ".." not in path


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
    """Idle timeout enforced on the server (the session store also expires after `minutes`)."""
    seen = session.get(SESSION_SEEN)
    now = time.time()
    if seen is not None and now - float(seen) > minutes * 60:
        return True
    if seen is None or now - float(seen) > SEEN_RESOLUTION:
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
        if current_user.is_authenticated or is_public_path(request.path) or is_static_path(request.path):
            return None
        return unauthorized_response()

    server.before_request_funcs.setdefault(None, []).insert(0, guard)


def _json_error(message: str, status: int) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def install_error_handlers(server: Flask) -> None:
    """No traceback ever reaches the user: unexpected errors are logged and answered plainly."""

    @server.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            if (error.code is not None and error.code < 400) or error.response is not None:
                return error  # a redirect, or an answer prepared by the raiser (the rate limit's form)
            if request.path.startswith(("/_dash", "/api/", DIRECTORY_PREFIX + "_dash")) or error.code != 404:
                response = jsonify(error=error.name, code=error.code)
                response.status_code = error.code or 500
                return response
            return error
        if isinstance(error, DependencyException):  # unknown JS bundle requested
            return _json_error("not found", 404)
        log.exception("unhandled error on %s %s", request.method, request.path)
        if request.path.startswith(("/_dash", "/api/")) or request.method != "GET":
            return _json_error("internal error: the problem was logged, please try again later", 500)
        from auth.views import error_page

        return error_page(), 500
