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

from components.colours import SERIES
from components.i18n import current_language

# plotly `separators`: first the decimal mark, then the thousands separator
SEPARATORS = {"ru": ", ", "en": ".,"}
# plotly_white's layout (colours, grid, fonts) without its per-trace-type defaults
# series without meaning in the product's colours, never the status red/green first (assets/colours.md)
TEMPLATE = {"layout": {**pio.templates["plotly_white"].layout.to_plotly_json(), "colorway": list(SERIES)}}
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


# plotly's "magic underscore" shorthands (`marker_color=...`) that plain dicts must spell out nested
NESTED = ("marker", "line", "textfont", "hoverlabel")


def trace(kind: str, **props: Any) -> dict:
    """One trace dict: `trace("bar", x=..., y=...)`; array-like values become lists;
    `marker_color=c` becomes `marker={"color": c}` as plotly.graph_objects would read it
    (a plain dict with `marker_color` is silently ignored by plotly.js)."""
    out: dict[str, Any] = {"type": kind}
    for key, value in props.items():
        head, _, tail = key.partition("_")
        if head in NESTED and tail:
            out[head] = {**(out.get(head) or {}), tail: plain(value)}
        else:
            out[key] = {**(out.get(key) or {}), **value} if isinstance(value, dict) and key in out else plain(value)
    return out


def chronological(periods: Iterable[Any]) -> list[str]:
    """Distinct period labels in time order: quarters «2023Q1», months «2024-01», days — sorted as
    time, not as strings; labels that are not periods follow in string order."""
    def key(label: str) -> tuple[int, pd.Timestamp, str]:
        try:
            return (0, pd.Period(label).start_time, label)
        except (ValueError, TypeError):
            return (1, pd.Timestamp.min, label)
    return sorted({str(p) for p in periods}, key=key)


def spread_labels(ys: list[float], min_gap: float) -> list[float]:
    """End-label heights moved apart so that no two are closer than `min_gap` (order kept)."""
    order = np.argsort(ys, kind="stable")
    placed = np.asarray(ys, dtype=float)[order].copy()
    for i in range(1, len(placed)):  # a handful of series per chart
        placed[i] = max(placed[i], placed[i - 1] + min_gap)
    out = np.empty_like(placed)
    out[order] = placed
    return out.tolist()


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
