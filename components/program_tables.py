"""`program_table(name, frame, columns)`: a `data_grid` of a programme table with Russian dates and numbers."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from components.grid import data_grid
from components.i18n import STRINGS, register_strings, t

WIDE = frozenset({"name", "excluded_reason", "churn_reason", "categories"})  # text columns given twice the width
# ISO dates stay sortable in the grid; the formatter shows them as 27.04.2024
DATE_FORMATTER = {"function": "params.value ? params.value.slice(0, 10).split('-').reverse().join('.') : '—'"}
NUMBER_FORMATTER = {"function": "params.value == null ? '—' : "
                                "params.value.toLocaleString('ru-RU', {maximumFractionDigits: 1})"}


def register_columns(labels: dict[str, tuple[str, str]]) -> None:
    """Add `col.<name>` headers (ru, en) that no other page has defined yet."""
    register_strings({f"col.{name}": {"ru": ru, "en": en} for name, (ru, en) in labels.items()
                      if f"col.{name}" not in STRINGS})


def value_labels(values: pd.Series, prefix: str) -> pd.Series:
    """Codes shown in the user's language: each value (or each "; "-joined part) `v` → `t(prefix.v)` when known."""

    def label(code: object) -> object:
        if not isinstance(code, str) or not code:
            return code
        return "; ".join(t(f"{prefix}.{part}") if f"{prefix}.{part}" in STRINGS else part for part in code.split("; "))

    uniques = values.dropna().unique()  # translate each distinct code once, then map the column
    return values.map(dict(zip(uniques, map(label, uniques)))).where(values.notna(), values)


def program_table(name: str, frame: pd.DataFrame, columns: Sequence[str], *, page_size: int = 20) -> object:
    """Grid of `frame[columns]`: dates as ISO text shown ``DD.MM.YYYY``, numbers ``1 234,5``, CSV export."""
    shown = frame.loc[:, list(columns)].copy()
    defs = []
    for column in columns:
        values = shown[column]
        header = t(f"col.{column}")
        spec: dict = {"field": column, "headerName": header, "flex": 2 if column in WIDE else 1, "minWidth": 100}
        if pd.api.types.is_datetime64_any_dtype(values):
            shown[column] = values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
            spec.update(filter="agTextColumnFilter", valueFormatter=DATE_FORMATTER)
        elif pd.api.types.is_bool_dtype(values):
            shown[column] = values.map({True: t("yes"), False: t("no")})
            spec.update(filter="agTextColumnFilter")
        elif pd.api.types.is_numeric_dtype(values):
            shown[column] = values.astype("float64").round(2).astype(object).where(values.notna(), None)
            spec.update(filter="agNumberColumnFilter", type="numericColumn", valueFormatter=NUMBER_FORMATTER)
        else:
            shown[column] = values.astype(object).where(values.notna(), None)
            spec.update(filter="agTextColumnFilter")
        defs.append(spec)
    return data_grid(name, shown, columns=defs, page_size=page_size, csv_filename=f"{name}.csv")


register_strings({
    "yes": {"ru": "да", "en": "yes"}, "no": {"ru": "нет", "en": "no"},
    # ticket types (SPEC §3), shown by the partner's tickets and the dedicated-support page
    "ticket.type.simple": {"ru": "простая", "en": "simple"},
    "ticket.type.complex": {"ru": "сложная", "en": "complex"},
    "ticket.type.bug": {"ru": "ошибка", "en": "bug"},
    "ticket.type.rework": {"ru": "доработка", "en": "rework"},
})
