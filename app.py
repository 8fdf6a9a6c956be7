"""Partner Quality Monitor: the Dash application factory (SPEC §2) and the embedded demo server.

`create_app(config)` builds one app instance (no global state at import): Flask server with
log-in (auth/), cache, the pages of `pages/` with role guards, and the navbar shell.
`python app.py` serves the embedded default (SQLite, demo mode) on HOST/PORT (127.0.0.1:8050);
gunicorn serves production with ``app:server()``.
"""
from __future__ import annotations

import functools
import gc
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
from dash import _callback, _get_app
from flask import Flask, has_request_context, redirect, request
from sqlalchemy import Engine

from api.partners import register_partner_api
from auth import current_scope_or_none, ensure_demo_users, init_auth
from auth.callbacks import install_callback_guard
from auth.headers import secure_headers
from auth.users import DEMO_LOGINS, DEMO_PASSWORD
from components.alerts import forbidden_page
from components.background import background_manager
from components.cache import init_cache
from components.grid import register_grid_callbacks
from components.i18n import t
from components.nav import page_title, roles_for_page
from components.shell import layout as shell_layout
from components.shell import on_callback_error, register_shell_callbacks
from config import Config
from pages.directory import create_directory_app
from store.db import engine_for, migrate

ROOT = Path(__file__).resolve().parent
PAGES = ROOT / "pages"
ASSETS = ROOT / "assets"
log = logging.getLogger(__name__)


def _forget_global_callbacks() -> None:
    """Drop callbacks left in Dash's process-wide list by an earlier app's page import.

    Dash keeps `dash.callback` registrations in module globals and hands them to the first app
    that serves a request; page modules are executed again for every app, so each app adopts its
    own fresh registrations right after creation (`_adopt_global_callbacks`).
    """
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear()
    # Dash leaves the app that last served a layout in a context variable of the serving thread;
    # page registration (redirect_from) must reach the app being built, not that one
    _get_app.app_context.set(None)


def _adopt_global_callbacks(app: dash.Dash) -> None:
    """Move the callbacks the page modules just registered into this app (what Dash does lazily)."""
    app.callback_map.update(_callback.GLOBAL_CALLBACK_MAP)
    app._callback_list.extend(_callback.GLOBAL_CALLBACK_LIST)
    app._inline_scripts.extend(_callback.GLOBAL_INLINE_SCRIPTS)
    _forget_global_callbacks()


def _guard_layout(layout: Any, roles: frozenset[str]) -> Callable[..., Any]:
    """A page layout that renders only for the page's roles; others get the "no access" alert."""

    @functools.wraps(layout if callable(layout) else _guard_layout)
    def guarded(**kwargs: Any) -> Any:
        scope = current_scope_or_none()
        if scope is None or scope.role not in roles:
            return forbidden_page()
        return layout(**kwargs) if callable(layout) else layout

    guarded.allowed_roles = roles
    guarded.page_guard = True
    return guarded


def _protect_pages() -> None:
    """Wrap every registered page's layout in its role guard (public pages are separate apps)."""
    for page in dash.page_registry.values():
        roles = roles_for_page(page) or frozenset()
        if not getattr(page["layout"], "page_guard", False):
            # outermost, also around layouts decorated with `authorized` (whose denial is meant for
            # callback outputs, not for the page router)
            page["layout"] = _guard_layout(page["layout"], getattr(page["layout"], "allowed_roles", roles))
        page["title"] = functools.partial(page_title, page)


