"""Throughput of working-time computation versus ``businesstimedelta`` (SPEC §5, §9).

Both engines get the same random intervals and the same schedule: 09:00-18:00 Monday-Friday,
Russian public holidays, Europe/Moscow.  ``businesstimedelta`` knows no moved working
Saturdays, so the compared calendar is ``WorkCalendar(country=None, extra_holidays=<RU dates>)``;
the real RU calendar (with working Saturdays) is timed too.

Run: ``python -m benchmarks.working_time [n_rows]`` prints the figures as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable

import businesstimedelta
import holidays
import numpy as np
import pandas as pd
import pytz

from metrics.calendar import WorkCalendar
from metrics.sla import elapsed_working_seconds

TIMEZONE = "Europe/Moscow"
YEARS = (2024, 2025)


def random_intervals(n_rows: int, seed: int) -> tuple[pd.Series, pd.Series]:
    """Second-resolution UTC starts over ``YEARS`` and durations of 0-7 days."""
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(f"{YEARS[0]}-01-01", tz="UTC")
    span_s = (pd.Timestamp(f"{YEARS[-1]}-12-20", tz="UTC") - first).total_seconds()
    starts = first + pd.to_timedelta(rng.integers(0, int(span_s), n_rows), unit="s")
    ends = starts + pd.to_timedelta(rng.integers(0, 7 * 86_400, n_rows), unit="s")
    return pd.Series(starts), pd.Series(ends)


def businesstimedelta_rules(holiday_dates: list[dt.date]) -> businesstimedelta.Rules:
    zone = pytz.timezone(TIMEZONE)
    workday = businesstimedelta.WorkDayRule(
        start_time=dt.time(9),
        end_time=dt.time(18),
        working_days=[0, 1, 2, 3, 4],
        tz=zone,
    )
    return businesstimedelta.Rules(
        [workday, businesstimedelta.HolidayRule(holiday_dates, tz=zone)]
    )


def best_of(repeats: int, run: Callable[[], np.ndarray]) -> tuple[np.ndarray, float]:
    """Result and the shortest wall time of ``repeats`` runs (first-touch memory costs excluded)."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
    return result, min(timings)


def measure(n_rows: int = 1_000_000, n_baseline: int = 300, seed: int = 0) -> dict:
    """Rows per second of ``elapsed_working_seconds`` and of ``businesstimedelta``.

    Returns
    -------
    dict with ``rows``, ``rows_per_s`` (same schedule as the baseline), ``ru_calendar_rows_per_s``
    (RU calendar with moved working days), ``baseline_rows``, ``baseline_rows_per_s``,
    ``ratio`` = rows_per_s / baseline_rows_per_s and ``agree`` (exact equality on the baseline sample).
    """
    holiday_dates = sorted(
        holidays.country_holidays("RU", years=range(YEARS[0], YEARS[-1] + 2))
    )
    same_schedule = WorkCalendar(
        timezone=TIMEZONE, country=None, extra_holidays=tuple(holiday_dates)
    )
    ru_calendar = WorkCalendar.from_name("RU")
    starts, ends = random_intervals(n_rows, seed)
    for cal in (same_schedule, ru_calendar):  # build the day tables outside the timing
        elapsed_working_seconds(starts[:10], ends[:10], cal)

    ours, ours_s = best_of(
        3, lambda: elapsed_working_seconds(starts, ends, same_schedule)
    )
    _, ru_s = best_of(3, lambda: elapsed_working_seconds(starts, ends, ru_calendar))

    rules = businesstimedelta_rules(holiday_dates)
    sample_starts = [ts.to_pydatetime() for ts in starts[:n_baseline]]
    sample_ends = [ts.to_pydatetime() for ts in ends[:n_baseline]]
    started = time.perf_counter()
    baseline = [
        rules.difference(s, e).timedelta.total_seconds()
        for s, e in zip(sample_starts, sample_ends)
    ]
    baseline_s = time.perf_counter() - started

    rows_per_s = n_rows / ours_s
    baseline_rows_per_s = n_baseline / baseline_s
    return {
        "rows": n_rows,
        "rows_per_s": rows_per_s,
        "ru_calendar_rows_per_s": n_rows / ru_s,
        "baseline_rows": n_baseline,
        "baseline_rows_per_s": baseline_rows_per_s,
        "ratio": rows_per_s / baseline_rows_per_s,
        "agree": bool(np.array_equal(ours[:n_baseline], np.asarray(baseline))),
    }


if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(measure(n_rows=rows)))
