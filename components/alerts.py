"""Friendly alerts shown instead of data: no access (403) and a failed update."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.i18n import register_strings, t

register_strings({
    "forbidden.title": {"ru": "Нет доступа", "en": "No access"},
    "forbidden.page": {"ru": "Эта страница не открывается для вашей роли.",
                       "en": "This page is not available to your role."},
    "not_found.title": {"ru": "Страница не найдена", "en": "Page not found"},
    "not_found.page": {"ru": "Такой страницы нет: проверьте адрес или начните с главной.",
                       "en": "There is no such page: check the address or start from the home page."},
    "go_home": {"ru": "На главную", "en": "Go to the home page"},
})


def forbidden_alert() -> dbc.Alert:
    """The "no access for your role" alert returned by `auth.authorized` instead of data."""
    return dbc.Alert(t("forbidden"), color="warning", className="forbidden mb-0")


def message_page(title_key: str, text_key: str, page_id: str) -> html.Div:
    """A whole-page message (no access, not found): a heading, one sentence and the link home."""
    return html.Div([
        html.H2(t(title_key), className="h4"),
        html.P(t(text_key), className="text-muted"),
        dbc.Button(t("go_home"), href="/", color="primary", id=f"{page_id}-home"),
    ], id=page_id, className="message-page py-5 text-center")


def forbidden_page() -> html.Div:
    """What a page shows a role it is not meant for: «Нет доступа» and the link home."""
    return message_page("forbidden.title", "forbidden.page", "forbidden-page")


def not_found_page() -> html.Div:
    """What an unknown address shows: «Страница не найдена» and the link home."""
    return message_page("not_found.title", "not_found.page", "not-found-page")


def error_alert(message: str | None = None) -> dbc.Alert:
    """A plain-language alert for an error the user can do nothing about but retry."""
    return dbc.Alert(message or t("error.callback"), color="danger", className="callback-error mb-0")
