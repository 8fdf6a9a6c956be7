"""Security headers (Flask-Talisman) and `Cache-Control: no-store` on dynamic answers (SPEC §8).

The Content-Security-Policy is one Dash runs under: scripts only from the app itself plus the
SHA-256 of each inline script Dash writes into its pages (`Dash.csp_hashes`: the renderer start
and the client-side callbacks), styles from the app and inline (React and Plotly set style
attributes), no framing by anyone (`frame-ancestors 'none'`), forms and connections to the app
only. HSTS in production (HTTPS only). Everything but static files is `no-store`: pages and
callbacks carry a user's data and must not stay in shared or browser caches.
"""
from __future__ import annotations

from collections.abc import Sequence

import dash
from flask import Flask, Response, request
from flask_talisman import Talisman

from auth.guard import is_static_path
from config import Config

HSTS_SECONDS = 365 * 24 * 3600
SELF = "'self'"


def content_security_policy() -> dict[str, str | list[str]]:
    """The policy without the inline script hashes (added per app by `secure_headers`)."""
    return {
        "default-src": SELF,
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": SELF,
        "worker-src": [SELF, "blob:"],
        "object-src": "'none'",
        "base-uri": SELF,
        "form-action": SELF,
        "frame-ancestors": "'none'",
    }


def secure_headers(server: Flask, config: Config, apps: Sequence[dash.Dash]) -> Talisman:
    """Attach Talisman to `server` with the policy of `apps` (their inline scripts allowed by hash)."""
    policy = content_security_policy()
    talisman = Talisman(
        server, force_https=False, strict_transport_security=config.https_only,
        strict_transport_security_max_age=HSTS_SECONDS, session_cookie_secure=config.https_only,
        session_cookie_http_only=True, frame_options="DENY", referrer_policy="strict-origin-when-cross-origin",
        content_security_policy=policy,
    )

    def allow_inline_scripts() -> None:
        # Dash adds inline scripts up to its first request (the page router's title callback),
        # so the hashes are taken after its own before-request setup, each time (a few strings)
        hashes = sorted({h for app in apps for h in app.csp_hashes()})
        policy["script-src"][:] = [SELF, *hashes]  # the list Talisman's own copy of the policy shares

    def no_store(response: Response) -> Response:
        if not is_static_path(request.path):
            response.headers["Cache-Control"] = "no-store"
        return response

    server.before_request(allow_inline_scripts)
    server.after_request(no_store)
    return talisman
