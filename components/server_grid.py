"""Big tables paged, sorted and filtered on the server (AG Grid's infinite row model).

`data_grid` switches to `server_grid` when a table has more than `SERVER_ROWS` rows: the browser then
receives one page at a time instead of every row (the Quality Program page carried 4.4 MB of grid rows
on the `large` data). The rows are kept in the server cache under the logged-in user's scope and a
token in the grid's id (a digest of the table); a request can only reach rows prepared for its own scope,
so another user's token replayed finds nothing. "Download CSV" sends the whole table from the server (audited).
"""
from __future__ import annotations

import hashlib
import uuid
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import MATCH, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from auth import audit, authorized
from components.cache import current_cache
from components.format import fmt_number
from components.i18n import t

SERVER_GRID = "server-grid"
SERVER_CSV = "server-grid-csv"
SERVER_DOWNLOAD = "server-grid-download"
SERVER_ROWS = 300  # tables longer than this are paged on the server
ROWS_TIMEOUT = 6 * 3600  # outlives the page caches (5 min) that keep the grid's token
MAX_BLOCK = 500  # rows per request, whatever the browser asks for
# headers wrap onto more lines instead of being cut («Обраще…»)
DEFAULT_COL_DEF = {"sortable": True, "filter": True, "resizable": True, "floatingFilter": True,
                   "wrapHeaderText": True, "autoHeaderHeight": True}
TEXT_TESTS = {
    "contains": lambda s, v: s.str.contains(v, regex=False), "notContains": lambda s, v: ~s.str.contains(v, regex=False),
    "equals": lambda s, v: s == v, "notEqual": lambda s, v: s != v,
    "startsWith": lambda s, v: s.str.startswith(v), "endsWith": lambda s, v: s.str.endswith(v),
}
NUMBER_TESTS = {
    "equals": lambda s, v, _: s == v, "notEqual": lambda s, v, _: s != v, "lessThan": lambda s, v, _: s < v,
    "lessThanOrEqual": lambda s, v, _: s <= v, "greaterThan": lambda s, v, _: s > v,
    "greaterThanOrEqual": lambda s, v, _: s >= v, "inRange": lambda s, v, to: (s >= v) & (s <= to),
}


def server_grid(name: str, data: pd.DataFrame, *, columns: list[dict], grid_options: dict, csv_filename: str,
                style: dict) -> html.Div:
    """The grid of `data` served page by page; `data` is stored for the current user's scope."""
    headers = {c["field"]: c.get("headerName", c["field"]) for c in columns}
    token = _token(name, data, headers)
    key, cache = _rows_key(token), current_cache()
    if not cache.has(key):  # the same table drawn again for the same user keeps its token and entry
        cache.set(key, {"frame": data.reset_index(drop=True), "headers": headers, "filename": csv_filename},
                  timeout=ROWS_TIMEOUT)
    ident = {"name": name, "token": token}
    page_size = grid_options.get("paginationPageSize", 20)
    grid = dag.AgGrid(
        id={"type": SERVER_GRID, **ident},
        rowModelType="infinite",
        columnDefs=columns,
        defaultColDef=DEFAULT_COL_DEF,
        dashGridOptions={**grid_options, "cacheBlockSize": page_size, "maxBlocksInCache": 50,
                         "infiniteInitialRowCount": min(len(data), page_size)},
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine",
        style=style,
    )
    button = dbc.Button(t("grid.csv"), id={"type": SERVER_CSV, **ident}, size="sm", color="secondary", outline=True,
                        className="mb-2")
    note = html.Span(t("grid.server", rows=fmt_number(len(data))), className="small text-muted me-2")
    return html.Div([html.Div([note, button], className="text-end"), grid,
                     dcc.Download(id={"type": SERVER_DOWNLOAD, **ident})], className="data-grid")


def _token(name: str, data: pd.DataFrame, headers: dict) -> str:
    """A digest of the table's name, headers and content (a random one when the content cannot be hashed)."""
    try:
        content = pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes()
    except TypeError:
        return uuid.uuid4().hex
    return hashlib.sha256(repr((name, list(data.columns), headers)).encode() + content).hexdigest()[:32]


def _rows_key(token: str) -> str:
    from auth.scope import current_scope_or_none

    scope = current_scope_or_none()
    owner = scope.cache_key if scope else "public"
    return "grid-rows:" + hashlib.sha256(f"{owner}\x00{token}".encode()).hexdigest()


def _stored(triggered: Any) -> dict | None:
    token = triggered.get("token") if isinstance(triggered, dict) else None
    if not isinstance(token, str) or len(token) != 32:
        return None
    stored = current_cache().get(_rows_key(token))
    return stored if isinstance(stored, dict) else None


