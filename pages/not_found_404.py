"""Unknown path: a plain "page not found" in the user's language with a link home."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components.i18n import t

dash.register_page(__name__, path="/404", roles=("partner", "service_manager", "management", "admin"))


def layout(**_query: str) -> html.Div:
    return html.Div([
        dbc.Alert(t("not_found"), color="secondary", id="not-found-message"),
        html.A(t("nav.home"), href="/"),
    ])
