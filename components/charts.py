"""`graph(id, figure)`: a dcc.Graph with the Russian plotly locale and Russian number separators."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import dcc

from components.i18n import current_language

# plotly `separators`: first the decimal mark, then the thousands separator
SEPARATORS = {"ru": ", ", "en": ".,"}


def style_figure(figure: go.Figure | dict | None) -> go.Figure:
    """The product's look: white template, compact margins, separators of the user's language."""
    fig = go.Figure(figure) if figure is not None else go.Figure()
    fig.update_layout(
        template="plotly_white",
        separators=SEPARATORS[current_language()],
        margin=dict(l=40, r=20, t=40, b=40),
        font=dict(family="Lato, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13),
    )
    return fig


def graph(id: str | dict, figure: go.Figure | dict | None = None, **kwargs: Any) -> dcc.Graph:
    """A dcc.Graph with locale `ru` (assets/plotly-locale-ru.js) or `en`, no plotly logo."""
    config = {"locale": current_language(), "displaylogo": False, "responsive": True}
    config.update(kwargs.pop("config", {}))
    return dcc.Graph(id=id, figure=style_figure(figure), config=config, **kwargs)
