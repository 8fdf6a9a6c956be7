"""«Уведомления» (SPEC §11): the logged-in user's own e-mail address, language and the kinds switched off.

Only the user's own row is ever read or written: the login comes from the session, never from the page.
"""
from __future__ import annotations

import re
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from auth import Scope, audit, authorized, current_engine
from components.i18n import register_strings, t
from jobs.digests import KINDS_BY_ROLE
from store.outbox import notification_settings, save_notification_settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

dash.register_page(__name__, path="/notifications", name="notifications", label_key="notifications.nav", order=95)

register_strings({
    "notifications.nav": {"ru": "Уведомления", "en": "Notifications"},
    "notifications.title": {"ru": "Уведомления по электронной почте", "en": "E-mail notifications"},
    "notifications.email": {"ru": "Адрес электронной почты", "en": "E-mail address"},
    "notifications.lang": {"ru": "Язык писем", "en": "Language of the e-mails"},
    "notifications.kinds": {"ru": "Присылать", "en": "Send me"},
    "notifications.none": {"ru": "Для вашей роли уведомлений нет.", "en": "Your role receives no notifications."},
    "notifications.save": {"ru": "Сохранить", "en": "Save"},
    "notifications.saved": {"ru": "Настройки сохранены.", "en": "Settings saved."},
    "notifications.bad_email": {"ru": "Адрес «{email}» не похож на адрес электронной почты.",
                                "en": "“{email}” does not look like an e-mail address."},
    "notifications.lang.ru": {"ru": "русский", "en": "Russian"},
    "notifications.lang.en": {"ru": "английский", "en": "English"},
})


@authorized()
def layout(scope: Scope, **_query: str) -> html.Div:
    with current_engine().connect() as conn:
        settings = notification_settings(conn, scope.login)
    kinds = KINDS_BY_ROLE.get(scope.role, ())
    choices = dbc.Checklist(
        id="notifications-kinds", options=[{"label": t(f"mail.kind.{k}"), "value": k} for k in kinds],
        value=[k for k in kinds if k not in settings["opted_out"]]) if kinds else html.P(t("notifications.none"))
    return html.Div([
        html.H3(t("notifications.title")),
        dbc.Card(dbc.CardBody([
            dbc.Label(t("notifications.email"), html_for="notifications-email"),
            dbc.Input(id="notifications-email", type="email", value=settings["email"], maxLength=254),
            dbc.Label(t("notifications.lang"), className="mt-3"),
            dcc.RadioItems(id="notifications-lang", value=settings["lang"], inline=True,
                           options=[{"label": " " + t(f"notifications.lang.{code}"), "value": code}
                                    for code in ("ru", "en")], labelClassName="me-3"),
            dbc.Label(t("notifications.kinds"), className="mt-3 d-block"),
            choices,
            dbc.Button(t("notifications.save"), id="notifications-save", color="primary", className="mt-3"),
            html.Div(id="notifications-message", className="mt-2"),
        ]), style={"maxWidth": "40rem"}),
    ], id="notifications")


@dash.callback(
    Output("notifications-message", "children"),
    Input("notifications-save", "n_clicks"),
    State("notifications-email", "value"),
    State("notifications-lang", "value"),
    State("notifications-kinds", "value"),
    prevent_initial_call=True,
)
@authorized()
def save(n_clicks: Any, email: Any, lang: Any, kinds_on: Any, scope: Scope) -> Any:
    """Save the logged-in user's own settings; unknown kinds and languages from the browser are ignored."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    email = email.strip() if isinstance(email, str) else ""
    if email and not EMAIL_RE.match(email):
        return dbc.Alert(t("notifications.bad_email", email=email), color="warning")
    lang = lang if lang in ("ru", "en") else "ru"
    kinds = KINDS_BY_ROLE.get(scope.role, ())
    on = {k for k in kinds_on or [] if k in kinds} if isinstance(kinds_on, list) else set(kinds)
    with current_engine().begin() as conn:
        save_notification_settings(conn, scope.login, email or None, lang, [k for k in kinds if k not in on])
    audit("notifications", f"email={'set' if email else 'none'} lang={lang} off={','.join(sorted(set(kinds) - on)) or '-'}")
    return dbc.Alert(t("notifications.saved"), color="success")
