"""The application shell: navbar (product, role's menu, user, RU/EN, log-out), page container, error toast."""
from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import has_request_context, request

from auth.scope import current_scope_or_none
from components.format import fmt_datetime
from components.i18n import LANGUAGES, current_language, register_strings, t
from components.nav import menu_for
from store import clock

log = logging.getLogger(__name__)
register_strings({"shell.data_as_of": {"ru": "данные на {time}", "en": "data as of {time}"}})
ERROR_TOAST = "shell-error"
PUBLIC_APPS = ("/directory",)  # public pages served by their own Dash app


def _current_page() -> str:
    """The page the layout is requested for (Dash asks for the layout from the page itself)."""
    if has_request_context() and request.referrer:
        parts = urlsplit(request.referrer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def _user_block() -> list:
    scope = current_scope_or_none()
    here = quote(_current_page(), safe="/?=&")
    languages = [
        html.A(code.upper(), href=f"/lang/{code}?next={here}", id=f"shell-lang-{code}", lang=code,
               title={"ru": "Русский", "en": "English"}[code],
               className="shell-lang" + (" active" if code == current_language() else ""))
        for code in LANGUAGES
    ]
    languages = [languages[0], " ", *languages[1:]]
    block = [html.Span(languages, className="shell-langs me-3")]
    if scope is None:
        block.append(html.A(t("nav.login"), href="/login", className="nav-link d-inline", id="shell-login"))
        return block
    block += [
        html.Span(t("shell.data_as_of", time=fmt_datetime(clock.now())), id="shell-data-as-of",
                  className="shell-data-as-of me-3 text-nowrap"),
        html.Span([html.Span(scope.name, id="shell-user", className="fw-bold"),
                   html.Span(f" · {t(f'role.{scope.role}')}", className="shell-role")],
                  className="shell-user me-3", title=t(f"role.{scope.role}")),
        html.A(t("nav.notifications"), href="/notifications", id="shell-notifications",
               className="shell-lang me-3"),  # SPEC §11: each user's own e-mail settings
        logout_form(),
    ]
    return block


def logout_form() -> html.Form:
    """Log-out is a POST with the session's CSRF token (a link or an image cannot log a user out)."""
    from auth.views import csrf_token

    return html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=csrf_token(), id="shell-logout-csrf"),
        html.Button(t("nav.logout"), type="submit", id="shell-logout", className="btn btn-sm btn-outline-light"),
    ], method="POST", action="/logout", id="shell-logout-form", className="d-inline m-0")


def _navbar(menu: list) -> dbc.Navbar:
    # below 992 px (Bootstrap lg) the menu and the user block fold behind the toggler
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(t("product"), href="/", id="shell-brand", external_link=True),
                dbc.NavbarToggler(id="shell-toggler", n_clicks=0),
                dbc.Collapse(
                    [
                        dbc.Nav(menu, navbar=True, className="me-auto", id="shell-menu"),
                        html.Div(_user_block(), className="shell-user-block d-flex align-items-center text-light small"),
                    ],
                    id="shell-collapse", is_open=False, navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="primary", dark=True, expand="lg", className="shell-navbar mb-3", id="shell-navbar",
    )


def public_navbar() -> dbc.Navbar:
    """The navbar of a public app (the directory): product, language switch, log-in or the user."""
    scope = current_scope_or_none()
    return _navbar(menu_for(scope.role if scope else None, {}, PUBLIC_APPS))


def layout() -> html.Div:
    """The whole-app layout, rebuilt per page load for the logged-in user and language."""
    scope = current_scope_or_none()
    navbar = _navbar(menu_for(scope.role if scope else None, dash.page_registry, PUBLIC_APPS))
    toast = dbc.Toast(
        t("error.callback"), id=ERROR_TOAST, header=t("product"), icon="danger", is_open=False,
        dismissable=True, duration=8000, className="shell-error-toast",
    )
    return html.Div([navbar, dbc.Container(dash.page_container, fluid=True, className="pb-4"), toast])


def register_shell_callbacks(app: dash.Dash) -> None:
    """The navbar toggler opens and closes the folded menu (in the browser, no round trip)."""
    app.clientside_callback(
        "function(n, open) { return n ? !open : open; }",
        dash.Output("shell-collapse", "is_open"),
        dash.Input("shell-toggler", "n_clicks"),
        dash.State("shell-collapse", "is_open"),
        prevent_initial_call=True,
    )


def on_callback_error(error: Exception) -> None:
    """Dash `on_error`: log the traceback on the server, show a friendly toast, leave outputs unchanged."""
    from auth.scope import NotAuthenticated

    if isinstance(error, NotAuthenticated):
        dash.set_props(ERROR_TOAST, {"is_open": True, "children": t("login.expired")})
        return None
    log.error("callback failed", exc_info=error)
    dash.set_props(ERROR_TOAST, {"is_open": True, "children": t("error.callback")})
    return None
