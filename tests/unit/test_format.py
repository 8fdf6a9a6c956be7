"""Russian number and date formatting of the interface (STYLE.md: `1 234,5`, `27.04.2024`)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from components.format import fmt_date, fmt_datetime, fmt_money, fmt_number, fmt_percent, fmt_quarter, fmt_signed


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, None, "1 234,5"),
    (1234, None, "1 234"),
    (1234567.891, None, "1 234 567,9"),
    (1234.96, None, "1 235"),
    (0.25, 2, "0,25"),
    (-1234.5, None, "\u22121 234,5"),
    (-0.04, None, "0"),
    (12, 1, "12,0"),
    (np.int64(5000), None, "5 000"),
])
def test_fmt_number(value, decimals, expected):
    assert fmt_number(value, decimals, lang="ru") == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan])
def test_missing_numbers_show_a_dash(missing):
    assert fmt_number(missing) == "—"


def test_fmt_percent_appends_a_spaced_percent_sign():
    assert fmt_percent(87.25, 1) == "87,3 %"
    assert fmt_percent(None) == "—"


def test_fmt_date_of_a_date_and_a_naive_timestamp():
    assert fmt_date(dt.date(2024, 4, 27)) == "27.04.2024"  # Russian outside a request
    assert fmt_date(pd.Timestamp("2024-04-27 23:30")) == "27.04.2024"


def test_fmt_date_shows_utc_instants_on_the_moscow_date():
    # 2024-04-26 22:00 UTC is 01:00 on 27 April in Moscow (UTC+3)
    assert fmt_date(pd.Timestamp("2024-04-26 22:00", tz="UTC")) == "27.04.2024"
    assert fmt_datetime(dt.datetime(2024, 4, 27, 7, 15, tzinfo=dt.timezone.utc)) == "27.04.2024 10:15"


def test_fmt_date_of_missing_values():
    assert fmt_date(None) == "—" and fmt_date(pd.NaT) == "—"


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, None, "1,234.5"), (-5, None, "\u22125"), (65.6, None, "65.6"), (0.25, 2, "0.25"),
])
def test_fmt_number_in_english(value, decimals, expected):
    assert fmt_number(value, decimals, lang="en") == expected


def test_fmt_number_uses_a_real_minus_and_a_decimal_comma_in_russian():
    assert fmt_number(65.6, lang="ru") == "65,6"
    assert fmt_number(-5, lang="ru") == "\u22125"
    assert fmt_signed(-5, lang="ru") == "\u22125" and fmt_signed(3.2, lang="ru") == "+3,2"
    assert fmt_signed(0, lang="ru") == "0"


def test_fmt_percent_in_english_has_no_space():
    assert fmt_percent(87.25, 1, lang="en") == "87.3%"


def test_fmt_quarter_in_both_languages():
    assert fmt_quarter("2026Q3", lang="ru") == "III кв. 2026"
    assert fmt_quarter("2025Q4", lang="ru") == "IV кв. 2025"
    assert fmt_quarter(pd.Period("2026Q1", freq="Q"), lang="en") == "Q1 2026"
    assert fmt_quarter("ttm:2026Q1", lang="en") == "ttm:2026Q1"


def test_fmt_money_in_both_languages():
    assert fmt_money(1234.5, lang="ru") == "1 234,50 ₽"
    assert fmt_money(-1234.5, lang="en").endswith("1,234.50") and "\u2212" in fmt_money(-1234.5, lang="en")


def test_fmt_date_in_english_spells_the_month():
    assert fmt_date(dt.date(2024, 4, 27), lang="en") == "27 Apr 2024"
