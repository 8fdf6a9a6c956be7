"""Calendars know the official calendar of the current and the next year (SPEC §5, issue 12).

The year comes from the product clock (`store.clock.now()`), so these tests fail the day the pinned
`holidays` package no longer knows the official calendar of the current or the next year.
"""

from __future__ import annotations

import holidays
import pandas as pd
import pytest

from metrics.calendar import WorkCalendar, package_covers, package_decree_years
from store import clock

H = 3600.0
RU = WorkCalendar.from_name("RU")
#: RU 2026 norm of working hours per month, 40-hour week (government resolution of 2025, 247 days, 1972 h)
RU_2026_MONTH_HOURS = [120, 152, 168, 175, 151, 167, 184, 168, 176, 176, 159, 176]


def day_hours(cal: WorkCalendar, day: str) -> float:
    start = pd.DatetimeIndex([pd.Timestamp(day, tz=cal.timezone)])
    return float(cal.working_seconds(start, start + pd.Timedelta(days=1))[0]) / H


@pytest.mark.parametrize("day", ["2026-01-09", "2026-03-09", "2026-05-11", "2026-12-31"])
def test_official_russian_days_off_of_2026_have_no_working_time(day):
    assert day_hours(RU, day) == 0


@pytest.mark.parametrize("saturday", ["2024-04-27", "2025-11-01"])
def test_moved_russian_working_saturdays_are_working_days(saturday):
    # both precede holidays: short by default (labour code art. 95), 09:00-17:00
    assert day_hours(RU, saturday) == 8


@pytest.mark.parametrize("day", ["2026-04-30", "2026-05-08", "2026-06-11", "2026-11-03"])
def test_russian_pre_holiday_days_of_2026_are_short_by_default(day):
    assert day_hours(RU, day) == 8


def test_russian_2026_month_norms_equal_the_production_calendar():
    eight_hours = WorkCalendar(hours=("09:00", "17:00"))
    starts = pd.date_range("2026-01-01", periods=12, freq="MS", tz="Europe/Moscow")
    ends = starts + pd.offsets.MonthBegin(1)
    assert (eight_hours.working_seconds(starts, ends) / H).tolist() == RU_2026_MONTH_HOURS


def test_a_holiday_wins_over_a_moved_working_day():
    assert day_hours(RU, "2024-01-06") == 0  # New Year holiday, once listed as a weekend workday
    kz = WorkCalendar.from_name("KZ")
    assert day_hours(kz, "2013-12-28") == 9  # a KZ working Saturday the package keeps listing
    assert day_hours(kz, "2013-12-21") == 0


@pytest.mark.parametrize("country", ["RU", "KZ", "UZ", "BY"])
def test_package_has_the_public_holidays_of_the_current_and_next_year(country):
    year = clock.now().year
    for y in (year, year + 1):
        named = holidays.country_holidays(country, years=[y])
        assert pd.Timestamp(f"{y}-01-01").date() in named, (country, y)
        cal = WorkCalendar(country=country, timezone="UTC")
        assert day_hours(cal, f"{y}-01-01") == 0


def test_package_has_the_russian_decree_of_the_current_and_next_year():
    # moved days off and working Saturdays come from the yearly government resolution
    year = clock.now().year
    assert {year, year + 1} <= package_decree_years("RU")
    assert package_covers("RU", year + 1)


@pytest.mark.parametrize("country", ["UZ", "BY"])
def test_package_has_the_decree_of_the_current_year(country):
    assert package_covers(country, clock.now().year)


def test_coverage_follows_the_clock(monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", "2031-01-10T09:00:00+03:00")
    assert not package_covers("RU", clock.now().year)
    assert package_covers(None, clock.now().year)
