"""Read query results into typed DataFrames: timestamps tz-aware UTC, dates as datetime64, whatever the database."""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Float, Integer, Select


def read_frame(conn: Connection, stmt: Select, chunksize: int | None = None) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """`pandas.read_sql` of a SQLAlchemy select with column types restored from the select's own types.

    SQLite returns timestamps as text; PostgreSQL as aware datetimes. Both come back as
    datetime64[ns, UTC] (DateTime columns) or datetime64[ns] (Date columns); numeric columns
    stay numeric even when every value is NULL.
    """
    kinds = {c.name: c.type for c in stmt.selected_columns}
    if chunksize is None:
        return _typed(pd.read_sql(stmt, conn), kinds)
    return (_typed(chunk, kinds) for chunk in pd.read_sql(stmt, conn, chunksize=chunksize))


def _typed(frame: pd.DataFrame, kinds: dict) -> pd.DataFrame:
    for name, kind in kinds.items():
        if name not in frame.columns:
            continue
        if isinstance(kind, DateTime):
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601") \
                if frame[name].dtype == object else pd.to_datetime(frame[name], utc=True)
        elif isinstance(kind, Date):
            frame[name] = pd.to_datetime(frame[name])
        elif isinstance(kind, (Float, Integer)) and frame[name].dtype == object:
            # an all-NULL column comes back as object; numbers must stay numbers for quantiles and sums
            frame[name] = pd.to_numeric(frame[name])
    return frame
