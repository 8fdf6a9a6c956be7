"""Working time and deadlines with pauses across Europe/Kyiv DST and the Asia/Almaty 2024-03-01 zone change,
against an independent minute walk.

The reference walks every real minute of the interval (UTC minutes, converted to the zone's wall clock by
pandas/zoneinfo): a minute counts when its local date is a working day (weekday in `workdays` or an extra
working day, and not an extra holiday) and its local time of day lies in the opening hours, and it is not
inside a pause. A repeated wall-clock hour (clocks moved back) is real time and counts twice; a skipped one
does not exist. Instants are whole minutes, so the walk is exact.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.calendar import WorkCalendar
from metrics.sla import SlaPolicy, elapsed_working_seconds, evaluate_tickets

# (zone, UTC instant of a clock change) — Kyiv spring/autumn DST 2024, Almaty UTC+6 → UTC+5 at local midnight
TRANSITIONS = (
    ("Europe/Kyiv", "2024-03-31 01:00"),
    ("Europe/Kyiv", "2024-10-27 01:00"),
    ("Asia/Almaty", "2024-02-29 18:00"),
)
HOURS = (("00:00", "24:00"), ("02:30", "04:30"), ("09:00", "18:00"), ("22:00", "24:00"), ("00:00", "01:30"))
WEEK = (0, 1, 2, 3, 4, 5, 6)
DAY_MIN = 24 * 60


@st.composite
def calendars(draw) -> WorkCalendar:
    zone, change = draw(st.sampled_from(TRANSITIONS))
    day0 = pd.Timestamp(change).normalize()
    near = st.integers(-3, 3).map(lambda k: str((day0 + pd.Timedelta(days=k)).date()))
    return WorkCalendar(
        timezone=zone, country=None, hours=draw(st.sampled_from(HOURS)),
        workdays=tuple(sorted(draw(st.sets(st.sampled_from(WEEK), min_size=1)))),
        extra_holidays=tuple(draw(st.lists(near, max_size=2))), extra_workdays=tuple(draw(st.lists(near, max_size=2))),
    ), pd.Timestamp(change, tz="UTC")


def _minutes(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="min", inclusive="left")


def working_minutes(cal: WorkCalendar, minutes: pd.DatetimeIndex) -> np.ndarray:
    """Which UTC minutes are working minutes of `cal` (the reference; no product code)."""
    wall = minutes.tz_convert(cal.timezone)
    dates = wall.tz_localize(None).normalize().to_numpy()
    holiday = np.isin(dates, pd.to_datetime(list(cal.extra_holidays)).to_numpy())
    extra = np.isin(dates, pd.to_datetime(list(cal.extra_workdays)).to_numpy())
    workday = (np.isin(wall.day_of_week, list(cal.workdays)) | extra) & ~holiday
    open_min, close_min = (int(h[:2]) * 60 + int(h[3:]) for h in cal.hours)
    tod = wall.hour * 60 + wall.minute
    return np.asarray(workday & (tod >= open_min) & (tod < close_min))


def paused_minutes(minutes: pd.DatetimeIndex, pauses: list[tuple[pd.Timestamp, pd.Timestamp | None]]) -> np.ndarray:
    out = np.zeros(len(minutes), dtype=bool)
    for paused, resumed in pauses:
        out |= (minutes >= paused) & ((minutes < resumed) if resumed is not None else True)
    return out


@st.composite
def cases(draw):
    cal, change = draw(calendars())
    start = change + pd.Timedelta(minutes=draw(st.integers(-3 * DAY_MIN, DAY_MIN)))
    end = start + pd.Timedelta(minutes=draw(st.integers(0, 4 * DAY_MIN)))
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        paused = start + pd.Timedelta(minutes=draw(st.integers(-DAY_MIN, 5 * DAY_MIN)))
        length = draw(st.one_of(st.none(), st.integers(0, 2 * DAY_MIN)))
        pauses.append((paused, None if length is None else paused + pd.Timedelta(minutes=length)))
    return cal, start, end, pauses


def _pause_frame(pauses, row: int = 0) -> pd.DataFrame:
    return pd.DataFrame({
        "row": [row] * len(pauses), "ticket_id": ["T"] * len(pauses),
        "paused_at": pd.DatetimeIndex([p for p, _ in pauses], tz="UTC") if pauses else pd.DatetimeIndex([], tz="UTC"),
        "resumed_at": pd.DatetimeIndex([r if r is not None else pd.NaT for _, r in pauses], tz="UTC")
        if pauses else pd.DatetimeIndex([], tz="UTC"),
        "reason": ["waiting_client"] * len(pauses),
    })


@settings(max_examples=250, deadline=None)
@given(cases())
def test_elapsed_working_seconds_equals_the_minute_walk(case):
    cal, start, end, pauses = case
    minutes = _minutes(start, end)
    expected = 60.0 * (working_minutes(cal, minutes) & ~paused_minutes(minutes, pauses)).sum()
    got = elapsed_working_seconds([start], [end], cal, _pause_frame(pauses))
    assert got[0] == expected
    without_pauses = elapsed_working_seconds([start], [end], cal)
    assert without_pauses[0] == 60.0 * working_minutes(cal, minutes).sum()


@settings(max_examples=250, deadline=None)
@given(cases(), st.integers(1, 8 * 60))
def test_deadline_with_pauses_equals_the_minute_walk(case, budget_min):
    cal, start, _end, pauses = case
    horizon = start + pd.Timedelta(days=21)
    minutes = _minutes(start, horizon)
    counting = working_minutes(cal, minutes) & ~paused_minutes(minutes, pauses)
    reached = np.flatnonzero(np.cumsum(counting) == budget_min)
    if not len(reached):  # the budget is never reached within the horizon (e.g. a pause never resumed)
        return
    expected = minutes[reached[0]] + pd.Timedelta(minutes=1)
    tickets = pd.DataFrame({"ticket_id": ["T"], "created_at": [start], "type": ["simple"], "calendar": ["c"],
                            "sla_policy": ["p"], "resolved_at": [pd.NaT], "accepted_at": [start]})
    policy = SlaPolicy(simple_hours=budget_min / 60)
    result = evaluate_tickets(tickets, _pause_frame(pauses).drop(columns="row"), {"c": cal}, {"p": policy},
                              now=horizon)
    assert abs((result["deadline"].iloc[0] - expected).total_seconds()) < 1e-3, (result["deadline"].iloc[0], expected)
