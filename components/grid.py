"""`data_grid(name, data)`: dash-ag-grid with sorting, filtering, pagination and an audited CSV export."""
from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Dash, Input, Output, ctx, html
from dash.exceptions import PreventUpdate

from auth import audit, authorized

from components import server_grid as server_grid_module
from components.colours import with_status_colours
from components.i18n import STRINGS, current_language, t
from components.labels import code_labels

GRID = "data-grid"
CSV_BUTTON = "data-grid-csv"

# AG Grid's own texts in Russian (pagination, filters)
LOCALE_RU = {
    "page": "Страница", "of": "из", "to": "–", "more": "ещё", "next": "Следующая", "last": "Последняя",
    "first": "Первая", "previous": "Предыдущая", "loadingOoo": "Загрузка…", "noRowsToShow": "Нет строк",
    "filterOoo": "Фильтр…", "equals": "Равно", "notEqual": "Не равно", "contains": "Содержит",
    "notContains": "Не содержит", "startsWith": "Начинается с", "endsWith": "Заканчивается на",
    "lessThan": "Меньше", "greaterThan": "Больше", "lessThanOrEqual": "Меньше или равно",
    "greaterThanOrEqual": "Больше или равно", "inRange": "В диапазоне", "blank": "Пусто",
    "notBlank": "Не пусто", "andCondition": "И", "orCondition": "ИЛИ", "applyFilter": "Применить",
    "resetFilter": "Сбросить", "clearFilter": "Очистить", "pageSizeSelectorLabel": "Строк на странице:",
}


def grid_id(name: str) -> dict[str, str]:
    """The component id of the grid called `name` (use it in callbacks that update the grid)."""
    return {"type": GRID, "name": name}


def column_defs(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Column definitions: header from the `col.<name>` strings when known, filter by dtype."""
    defs = []
    for column, dtype in frame.dtypes.items():
        header = t(f"col.{column}") if f"col.{column}" in STRINGS else str(column)
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            kind = {"filter": "agNumberColumnFilter", "type": "numericColumn"}
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kind = {"filter": "agDateColumnFilter"}
        else:
            kind = {"filter": "agTextColumnFilter"}
        defs.append({"field": str(column), "headerName": header, **kind})
    return defs


CHAR_PX = 7.5  # average width of a character of the grid font (13-14 px)
CELL_PADDING_PX = 36  # cell padding plus the sort/filter icons
MIN_COLUMN_PX, MAX_COLUMN_PX = 72, 320
SAMPLE_ROWS = 500


def _is_id(field: str) -> bool:
    return field == "id" or field.endswith("_id")


JS_LOCALES = {"ru": "ru-RU", "en": "en-GB"}
RU_NUMBER = "params.value.toLocaleString('ru-RU'"


def _localized_formatter(column: dict[str, Any]) -> dict[str, Any]:
    """A number formatter written for Russian, in the user's locale and with a real minus
    (assets/dashAgGridFunctions.js: localNumber)."""
    formatter = column.get("valueFormatter")
    code = formatter.get("function", "") if isinstance(formatter, dict) else ""
    if RU_NUMBER not in code:
        return column
    locale = JS_LOCALES.get(current_language(), "ru-RU")
    return {**column, "valueFormatter": {"function": code.replace(RU_NUMBER, f"localNumber(params.value, '{locale}'")}}


def readable_columns(columns: list[dict[str, Any]], data: pd.DataFrame) -> list[dict[str, Any]]:
    """Columns that read: the name before the ids, each at least as wide as its content (up to a cap) and
    its header's longest word, so a narrow screen scrolls the table sideways instead of cutting cells.

    Widths come from the text length of the first `SAMPLE_ROWS` rows (one vectorized pass per column).
    """
    sample = data.head(SAMPLE_ROWS)
    out = []
    for column in columns:
        field = str(column.get("field", ""))
        header = str(column.get("headerName", field))
        longest_word = max((len(w) for w in header.split()), default=4)
        content = 0
        if field in sample.columns and len(sample):
            text = sample[field].astype("string").fillna("—")
            content = int(text.str.len().max())
        width = CELL_PADDING_PX + CHAR_PX * max(longest_word, min(content, 40))
        fitted = int(min(max(width, MIN_COLUMN_PX), MAX_COLUMN_PX))
        out.append({**with_status_colours(_localized_formatter(column)),
                    "minWidth": max(fitted, int(column.get("minWidth", 0)))})
    names = [i for i, c in enumerate(out) if c.get("field") in ("name", "partner_name", "client_name")]
    ids = [i for i, c in enumerate(out) if _is_id(str(c.get("field", "")))]
    if names and ids and ids[0] < names[0]:  # seen first: who it is, then its code
        name = out.pop(names[0])
        out.insert(ids[0], name)
    return out


def data_grid(
    name: str,
    data: pd.DataFrame,
    *,
    columns: list[dict[str, Any]] | None = None,
    page_size: int = 20,
    csv_filename: str | None = None,
    height: str = "auto",
    server_paging: bool = True,
) -> html.Div:
    """A sortable, filterable, paginated grid of `data` and a "Download CSV" button (audited).

    More than `SERVER_ROWS` rows are paged on the server (`components.server_grid`) unless
    `server_paging` is False (grids whose `rowData` other callbacks replace).
    """
    grid_options = {
        "pagination": True,
        "paginationPageSize": page_size,
        # the selector shows blank unless the page size is one of its choices
        "paginationPageSizeSelector": sorted({page_size, 20, 50, 100}),
        "domLayout": "autoHeight" if height == "auto" else "normal",
        "enableCellTextSelection": True,
    }
    if current_language() == "ru":
        grid_options["localeText"] = LOCALE_RU
    style = {"height": None if height == "auto" else height, "width": "100%"}
    data = code_labels(data)
    columns = readable_columns(columns or column_defs(data), data)
    if server_paging and len(data) > server_grid_module.SERVER_ROWS:  # only one page at a time goes to the browser
        return server_grid_module.server_grid(name, data, columns=columns,
                                              grid_options=grid_options,
                                              csv_filename=csv_filename or f"{name}.csv", style=style)
    grid = dag.AgGrid(
        id=grid_id(name),
        rowData=data.to_dict("records"),
        columnDefs=columns,
        defaultColDef=server_grid_module.DEFAULT_COL_DEF,
        dashGridOptions=grid_options,
        columnSize="responsiveSizeToFit",
        csvExportParams={"fileName": csv_filename or f"{name}.csv", "columnSeparator": ";"},
        className="ag-theme-alpine",
        style=style,
    )
    button = dbc.Button(t("grid.csv"), id={"type": CSV_BUTTON, "name": name}, size="sm",
                        color="secondary", outline=True, className="mb-2")
    return html.Div([html.Div(button, className="text-end"), grid], className="data-grid")


def register_grid_callbacks(app: Dash) -> None:
    """The CSV button of every grid: the browser builds the file, the server audits the export.
    Server-paged grids get their rows and CSV files from `components.server_grid`."""
    server_grid_module.register_server_grid_callbacks(app)

    @app.callback(
        Output({"type": GRID, "name": MATCH}, "exportDataAsCsv"),
        Input({"type": CSV_BUTTON, "name": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
    @authorized()
    def export_csv(n_clicks: int | None) -> bool:
        if not isinstance(n_clicks, int) or n_clicks < 1:
            raise PreventUpdate
        name = ctx.triggered_id.get("name") if isinstance(ctx.triggered_id, dict) else None
        audit("export", f"csv grid {name}")
        return True
