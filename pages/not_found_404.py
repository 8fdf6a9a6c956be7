"""Unknown path: «Страница не найдена» in the user's language with a link home."""
from __future__ import annotations

import dash
from dash import html

from components.alerts import not_found_page

dash.register_page(__name__, path="/404", roles=("partner", "service_manager", "management", "admin"),
                   label_key="not_found.title")


def layout(**_query: str) -> html.Div:
    return not_found_page()
