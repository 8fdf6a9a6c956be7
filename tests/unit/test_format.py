"""Russian number and date formatting of the interface (STYLE.md: `1 234,5`, `27.04.2024`)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from components.format import fmt_date, fmt_datetime, fmt_number, fmt_percent


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, None, "1 234,5"),
    (1234, None, "1 234"),
    (1234567.891, None, "1 234 567,9"),
    (1234.96, None, "1 235"),
    (0.25, 2, "0,25"),
    (-1234.5, None, "-1 234,5"),
    (-0.04, None, "0"),
    (12, 1, "12,0"),
    (np.int64(5000), None, "5 000"),
])
def test_fmt_number(value, decimals, expected):
    assert fmt_number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan])
def test_missing_numbers_show_a_dash(missing):
    assert fmt_number(missing) == "—"


def test_fmt_percent_appends_a_spaced_percent_sign():
    assert fmt_percent(87.25, 1) == "87,3 %"
    assert fmt_percent(None) == "—"


def test_fmt_date_of_a_date_and_a_naive_timestamp():
    assert fmt_date(dt.date(2024, 4, 27)) == "27.04.2024"
    assert fmt_date(pd.Timestamp("2024-04-27 23:30")) == "27.04.2024"


def test_fmt_date_shows_utc_instants_on_the_moscow_date():
    # 2024-04-26 22:00 UTC is 01:00 on 27 April in Moscow (UTC+3)
    assert fmt_date(pd.Timestamp("2024-04-26 22:00", tz="UTC")) == "27.04.2024"
    assert fmt_datetime(dt.datetime(2024, 4, 27, 7, 15, tzinfo=dt.timezone.utc)) == "27.04.2024 10:15"


def test_fmt_date_of_missing_values():
    assert fmt_date(None) == "—" and fmt_date(pd.NaT) == "—"
