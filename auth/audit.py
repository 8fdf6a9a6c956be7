"""Audit log: logins (success/failure), log-outs, exports and admin changes (SPEC §8)."""
from __future__ import annotations

import datetime as dt

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Engine

from auth.context import current_engine
from store import clock
from store.workflows import record_audit


def utcnow() -> dt.datetime:
    return clock.now_datetime()


def client_ip() -> str | None:
    """The client address: `remote_addr`, corrected by ProxyFix for the configured `PROXY_COUNT` proxies."""
    return request.remote_addr if has_request_context() else None


def audit(
    action: str,
    detail: str | None = None,
    *,
    login: str | None = None,
    engine: Engine | None = None,
    ip: str | None = None,
) -> None:
    """Append one audit row.

    Inside a request the login defaults to the logged-in user, the IP to the request's and the
    engine to the current app's; outside (CLI) pass `engine` and `login` explicitly.
    """
    if login is None and has_request_context() and current_user.is_authenticated:
        login = current_user.login
    engine = engine or current_engine()
    with engine.begin() as conn:
        record_audit(conn, login, action, detail, ip or client_ip(), utcnow())