def _localized_index(app: dash.Dash) -> None:
    """The first HTML of a page carries that page's title in the user's language (Dash puts the app's)."""
    plain = app.interpolate_index

    def interpolate_index(**kwargs: Any) -> str:
        path = app.strip_relative_path(request.path) if has_request_context() else ""
        page = next((p for p in dash.page_registry.values() if p["path"].strip("/") == (path or "")), None)
        title = page_title(page) if page is not None else t("product")
        return plain(**{**kwargs, "title": title})

    app.interpolate_index = interpolate_index


ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def _harden_page_router(app: dash.Dash) -> Callable[[], None]:
    """A before-request hook wrapping Dash's page router (registered on the first request) once, so a
    pathname or search that is not a string from the browser's location renders the 404 page instead of
    raising inside Dash (a crafted request must never reach the error toast)."""

    def harden() -> None:
        entry = app.callback_map.get(ROUTER_OUTPUT)
        if entry is None or getattr(entry["callback"], "hardened", False):
            return
        router = entry["callback"]

        @functools.wraps(router)
        def safe_router(pathname: Any = None, search: Any = None, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(pathname, str) or not pathname.startswith("/"):
                pathname = "/404"
            if not isinstance(search, str) or (search and not search.startswith("?")):
                search = ""
            return router(pathname, search, *args, **kwargs)

        safe_router.hardened = True
        entry["callback"] = safe_router

    return harden


def create_app(config: Config | None = None, engine: Engine | None = None) -> dash.Dash:
    """Build the Dash app for `config` (default `Config.from_env()`); safe to call repeatedly.

    The engine (default: the one of `config.database_url`) is migrated to head. In demo mode the
    demo logins are created (`auth.ensure_demo_users`); in production mode none are.
    """
    config = config or Config.from_env()
    engine = engine or engine_for(config.database_url)
    migrate(engine)
    server = Flask(__name__, static_folder=None)
    server.config["TESTING"] = config.testing
    init_auth(server, engine, config)
    init_cache(server, config)
    register_partner_api(server)
    # the upload page's old address; Dash 4's `redirect_from` registers on the previously built app
    server.add_url_rule("/admin/ingest", "admin_ingest_redirect", lambda: redirect("/admin/upload", code=301))
    directory = create_directory_app(server, str(ASSETS))
    install_callback_guard(directory, public=True)
    _forget_global_callbacks()
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(PAGES),
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
        title=t("product", "ru"),
        update_title=None,
        on_error=on_callback_error,
        serve_locally=True,
        background_callback_manager=background_manager(config),
    )
    _adopt_global_callbacks(app)
    server.before_request(_harden_page_router(app))
    _protect_pages()
    _localized_index(app)
    app.layout = shell_layout
    register_grid_callbacks(app)
    register_shell_callbacks(app)
    install_callback_guard(app)
    secure_headers(server, config, (directory, app))
    if config.demo:
        ensure_demo_users(engine)
    return app


def server() -> Flask:
    """The Flask server of an app built from the environment (gunicorn: ``'app:server()'``)."""
    return ready_to_serve(create_app()).server


def ready_to_serve(app: dash.Dash) -> dash.Dash:
    """What a serving process does once its app is built: the objects of the start (modules, the app, its page
    registry: ~230 k) go to the garbage collector's permanent generation (`gc.freeze`). A full collection
    traversed them all: 0.26 s of some request early in every worker's life (a cold first call, issue 14), and of
    each later full collection. The start's garbage is collected first; the frozen objects are the ones that
    live as long as the process anyway. Not in tests, which build many apps."""
    gc.collect()
    gc.freeze()
    return app


def _demo_banner(url: str) -> str:
    logins = ", ".join(f"{login} ({role})" for login, role in DEMO_LOGINS.items())
    return f"Partner Quality Monitor: {url}\ndemo logins: {logins}; password: {DEMO_PASSWORD}"


def main() -> None:
    """Serve the embedded default: SQLite + demo data on first start, HOST/PORT from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8050"))
    config = Config.from_env()
    app = ready_to_serve(create_app(config))
    engine = app.server.extensions["quality"]["engine"]
    if config.demo:
        _load_demo_data_once(engine)
        print(_demo_banner(f"http://{host}:{port}"), flush=True)
    else:
        print(f"Partner Quality Monitor: http://{host}:{port}", flush=True)
    if config.scheduler:
        from jobs.embedded import start_scheduler

        start_scheduler(engine, config)  # SPEC §11: the embedded default runs the jobs in-process
    app.run(host=host, port=port, debug=False)


def _load_demo_data_once(engine: Engine) -> None:
    """First start of the demo: load the `small` demo data set (through the real loaders) when the
    database has no partners yet."""
    import tempfile

    from sqlalchemy import func, select

    from store.models import Partner

    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Partner)):
            return
    try:
        from demo import generate, write_csv
        from loaders.ingest import ingest_files
    except ImportError:
        log.warning("demo data generator or loaders not available: starting with an empty database")
        return
    print("creating the demo database (first start, about a minute)…", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        reports = ingest_files(engine, write_csv(generate("small"), Path(tmp)), login="demo")
    print(f"demo data loaded: {sum(r.accepted for r in reports):,} rows", flush=True)


if __name__ == "__main__":
    main()
