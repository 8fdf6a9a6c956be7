"""Typed ag-grid column definitions (text, number, Moscow date-time) and JSON-ready grid records."""
from __future__ import annotations

from typing import Any

import pandas as pd

from components.i18n import t

# shown as Moscow wall time "27.04.2024, 13:15", sorted by the underlying ISO 8601 UTC value
DATETIME_FORMATTER = {"function": (
    "params.value ? new Date(params.value).toLocaleString('ru-RU', {timeZone: 'Europe/Moscow', day: '2-digit', "
    "month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit'}) : '—'")}
# "1 234,5"; missing values as a dash
NUMBER_FORMATTER = {"function": "params.value == null ? '—' : params.value.toLocaleString('ru-RU')"}


def grid_columns(spec: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Column definitions from ``(field, kind)``, kind ``text | number | datetime``; headers from ``col.<field>``."""
    columns = []
    for field, kind in spec:
        column: dict[str, Any] = {"field": field, "headerName": t(f"col.{field}")}
        if kind == "number":
            column.update(filter="agNumberColumnFilter", type="numericColumn", valueFormatter=NUMBER_FORMATTER)
        elif kind == "datetime":
            column.update(filter="agTextColumnFilter", valueFormatter=DATETIME_FORMATTER)
        else:
            column.update(filter="agTextColumnFilter")
        columns.append(column)
    return columns


def grid_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: tz-aware timestamps as ISO 8601 UTC text, missing values as None."""
    frame = frame.copy()
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame = frame.astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def typed_grid(name: str, spec: list[tuple[str, str]], records: list[dict[str, Any]], *, page_size: int = 15,
               csv_filename: str | None = None) -> Any:
    """`components.grid.data_grid` of `records` (from `grid_records`) with the columns of `spec`."""
    from components.grid import data_grid

    frame = pd.DataFrame.from_records(records, columns=[field for field, _kind in spec]).astype(object)
    return data_grid(name, frame, columns=grid_columns(spec), page_size=page_size,
                     csv_filename=csv_filename or f"{name}.csv")
