"""Date helpers shared by the partner-programme metrics: UTC instants, month starts, quarters."""

from __future__ import annotations

import datetime as dt

import pandas as pd

DateLike = str | dt.date | dt.datetime | pd.Timestamp


def utc_timestamp(value: DateLike) -> pd.Timestamp:
    """Return `value` as a tz-aware UTC Timestamp (a naive value is taken as UTC)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def utc_series(values: pd.Series) -> pd.Series:
    """Return a Series of tz-aware UTC nanosecond timestamps (naive values are taken as UTC)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values, utc=True, format="ISO8601").dt.as_unit("ns")
    converted = pd.Series(values)
    if converted.dt.tz is None:
        converted = converted.dt.tz_localize("UTC")
    return converted.dt.tz_convert("UTC").dt.as_unit("ns")


def month_starts(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """1st of every month (00:00 UTC) in [start, end]; a `start` inside a month begins at the next 1st."""
    first = utc_timestamp(start)
    if first != first.normalize() or first.day != 1:
        first = first.normalize() + pd.offsets.MonthBegin(1)
    return pd.date_range(first, utc_timestamp(end), freq="MS")


def quarter_bounds(quarter: str | pd.Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Half-open UTC interval [first instant, first instant of the next quarter) of `quarter` ('2024Q1')."""
    period = pd.Period(quarter, freq="Q")
    start = utc_timestamp(period.start_time)
    return start, start + pd.DateOffset(months=3)
