"""The one clock of the product: every «now» (pages, reports, jobs, CLI) comes from `now()`.

SPEC §10: `QUALITY_NOW` (an ISO 8601 instant with offset), when set, is «now» for every command, job and
the server, so tests and checks can move time. Nothing else reads the system time.
"""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd

ENV_VAR = "QUALITY_NOW"


def now() -> pd.Timestamp:
    """The current instant, tz-aware UTC: `QUALITY_NOW` when set, else the system clock."""
    fixed = os.environ.get(ENV_VAR, "").strip()
    if fixed:
        stamp = pd.Timestamp(fixed)
        if stamp.tzinfo is None:
            raise ValueError(f"{ENV_VAR} must carry a UTC offset, e.g. 2026-11-30T09:00:00+03:00: {fixed!r}")
        return stamp.tz_convert("UTC")
    return pd.Timestamp.now(tz="UTC")


def now_datetime() -> dt.datetime:
    """`now()` as a plain tz-aware `datetime` (for ORM columns)."""
    return now().to_pydatetime()


def today() -> dt.date:
    """Today's date in UTC by `now()`."""
    return now().date()
