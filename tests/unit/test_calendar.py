"""WorkCalendar: working seconds and deadlines, exact to the second (SPEC §5)."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.calendar import CALENDAR_PRESETS, WorkCalendar

H = 3600.0
RU = WorkCalendar.from_name("RU")  # short pre-holiday days on (RU default, labour code art. 95)
RU_FULL_DAYS = WorkCalendar(short_preholiday=False)
KZ = WorkCalendar.from_name("KZ")
UA = WorkCalendar.from_name("UA")


def local(*stamps: str, tz: str = "Europe/Moscow") -> pd.DatetimeIndex:
    return pd.DatetimeIndex(list(stamps)).tz_localize(tz)


def hours_between(cal: WorkCalendar, start: str, end: str) -> float:
    return (
        float(
            cal.working_seconds(
                local(start, tz=cal.timezone), local(end, tz=cal.timezone)
            )[0]
        )
        / H
    )


# ------------------------------------------------------------------ days and holidays
@pytest.mark.parametrize("saturday", ["2024-04-27", "2024-11-02", "2024-12-28"])
def test_russian_moved_working_saturdays_are_working_days(saturday):
    assert hours_between(RU_FULL_DAYS, f"{saturday} 00:00", f"{saturday} 23:59") == 9
    # each of them was also the last day before holidays: short by default (8 h)
    assert hours_between(RU, f"{saturday} 00:00", f"{saturday} 23:59") == 8


def test_holiday_that_is_also_listed_as_weekend_workday_stays_a_holiday():
    # holidays 0.62 lists 2024-01-06 (Saturday, New Year holidays) in weekend_workdays
    assert hours_between(RU, "2024-01-06 00:00", "2024-01-07 00:00") == 0


def test_ticket_over_new_year_holidays_2024_counts_only_the_working_edges():
    # Fri 29.12.2023 17:00-18:00 = 1 h; 30.12-08.01 off; Tue 09.01 09:00-10:00 = 1 h
    assert hours_between(RU, "2023-12-29 17:00", "2024-01-09 10:00") == 2


def test_ticket_over_the_working_saturday_before_may_holidays():
    # Fri 26.04 10-18 = 8 h, Sat 27.04 9-17 = 8 h (short), 28.04-01.05 off, Thu 02.05 9-11 = 2 h
    assert hours_between(RU, "2024-04-26 10:00", "2024-05-02 11:00") == 18


def test_interval_outside_working_hours_is_zero():
    assert hours_between(RU, "2024-05-03 18:00", "2024-05-06 09:00") == 0


def test_end_before_start_is_zero_and_missing_bound_is_nan():
    starts = local("2024-05-03 12:00", "2024-05-03 12:00")
    ends = pd.DatetimeIndex(
        [pd.Timestamp("2024-05-03 10:00", tz="Europe/Moscow"), pd.NaT]
    )
    result = RU.working_seconds(starts, ends)
    assert result[0] == 0
    assert np.isnan(result[1])


def test_naive_timestamps_are_calendar_local_time():
    naive = RU.working_seconds(
        pd.Series(pd.to_datetime(["2024-05-03 08:00"])),
        pd.Series(pd.to_datetime(["2024-05-03 10:00"])),
    )
    utc = RU.working_seconds(
        pd.Series(pd.to_datetime(["2024-05-03 05:00"]).tz_localize("UTC")),
        pd.Series(pd.to_datetime(["2024-05-03 07:00"]).tz_localize("UTC")),
    )
    assert naive[0] == utc[0] == H  # 09:00-10:00 Moscow


def test_extra_holiday_and_extra_workday_override_the_country_calendar():
    cal = WorkCalendar(extra_holidays=("2024-05-03",), extra_workdays=("2024-05-04",))
    assert (
        hours_between(cal, "2024-05-03 00:00", "2024-05-05 00:00") == 9
    )  # Fri off, Sat worked


# ------------------------------------------------------------------ time zones and DST
def test_kyiv_spring_forward_2024_03_31_moves_opening_hour_in_utc():
    # Fri 29.03 09:00 EET = 07:00Z; Mon 01.04 09:00 EEST = 06:00Z, so until 07:00Z Monday: 9 h + 1 h
    starts = pd.DatetimeIndex(["2024-03-29 07:00"]).tz_localize("UTC")
    ends = pd.DatetimeIndex(["2024-04-01 07:00"]).tz_localize("UTC")
    assert UA.working_seconds(starts, ends)[0] == 10 * H


def test_kyiv_24x7_day_of_spring_forward_lasts_23_hours():
    cal = WorkCalendar(
        timezone="Europe/Kyiv",
        country=None,
        hours=("00:00", "24:00"),
        workdays=range(7),
    )
    assert hours_between(cal, "2024-03-31 00:00", "2024-04-01 00:00") == 23
    assert hours_between(cal, "2024-10-27 00:00", "2024-10-28 00:00") == 25


def test_almaty_moved_working_saturday_and_may_holidays():
    # Fri 03.05 17-18 = 1 h, Sat 04.05 (moved) 9 h, Mon 06.05 9 h, 07-09.05 holidays, Fri 10.05 9-10 = 1 h
    assert hours_between(KZ, "2024-05-03 17:00", "2024-05-10 10:00") == 20


def test_almaty_opening_hour_in_utc_follows_the_2024_switch_to_utc_plus_5():
    starts = pd.DatetimeIndex(["2023-05-05 03:00", "2024-05-06 04:00"]).tz_localize(
        "UTC"
    )
    assert list(KZ.working_seconds(starts, starts + pd.Timedelta(hours=1))) == [H, H]
    assert list(KZ.working_seconds(starts - pd.Timedelta(hours=1), starts)) == [0, 0]


# ------------------------------------------------------------------ special calendars
def test_short_preholiday_day_closes_one_hour_earlier():
    cal = WorkCalendar()
    assert (
        hours_between(cal, "2024-02-22 00:00", "2024-02-23 00:00") == 8
    )  # before 23 February
    assert (
        hours_between(cal, "2024-04-27 00:00", "2024-04-28 00:00") == 8
    )  # moved Saturday before May
    assert (
        hours_between(cal, "2025-05-07 00:00", "2025-05-08 00:00") == 9
    )  # before a moved day off only
    assert (
        hours_between(RU_FULL_DAYS, "2024-02-22 00:00", "2024-02-23 00:00") == 9
    )  # the RU default can be switched off
    assert KZ.short_preholiday is False  # on by default for RU only


def test_24x7_calendar_counts_wall_time_over_weekends_and_holidays():
    cal = WorkCalendar.from_name("24x7")
    assert hours_between(cal, "2024-12-31 20:00", "2025-01-02 08:00") == 36


# ------------------------------------------------------------------ deadlines
def test_deadline_may_fall_exactly_at_closing_time():
    deadline = RU.add_working_seconds(local("2024-05-03 10:00"), [8 * H])
    assert deadline[0] == pd.Timestamp("2024-05-03 18:00", tz="Europe/Moscow")
    assert str(deadline.tz) == "UTC"


def test_deadline_skips_holidays_and_weekend():
    # Wed 08.05 (short) 16-17 = 1 h; 09-12.05 off; Mon 13.05 09-10 = 1 h
    deadline = RU.add_working_seconds(local("2024-05-08 16:00"), [2 * H])
    assert deadline[0] == pd.Timestamp("2024-05-13 10:00", tz="Europe/Moscow")


def test_deadline_from_non_working_time_starts_at_next_opening():
    deadline = RU.add_working_seconds(local("2024-05-04 12:00"), [30 * 60])
    assert deadline[0] == pd.Timestamp("2024-05-06 09:30", tz="Europe/Moscow")


def test_zero_budget_is_the_start_and_missing_budget_is_nat():
    start = local("2024-05-04 12:00", "2024-05-04 12:00")
    deadline = RU.add_working_seconds(start, [0.0, np.nan])
    assert deadline[0] == start[0]
    assert deadline[1] is pd.NaT


def test_far_deadline_extends_the_day_table_lazily():
    deadline = RU.add_working_seconds(local("2024-01-09 09:00"), [9 * H * 400])
    assert deadline[0].year == 2025
    assert RU.working_seconds(local("2024-01-09 09:00"), deadline)[0] == 9 * H * 400


# ------------------------------------------------------------------ storage
def test_calendar_round_trips_through_dict():
    cal = WorkCalendar(
        timezone="Asia/Almaty",
        country="KZ",
        extra_holidays=("2024-06-03",),
        short_preholiday=True,
    )
    assert WorkCalendar.from_dict(cal.to_dict()) == cal
    assert WorkCalendar.from_dict(cal.to_dict()).extra_holidays == ("2024-06-03",)


def test_presets_name_their_time_zones():
    assert [WorkCalendar.from_name(n).timezone for n in ("RU", "KZ", "UA")] == [
        "Europe/Moscow",
        "Asia/Almaty",
        "Europe/Kyiv",
    ]
    with pytest.raises(KeyError):
        WorkCalendar.from_name("Mars")


# ------------------------------------------------------------------ independent reference
@functools.cache
def country_holidays(
    country: str, year: int
) -> tuple[holidays.HolidayBase, set[dt.date]]:
    named = holidays.country_holidays(country, years=[year, year + 1], language="en_US")
    return named, {
        d
        for d, name in named.items()
        if "substituted" not in name and "(observed" not in name
    }


def reference_seconds(
    preset: str, short: bool, start: dt.datetime, end: dt.datetime
) -> int:
    """Day-by-day: intersect [start, end) with each local day's working hours (zoneinfo, loops)."""
    params = CALENDAR_PRESETS[preset]
    zone = ZoneInfo(params["timezone"])
    country = params["country"]
    day, last = (
        start.astimezone(zone).date() - dt.timedelta(days=1),
        end.astimezone(zone).date(),
    )
    total = 0
    while day <= last:
        named, public = country_holidays(country, day.year)

        def working(d, named=named):
            return d not in named and (d.weekday() < 5 or d in named.weekend_workdays)

        if working(day):
            close_hour = 18
            if short:
                after = day + dt.timedelta(days=1)
                gap = []
                while not working(after):
                    gap.append(after)
                    after += dt.timedelta(days=1)
                moved = day in named.weekend_workdays
                if (day + dt.timedelta(days=1)) in public or (
                    moved and any(g in public for g in gap)
                ):
                    close_hour = 17
            opening = dt.datetime.combine(day, dt.time(9), tzinfo=zone)
            closing = dt.datetime.combine(day, dt.time(close_hour), tzinfo=zone)
            overlap = (min(end, closing) - max(start, opening)).total_seconds()
            total += max(0, int(overlap))
        day += dt.timedelta(days=1)
    return total


