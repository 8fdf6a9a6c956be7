"""Authentication and authorization over the Dash Flask server (SPEC §8).

`init_auth(server, engine, config)` wires Flask-Login, the log-in form, the before-request guard
(every route requires log-in except the exact `ANONYMOUS_PATHS`) and error handlers that never show a traceback.
Callbacks authorize with `@authorized(roles=...)` and read `current_scope()`; admin actions and
exports are recorded with `audit(action, detail)`.
"""
from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_login import LoginManager
from sqlalchemy import Engine

from auth.audit import audit
from auth.context import attach, current_config, current_engine
from auth.guard import ANONYMOUS_PATHS, install_error_handlers, install_guard, is_public_path
from auth.limits import limit_logins, trust_proxies
from auth.sessions import ServerSessionInterface, session_store
from auth.scope import (
    NotAuthenticated,
    LoginUser,
    Scope,
    authorized,
    current_scope,
    current_scope_or_none,
    fingerprint,
)
from auth.users import DEMO_LOGINS, DEMO_PASSWORD, ROLES, UserError, ensure_demo_users, get_user_by_id
from config import Config

__all__ = [
    "ANONYMOUS_PATHS", "DEMO_LOGINS", "DEMO_PASSWORD", "ROLES", "LoginUser",
    "NotAuthenticated", "Scope", "UserError", "audit", "authorized", "current_config", "current_engine",
    "current_scope", "current_scope_or_none", "ensure_demo_users", "init_auth", "is_public_path",
]


def _load_user(user_id: str) -> LoginUser | None:
    """Reload the user on every request: a disabled login or a changed password ends the session."""
    raw_id, _, print_ = (user_id or "").partition(":")
    if not raw_id.isdigit():
        return None
    record = get_user_by_id(current_engine(), int(raw_id))
    if record is None or not record.active or fingerprint(record.password_hash) != print_:
        return None
    return LoginUser(record)


def init_auth(server: Flask, engine: Engine, config: Config) -> None:
    """Configure sessions, Flask-Login, the log-in routes, the guard and the error handlers."""
    from auth.views import bp

    attach(server, engine=engine, config=config)
    server.config.update(
        SECRET_KEY=config.secret_key,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=config.session_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.https_only,  # production is served over HTTPS only
        MAX_CONTENT_LENGTH=config.max_upload_mb * 1024 * 1024,
    )
    server.session_interface = ServerSessionInterface(session_store(config, engine))
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.init_app(server)
    server.register_blueprint(bp)
    trust_proxies(server, config.proxy_count)
    limit_logins(server, config)
    install_guard(server, config.session_minutes)
    install_error_handlers(server)
