"""Typed ag-grid column definitions (text, number, Moscow date-time) and JSON-ready grid records."""
from __future__ import annotations

from typing import Any

import pandas as pd

from components.i18n import t

DISPLAY_TZ = "Europe/Moscow"
# the value is Moscow wall time "2024-04-27 13:15" (sorts as text), shown as "27.04.2024 13:15"
DATETIME_FORMATTER = {"function": (
    "params.value ? params.value.slice(8, 10) + '.' + params.value.slice(5, 7) + '.' + params.value.slice(0, 4)"
    " + ' ' + params.value.slice(11, 16) : '—'")}
# "1 234,5"; missing values as a dash
NUMBER_FORMATTER = {"function": "params.value == null ? '—' : params.value.toLocaleString('ru-RU')"}


def grid_columns(spec: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    """Column definitions from ``(field, kind[, header key])``, kind ``text | number | datetime``.

    The header is the string of the header key, by default ``col.<field>``.
    """
    columns = []
    for field, kind, *header in spec:
        column: dict[str, Any] = {"field": field, "headerName": t(header[0] if header else f"col.{field}")}
        if kind == "number":
            column.update(filter="agNumberColumnFilter", type="numericColumn", valueFormatter=NUMBER_FORMATTER)
        elif kind == "datetime":
            column.update(filter="agTextColumnFilter", valueFormatter=DATETIME_FORMATTER)
        else:
            column.update(filter="agTextColumnFilter")
        columns.append(column)
    return columns


def grid_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: tz-aware timestamps as Moscow wall time ``2024-04-27 13:15``, missing as None."""
    frame = frame.copy()
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert(DISPLAY_TZ).dt.strftime("%Y-%m-%d %H:%M")
    frame = frame.astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def typed_grid(name: str, spec: list[tuple[str, ...]], records: list[dict[str, Any]], *, page_size: int = 15,
               csv_filename: str | None = None) -> Any:
    """`components.grid.data_grid` of `records` (from `grid_records`) with the columns of `spec`."""
    from components.grid import data_grid

    frame = pd.DataFrame.from_records(records, columns=[column[0] for column in spec]).astype(object)
    # admin grids: other callbacks replace their rowData, so they stay client-side
    return data_grid(name, frame, columns=grid_columns(spec), page_size=page_size,
                     csv_filename=csv_filename or f"{name}.csv", server_paging=False)