BASE = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
SPAN_S = 3 * 366 * 86_400
intervals = st.lists(
    st.tuples(st.integers(0, SPAN_S), st.integers(-3_600, 14 * 86_400)),
    min_size=1,
    max_size=120,
)


@settings(max_examples=40, deadline=None)
@given(preset=st.sampled_from(["RU", "KZ", "UA"]), short=st.booleans(), pairs=intervals)
def test_working_seconds_equal_day_by_day_reference_to_the_second(preset, short, pairs):
    cal = WorkCalendar(**CALENDAR_PRESETS[preset], short_preholiday=short)
    starts = [BASE + dt.timedelta(seconds=s) for s, _ in pairs]
    ends = [BASE + dt.timedelta(seconds=s + d) for s, d in pairs]
    result = cal.working_seconds(pd.DatetimeIndex(starts), pd.DatetimeIndex(ends))
    expected = [reference_seconds(preset, short, s, e) for s, e in zip(starts, ends)]
    assert result.tolist() == expected


@settings(max_examples=40, deadline=None)
@given(
    preset=st.sampled_from(["RU", "KZ", "UA"]),
    pairs=st.lists(
        st.tuples(st.integers(0, SPAN_S), st.integers(0, 200 * 3600)),
        min_size=1,
        max_size=100,
    ),
)
def test_deadline_is_the_earliest_instant_with_that_working_time(preset, pairs):
    cal = WorkCalendar.from_name(preset)
    starts = pd.DatetimeIndex([BASE + dt.timedelta(seconds=s) for s, _ in pairs])
    budget = np.array([b for _, b in pairs], dtype=float)
    deadline = cal.add_working_seconds(starts, budget)
    assert cal.working_seconds(starts, deadline).tolist() == budget.tolist()
    positive = budget > 0
    one_second_earlier = cal.working_seconds(
        starts[positive], deadline[positive] - pd.Timedelta(seconds=1)
    )
    assert (one_second_earlier == budget[positive] - 1).all()


@pytest.mark.parametrize("preset", ["RU", "KZ", "UA"])
def test_thousands_of_random_intervals_equal_the_reference(preset):
    rng = np.random.default_rng(7)
    offsets = rng.integers(0, SPAN_S, 1_500)
    durations = rng.integers(-3_600, 10 * 86_400, 1_500)
    starts = [BASE + dt.timedelta(seconds=int(s)) for s in offsets]
    ends = [BASE + dt.timedelta(seconds=int(s + d)) for s, d in zip(offsets, durations)]
    result = WorkCalendar.from_name(preset).working_seconds(
        pd.DatetimeIndex(starts), pd.DatetimeIndex(ends)
    )
    assert result.tolist() == [
        reference_seconds(preset, preset == "RU", s, e) for s, e in zip(starts, ends)
    ]