def rows_page(frame: pd.DataFrame, request: Any) -> dict:
    """`{"rowData", "rowCount"}` for an AG Grid `getRowsRequest`: filtered, sorted, then sliced.

    Unknown or malformed parts of the request are ignored (a crafted request gets rows of the user's
    own table or none, never an error).
    """
    request = request if isinstance(request, dict) else {}
    shown = apply_filters(frame, request.get("filterModel"))
    shown = apply_sort(shown, request.get("sortModel"))
    start = request.get("startRow")
    start = start if isinstance(start, int) and not isinstance(start, bool) and start >= 0 else 0
    end = request.get("endRow")
    end = end if isinstance(end, int) and not isinstance(end, bool) and end > start else start + 20
    block = shown.iloc[start:min(end, start + MAX_BLOCK)]
    records = block.astype(object).where(block.notna(), None).to_dict("records")
    return {"rowData": records, "rowCount": len(shown)}


def apply_sort(frame: pd.DataFrame, sort_model: Any) -> pd.DataFrame:
    if not isinstance(sort_model, list):
        return frame
    keys = [(s.get("colId"), s.get("sort") != "desc") for s in sort_model
            if isinstance(s, dict) and s.get("colId") in frame.columns]
    if not keys:
        return frame
    columns, ascending = zip(*keys)
    try:
        return frame.sort_values(list(columns), ascending=list(ascending), na_position="last", kind="stable")
    except TypeError:  # mixed types in a column: order by their text
        return frame.sort_values(list(columns), ascending=list(ascending), na_position="last", kind="stable",
                                 key=lambda s: s.astype(str))


def apply_filters(frame: pd.DataFrame, filter_model: Any) -> pd.DataFrame:
    if not isinstance(filter_model, dict) or frame.empty:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    for column, model in filter_model.items():
        if column in frame.columns and isinstance(model, dict):
            mask &= _column_mask(frame[column], model)
    return frame[mask]


def _column_mask(values: pd.Series, model: dict) -> np.ndarray:
    conditions = model.get("conditions")
    if isinstance(conditions, list) and conditions:
        masks = [_column_mask(values, c) for c in conditions if isinstance(c, dict)]
        if not masks:
            return np.ones(len(values), dtype=bool)
        combine = np.logical_or if model.get("operator") == "OR" else np.logical_and
        return combine.reduce(masks)
    kind = model.get("type")
    if kind == "blank":
        return values.isna().to_numpy() | values.astype(str).eq("").to_numpy()
    if kind == "notBlank":
        return ~(values.isna().to_numpy() | values.astype(str).eq("").to_numpy())
    if model.get("filterType") == "number":
        test = NUMBER_TESTS.get(kind)
        value, upper = model.get("filter"), model.get("filterTo")
        if test is None or not _is_number(value) or (kind == "inRange" and not _is_number(upper)):
            return np.ones(len(values), dtype=bool)
        numbers = pd.to_numeric(values, errors="coerce")
        return test(numbers, value, upper).fillna(False).to_numpy(dtype=bool)
    test = TEXT_TESTS.get(kind)
    value = model.get("filter")
    if test is None or not isinstance(value, str):
        return np.ones(len(values), dtype=bool)
    text = values.astype(object).where(values.notna(), "").astype(str).str.lower()
    return test(text, value.lower()).to_numpy(dtype=bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def register_server_grid_callbacks(app: Dash) -> None:
    """Rows of every server grid, and its CSV download, for the logged-in user's own tables only."""

    @app.callback(
        Output({"type": SERVER_GRID, "name": MATCH, "token": MATCH}, "getRowsResponse"),
        Input({"type": SERVER_GRID, "name": MATCH, "token": MATCH}, "getRowsRequest"),
        prevent_initial_call=True,
    )
    @authorized()
    def serve_rows(request: Any) -> dict:
        stored = _stored(ctx.triggered_id)
        if stored is None:
            return {"rowData": [], "rowCount": 0}
        return rows_page(stored["frame"], request)

    @app.callback(
        Output({"type": SERVER_DOWNLOAD, "name": MATCH, "token": MATCH}, "data"),
        Input({"type": SERVER_CSV, "name": MATCH, "token": MATCH}, "n_clicks"),
        State({"type": SERVER_GRID, "name": MATCH, "token": MATCH}, "filterModel"),
        prevent_initial_call=True,
    )
    @authorized()
    def download_csv(n_clicks: Any, filter_model: Any) -> dict:
        stored = _stored(ctx.triggered_id)
        if not isinstance(n_clicks, int) or n_clicks < 1 or stored is None:
            raise PreventUpdate
        frame = apply_filters(stored["frame"], filter_model).rename(columns=stored["headers"])
        audit("export", f"csv grid {ctx.triggered_id.get('name')} ({len(frame)} rows)")
        return dcc.send_data_frame(frame.to_csv, stored["filename"], sep=";", index=False)
