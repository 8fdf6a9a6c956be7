"""Figures as plain dicts, and `graph(id, figure)`: a dcc.Graph with the user's plotly locale and separators.

Pages build figures with `figure(traces, **layout)` and trace dicts (`bar(...)`, `scatter(...)`), not
`plotly.graph_objects`: a `go.Figure` validates every property and expands the whole template on each
call, which cost 70 ms per chart on a cached page (issue 7). The product's look is one slim template
(the layout part of plotly_white, computed once), so the JSON sent to the browser stays small too.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
from dash import dcc

from components.i18n import current_language

# plotly `separators`: first the decimal mark, then the thousands separator
SEPARATORS = {"ru": ", ", "en": ".,"}
# plotly_white's layout (colours, grid, fonts) without its per-trace-type defaults
TEMPLATE = {"layout": pio.templates["plotly_white"].layout.to_plotly_json()}
BASE_LAYOUT = {
    "margin": {"l": 40, "r": 20, "t": 40, "b": 40},
    "font": {"family": "Lato, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13},
}


def plain(values: Any) -> Any:
    """Series, arrays and other iterables as JSON-ready lists (NaN as None); scalars unchanged."""
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        series = pd.Series(values)
        return series.astype(object).where(series.notna(), None).tolist()
    if isinstance(values, (list, tuple)):
        return list(values)
    return values


def trace(kind: str, **props: Any) -> dict:
    """One trace dict: `trace("bar", x=..., y=...)`; array-like values become lists."""
    return {"type": kind, **{key: plain(value) for key, value in props.items()}}


def bar(**props: Any) -> dict:
    return trace("bar", **props)


def scatter(**props: Any) -> dict:
    return trace("scatter", **props)


def figure(traces: Iterable[dict] = (), **layout: Any) -> dict:
    """`{"data": [...], "layout": {...}}`; `layout` keys are plotly layout properties."""
    return {"data": list(traces), "layout": layout}


def style_figure(fig: dict | None) -> dict:
    """The product's look under the figure's own layout: slim white template, compact margins,
    separators of the user's language. A figure's own margin or font keys win over the defaults."""
    fig = fig or {}
    own = dict(fig.get("layout") or {})
    layout = {"template": TEMPLATE, "separators": SEPARATORS[current_language()]}
    for key, default in BASE_LAYOUT.items():
        layout[key] = {**default, **(own.pop(key, None) or {})}
    layout.update(own)
    return {"data": list(fig.get("data") or []), "layout": layout}


def graph(id: str | dict, fig: dict | None = None, **kwargs: Any) -> dcc.Graph:
    """A dcc.Graph with locale `ru` (assets/plotly-locale-ru.js) or `en`, no plotly logo."""
    config = {"locale": current_language(), "displaylogo": False, "responsive": True}
    config.update(kwargs.pop("config", {}))
    styled = style_figure(fig)
    height = styled["layout"].get("height")
    if height and "style" not in kwargs:
        # Dash 4 draws a responsive plot at 100 % of its box: a box inside a flex card has no height of
        # its own, so the figure's height must be the box's (else the plot collapses to a few pixels)
        kwargs["style"] = {"height": f"{height}px"}
    return dcc.Graph(id=id, figure=styled, config=config, **kwargs)
