"""The pinned calendar data knows the official calendar of today (SPEC §5 «Calendars stay current»).

These tests are meant to fail the day the pinned `holidays` release goes stale: the Russian facts of
2026 are written here from the government decree (postanovlenie of 24.09.2025 on moving days off in
2026), and every country a client uses must have data for the next year.
"""
from __future__ import annotations

import datetime as dt

import holidays
import pandas as pd
import pytest

from metrics.calendar import WorkCalendar
from store import clock

# Official days off of Russia in 2026 that are not fixed-date holidays: moved days and observed ones
RU_2026_DAYS_OFF = ("2026-01-09", "2026-03-09", "2026-05-11", "2026-12-31")
# Saturdays that were working days by decree (moved working days)
RU_WORKING_SATURDAYS = ("2024-04-27", "2024-11-02", "2024-12-28", "2025-11-01")
CLIENT_COUNTRIES = ("RU", "KZ", "UZ", "BY")


@pytest.mark.parametrize("day", RU_2026_DAYS_OFF)
def test_pinned_holidays_know_the_russian_days_off_of_2026(day: str) -> None:
    assert dt.date.fromisoformat(day) in holidays.country_holidays("RU", years=2026)


@pytest.mark.parametrize("day", RU_2026_DAYS_OFF)
def test_the_russian_calendar_has_no_working_hours_on_2026_days_off(day: str) -> None:
    start = pd.DatetimeIndex([f"{day} 00:00"]).tz_localize("Europe/Moscow")
    end = start + pd.Timedelta(days=1)
    assert WorkCalendar.from_name("RU").working_seconds(start, end)[0] == 0


@pytest.mark.parametrize("day", RU_WORKING_SATURDAYS)
def test_the_russian_calendar_works_on_moved_saturdays(day: str) -> None:
    start = pd.DatetimeIndex([f"{day} 00:00"]).tz_localize("Europe/Moscow")
    end = start + pd.Timedelta(days=1)
    assert WorkCalendar.from_name("RU").working_seconds(start, end)[0] > 0


@pytest.mark.parametrize("country", CLIENT_COUNTRIES)
@pytest.mark.parametrize("offset", [0, 1], ids=["current-year", "next-year"])
def test_pinned_holidays_have_data_for_the_current_and_next_year(country: str, offset: int) -> None:
    year = clock.now().year + offset
    days = holidays.country_holidays(country, years=year)
    assert len(days) > 0, f"holidays {holidays.__version__} has no {country} data for {year}: upgrade the pin"
