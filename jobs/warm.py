"""Warm after a load (issue 14): the first view of every page is computed by the load, not by its first visitor.

Page views are cached per user scope (`components.cache.scoped_memoize`, keyed by the data version, the minute
of the live SLA state and the scope). A load makes every entry stale (`invalidate_data_cache`), so each user's
first view of each page used to run that page's queries cold, in every server process. `warm_after_load`
bumps the data version and then, for every active user, computes in a request context logged in as that user
what each page's first view computes (the page module's `warm_first_view(scope)`: its layout's and main
callback's cached functions with the page's default inputs), so the entries are in the cache before anyone
asks. The cache is shared (Redis in production: every gunicorn worker reads what the warm wrote; the per-process
SimpleCache of the embedded default: the process that warmed).

Entries carry the minute of the live SLA state (SPEC §5): a view warmed in one minute serves the first visits
of that minute; after it, a view is computed again on its first visit, as before.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Iterable

import dash
from flask import Flask, session
from flask_login import login_user

from auth.context import current_engine
from auth.scope import LoginUser, current_scope
from auth.users import list_users
from components.cache import invalidate_data_cache
from components.i18n import DEFAULT_LANGUAGE, SESSION_KEY
from components.nav import roles_for_page

log = logging.getLogger(__name__)


def warmed_pages() -> list[tuple[str, frozenset[str], object]]:
    """(page name, roles, `warm_first_view`) of every registered page module that declares one."""
    found = []
    for page in dash.page_registry.values():
        hook = getattr(importlib.import_module(page["module"]), "warm_first_view", None)
        roles = roles_for_page(page)
        if hook is not None and roles:
            found.append((page["module"].rsplit(".", 1)[-1], roles, hook))
    return sorted(found, key=lambda p: p[0])


def warm_views(server: Flask, logins: Iterable[str] | None = None, lang: str = DEFAULT_LANGUAGE) -> dict[str, float]:
    """Compute the first view of each page for every active user (or only `logins`) into the cache.

    Returns the seconds spent per ``"login page"``. A page that fails for one user is logged and skipped:
    its first visit computes it, as without the warm.
    """
    wanted = None if logins is None else set(logins)
    pages = warmed_pages()
    seconds: dict[str, float] = {}
    with server.app_context():
        users = [u for u in list_users(current_engine()) if u.active and (wanted is None or u.login in wanted)]
    for user in users:
        with server.test_request_context("/"):
            session[SESSION_KEY] = lang
            login_user(LoginUser(user))
            scope = current_scope()
            for name, roles, hook in pages:
                if scope.role not in roles:
                    continue
                started = time.perf_counter()
                try:
                    hook(scope)
                except Exception:  # the page's first visit computes it, as without the warm
                    log.exception("warming %s for %s failed", name, user.login)
                seconds[f"{user.login} {name}"] = round(time.perf_counter() - started, 3)
    return seconds


def warm_after_load(server: Flask, background: bool = False) -> threading.Thread | dict[str, float]:
    """After a load: every cached view is made stale (data version + 1), then the first views are computed
    again (`warm_views`), in a daemon thread with `background` (the caller answers at once)."""
    with server.app_context():
        invalidate_data_cache()
    if not background:
        return warm_views(server)
    thread = threading.Thread(target=_warm_logged, args=(server,), name="warm-after-load", daemon=True)
    thread.start()
    return thread


def _warm_logged(server: Flask) -> None:
    """`warm_views` in a background thread: a failure is logged (the first visits compute, as without the warm)."""
    try:
        warm_views(server)
    except BaseException:  # noqa: BLE001 - also a stopping server's SystemExit: this thread only ends
        log.exception("warming the first views after a load failed")
