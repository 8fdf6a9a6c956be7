"""The logged-in user's scope, and the `authorized` decorator every data callback goes through.

Callbacks authorize from `current_scope()` (built on the server from the session), never from a
value the browser sends (SPEC §8): a dropdown value, a dcc.Store or a URL can all be forged.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dash
from flask import g, has_request_context
from flask_login import UserMixin, current_user
from sqlalchemy import select

from auth.context import current_engine
from auth.users import ROLES, UserRecord
from store.models import Client
from store.queries import manager_client_ids

ALL_ROLES = frozenset(ROLES)
DATA_ROLES = frozenset({"management", "admin"})  # see everything, identified


class NotAuthenticated(PermissionError):
    """Raised by `current_scope()` outside a logged-in request."""


class LoginUser(UserMixin):
    """Flask-Login user; its id embeds a fingerprint of the password hash so that changing the
    password (or disabling the login) ends the user's existing sessions."""

    def __init__(self, record: UserRecord):
        self.record = record
        self.login = record.login
        self.role = record.role

    def get_id(self) -> str:
        return f"{self.record.id}:{fingerprint(self.record.password_hash)}"

    @property
    def is_active(self) -> bool:
        return self.record.active


def fingerprint(password_hash: str) -> str:
    return password_hash[-16:]


@dataclass(frozen=True)
class Scope:
    """What the logged-in user may see.

    `client_ids` is None for roles that see every client (management, admin); otherwise the
    explicit set (a service manager's clients, a partner's own clients). `partner_id` is set for
    role partner only.
    """

    login: str
    role: str
    name: str
    partner_id: str | None
    client_ids: frozenset[str] | None

    @property
    def sees_all(self) -> bool:
        return self.role in DATA_ROLES

    def can_see_partner(self, partner_id: str | None) -> bool:
        return self.sees_all or (self.role == "partner" and partner_id is not None and partner_id == self.partner_id)

    def can_see_client(self, client_id: str | None) -> bool:
        return self.sees_all or (client_id is not None and client_id in (self.client_ids or ()))

    @property
    def cache_key(self) -> str:
        """Identifies everything this scope may see (server-side caches are keyed by it)."""
        return f"{self.role}|{self.login}|{self.partner_id or ''}"


def scope_for(record: UserRecord) -> Scope:
    """Build the scope of a user from the database (clients by service manager / by partner)."""
    client_ids: frozenset[str] | None = None
    if record.role == "service_manager":
        with current_engine().connect() as conn:
            client_ids = frozenset(manager_client_ids(conn, record.login))
    elif record.role == "partner":
        with current_engine().connect() as conn:
            client_ids = frozenset(conn.scalars(select(Client.client_id).where(Client.partner_id == record.partner_id)))
    return Scope(
        login=record.login, role=record.role, name=record.display_name,
        partner_id=record.partner_id if record.role == "partner" else None, client_ids=client_ids,
    )


def current_scope() -> Scope:
    """The scope of the logged-in user of this request (computed once per request).

    Raises
    ------
    NotAuthenticated
        outside a request or when nobody is logged in.
    """
    if not has_request_context() or not current_user.is_authenticated:
        raise NotAuthenticated("login required")
    if "quality_scope" not in g:
        g.quality_scope = scope_for(current_user.record)
    return g.quality_scope


def current_scope_or_none() -> Scope | None:
    try:
        return current_scope()
    except NotAuthenticated:
        return None


def _denied_response() -> object:
    """Per output: the friendly 403 alert where a `children` is expected, no_update elsewhere;
    no update at all (HTTP 204) when no output can show it."""
    from components.alerts import forbidden_alert

    outputs = dash.callback_context.outputs_list if dash.callback_context else None
    if not outputs:
        return forbidden_alert()
    single = isinstance(outputs, dict)
    flat = [outputs] if single else outputs
    values = [
        forbidden_alert() if isinstance(o, dict) and str(o.get("property")).split("@")[0] == "children" else dash.no_update
        for o in flat
    ]
    if all(v is dash.no_update for v in values):
        raise dash.exceptions.PreventUpdate
    return values[0] if single else values


def authorized(roles: Iterable[str] | None = None) -> Callable[[Callable], Callable]:
    """Decorate a callback (or a page layout) so it runs only for a logged-in user with one of `roles`.

    Others get a friendly "no access" alert in the `children` outputs instead of data (never an
    exception). When the decorated function has a parameter named ``scope``, the current
    `Scope` is passed in it.
    """
    allowed = ALL_ROLES if roles is None else frozenset(roles)
    unknown = allowed - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(func: Callable) -> Callable:
        wants_scope = "scope" in inspect.signature(func).parameters

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            scope = current_scope_or_none()
            if scope is None or scope.role not in allowed:
                return _denied_response()
            if wants_scope:
                kwargs["scope"] = scope
            return func(*args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorate
