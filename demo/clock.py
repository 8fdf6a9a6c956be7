"""Dates of the demo world and vectorized time helpers (numpy ``datetime64[ns]``, UTC)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: First instant of demo activity (UTC).
DATA_START = np.datetime64("2023-01-01T00:00:00", "ns")
#: End of the data window, exclusive: data runs through 2026-11-15 (UTC).
DATA_END = np.datetime64("2026-11-16T00:00:00", "ns")
#: "Today" of the demo world (KKV expiry and overdue reports are judged against it).
TODAY = np.datetime64("2026-11-23T00:00:00", "ns")
#: The month start on which the Quality Program competence is decided in the designed cases.
COMPETENCE_DATE = np.datetime64("2026-11-01T00:00:00", "ns")

HOUR = np.timedelta64(3600 * 10**9, "ns")
DAY = np.timedelta64(86400 * 10**9, "ns")
NAT = np.datetime64("NaT", "ns")

#: Russian Saturdays that were working days (moved days of the production calendar).
RU_WORKING_SATURDAYS: tuple[str, ...] = ("2023-11-04", "2024-04-27", "2024-11-02", "2024-12-28", "2025-11-01")


def hours(values: np.ndarray | float) -> np.ndarray:
    """Convert hours (float) to ``timedelta64[ns]``."""
    return (np.asarray(values, dtype=float) * 3.6e12).astype(np.int64).astype("m8[ns]")


def days(values: np.ndarray | float) -> np.ndarray:
    """Convert days (float) to ``timedelta64[ns]``."""
    return hours(np.asarray(values, dtype=float) * 24.0)


def uniform_times(rng: np.random.Generator, start: np.ndarray | np.datetime64,
                  end: np.ndarray | np.datetime64, n: int) -> np.ndarray:
    """Draw ``n`` instants uniformly in ``[start, end)`` (broadcasting arrays of bounds)."""
    start_ns = np.asarray(start, dtype="M8[ns]").astype(np.int64)
    end_ns = np.asarray(end, dtype="M8[ns]").astype(np.int64)
    span = np.maximum(end_ns - start_ns, 0).astype(float)
    return (start_ns + (rng.random(n) * span).astype(np.int64)).astype("M8[ns]")


def local_to_utc(local: np.ndarray, timezones: np.ndarray) -> np.ndarray:
    """Interpret naive local times in per-row IANA ``timezones`` and return naive UTC times.

    Ambiguous autumn times are taken as standard time, non-existent spring times shifted forward.
    One vectorized ``tz_localize`` per distinct zone.
    """
    out = np.empty(len(local), dtype="M8[ns]")
    for tz in pd.unique(timezones):
        mask = timezones == tz
        idx = pd.DatetimeIndex(local[mask]).tz_localize(
            tz, ambiguous=np.zeros(int(mask.sum()), dtype=bool), nonexistent="shift_forward")
        out[mask] = idx.tz_convert("UTC").tz_localize(None).values
    return out


def utc_to_local(utc: np.ndarray, timezones: np.ndarray) -> np.ndarray:
    """Convert naive UTC times to naive local times of per-row IANA ``timezones``."""
    out = np.empty(len(utc), dtype="M8[ns]")
    for tz in pd.unique(timezones):
        mask = timezones == tz
        idx = pd.DatetimeIndex(utc[mask]).tz_localize("UTC").tz_convert(tz).tz_localize(None)
        out[mask] = idx.values
    return out


def to_utc_series(values: np.ndarray) -> pd.Series:
    """Wrap naive UTC ``datetime64[ns]`` values as a tz-aware UTC series, truncated to whole seconds."""
    seconds = np.asarray(values, dtype="M8[ns]").astype("M8[s]").astype("M8[ns]")
    return pd.Series(pd.DatetimeIndex(seconds).tz_localize("UTC"))
