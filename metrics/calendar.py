"""Working-time calendar: exact, vectorized working seconds between instants (SPEC §5).

A calendar is a table of days.  Every local date ``d`` has one working interval
``[open_d, close_d)`` built in the calendar's local wall time (so DST is handled by
the time-zone database) and converted to UTC nanoseconds; non-working days get an empty
interval.  Intervals are disjoint and sorted, so the cumulative working time up to an
instant ``t`` is

    F(t) = C[i] + clip(t - open_i, 0, close_i - open_i),   i = last day with open_i <= t,

where ``C`` is the prefix sum of the interval lengths.  ``working_seconds(s, e) = F(e) - F(s)``
and ``add_working_seconds`` inverts ``F`` with one ``searchsorted`` over ``C``.
All arithmetic is on int64 nanoseconds, hence exact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import holidays as holidays_lib
import numpy as np
import pandas as pd

NS_PER_S = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_S
_NAT = np.iinfo(np.int64).min
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)

#: Countries whose pre-holiday working day is one hour shorter by law (RU labour code art. 95);
#: ``short_preholiday=None`` resolves to true for them.
SHORT_PREHOLIDAY_COUNTRIES = frozenset({"RU"})

#: Kinds of a day in an official production calendar (``official_days``).
OFFICIAL_KINDS = ("holiday", "workday", "short")

#: Named calendars offered to admins; ``WorkCalendar.from_name`` builds them.
CALENDAR_PRESETS: dict[str, dict[str, Any]] = {
    "RU": {"timezone": "Europe/Moscow", "country": "RU"},
    "KZ": {"timezone": "Asia/Almaty", "country": "KZ"},
    "UZ": {"timezone": "Asia/Tashkent", "country": "UZ"},
    "BY": {"timezone": "Europe/Minsk", "country": "BY"},
    "UA": {"timezone": "Europe/Kyiv", "country": "UA"},
    "24x7": {
        "timezone": "UTC",
        "country": None,
        "hours": ("00:00", "24:00"),
        "workdays": (0, 1, 2, 3, 4, 5, 6),
    },
}


def _wall_clock_ns(text: str) -> int:
    """Nanoseconds after local midnight for ``"HH:MM"`` (``"24:00"`` = next midnight)."""
    hours, minutes = (int(part) for part in text.split(":"))
    if not (0 <= minutes < 60 and 0 <= hours * 60 + minutes <= 24 * 60):
        raise ValueError(f"invalid wall-clock time {text!r}")
    return (hours * 3600 + minutes * 60) * NS_PER_S


def _as_dates(values: Iterable[Any]) -> np.ndarray:
    """Dates (anything ``numpy`` understands, e.g. ``"2024-05-06"``) as ``datetime64[D]``."""
    return np.asarray([np.datetime64(v, "D") for v in values], dtype="datetime64[D]")


def _localize_wall_ns(wall_ns: np.ndarray, timezone: str) -> np.ndarray:
    """Local wall-clock nanoseconds -> UTC nanoseconds.

    Non-existent wall times (spring-forward gap) shift forward to the first valid
    instant; ambiguous ones (fall-back overlap) take the first occurrence.
    """
    index = pd.DatetimeIndex(wall_ns.astype("datetime64[ns]"))
    localized = index.tz_localize(
        timezone,
        ambiguous=np.ones(len(index), dtype=bool),
        nonexistent="shift_forward",
    )
    return localized.asi8


def to_utc_ns(values: Any, timezone: str) -> np.ndarray:
    """Timestamps as int64 UTC nanoseconds (NaT -> ``iNaT``); naive values are ``timezone`` local time."""
    if np.ndim(values) == 0:
        values = [values]
    index = (
        values
        if isinstance(values, pd.DatetimeIndex)
        else pd.DatetimeIndex(pd.to_datetime(values))
    )
    if index.tz is None:
        index = index.tz_localize(
            timezone,
            ambiguous=np.ones(len(index), dtype=bool),
            nonexistent="shift_forward",
        )
    return np.asarray(index.tz_convert("UTC").as_unit("ns").asi8, dtype=np.int64)


@dataclass(frozen=True)
class _DayTable:
    """Working intervals of consecutive local dates ``first_day .. first_day + n - 1``."""

    first_day: np.datetime64
    open_ns: np.ndarray  # int64 UTC ns, non-decreasing
    length_ns: np.ndarray  # int64, 0 on non-working days
    cum_ns: np.ndarray  # int64, len n + 1, cum_ns[i] = working ns of days < i

    @property
    def last_day(self) -> np.datetime64:
        return self.first_day + np.timedelta64(len(self.open_ns) - 1, "D")


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """Working hours of one client: time zone, daily hours, weekdays, public holidays.

    Parameters
    ----------
    timezone : IANA zone in which ``hours`` are wall-clock times.
    country : ISO2 code for the ``holidays`` package, or ``None`` for no public holidays.
        Its moved working days (``weekend_workdays``, e.g. RU Saturday 2024-04-27) are
        working days unless they are themselves holidays.
    hours : ``("HH:MM", "HH:MM")`` opening and closing wall time; ``("00:00", "24:00")`` = whole day.
    workdays : weekdays worked, Monday = 0.
    extra_holidays, extra_workdays : local dates overriding the package; a date in both is a holiday.
    short_preholiday : if true, a working day before a public holiday closes one hour earlier
        (Russian Labour Code art. 95), see ``_preholiday_mask``; ``None`` (the default) means
        true for the countries in ``SHORT_PREHOLIDAY_COUNTRIES`` (RU).
    official_days : ``(date, kind)`` pairs of an official production calendar loaded by the
        admin (kind ``holiday`` / ``workday`` / ``short``); for every year in ``official_years``
        they replace the ``holidays`` package: listed holidays are days off, listed work days
        and short days work (short ones one hour less), any other day follows ``workdays``.
    official_years : years covered by ``official_days``.
    """

    timezone: str = "Europe/Moscow"
    country: str | None = "RU"
    hours: tuple[str, str] = ("09:00", "18:00")
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    extra_holidays: tuple[Any, ...] = ()
    extra_workdays: tuple[Any, ...] = ()
    short_preholiday: bool | None = None
    official_days: tuple[tuple[str, str], ...] = ()
    official_years: tuple[int, ...] = ()
    _cache: dict[str, _DayTable] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", tuple(self.hours))
        object.__setattr__(
            self, "workdays", tuple(sorted({int(d) for d in self.workdays}))
        )
        object.__setattr__(
            self,
            "extra_holidays",
            tuple(str(d) for d in _as_dates(self.extra_holidays)),
        )
        object.__setattr__(
            self,
            "extra_workdays",
            tuple(str(d) for d in _as_dates(self.extra_workdays)),
        )
        if self.short_preholiday is None:
            object.__setattr__(
                self,
                "short_preholiday",
                self.country in SHORT_PREHOLIDAY_COUNTRIES,
            )
        object.__setattr__(
            self,
            "official_days",
            tuple(
                sorted((str(np.datetime64(d, "D")), str(k)) for d, k in self.official_days)
            ),
        )
        object.__setattr__(
            self, "official_years", tuple(sorted({int(y) for y in self.official_years}))
        )
        bad_kinds = {k for _, k in self.official_days} - set(OFFICIAL_KINDS)
        if bad_kinds:
            raise ValueError(f"unknown official day kinds {sorted(bad_kinds)}")
        if _wall_clock_ns(self.hours[1]) <= _wall_clock_ns(self.hours[0]):
            raise ValueError(f"closing time must follow opening time, got {self.hours}")
        if not set(self.workdays) <= set(range(7)):
            raise ValueError(f"workdays must be within 0..6, got {self.workdays}")
        pd.Timestamp("2000-01-01", tz=self.timezone)  # fail early on an unknown zone

    # ----------------------------------------------------------------- storage
    @classmethod
    def from_name(cls, name: str) -> WorkCalendar:
        """A preset calendar: ``"RU"`` (Moscow), ``"KZ"`` (Almaty), ``"UA"`` (Kyiv), ``"24x7"``."""
        try:
            return cls(**CALENDAR_PRESETS[name])
        except KeyError:
            raise KeyError(
                f"unknown calendar {name!r}; presets: {sorted(CALENDAR_PRESETS)}"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters; ``WorkCalendar.from_dict(cal.to_dict())`` rebuilds ``cal``."""
        return {
            "timezone": self.timezone,
            "country": self.country,
            "hours": list(self.hours),
            "workdays": list(self.workdays),
            "extra_holidays": list(self.extra_holidays),
            "extra_workdays": list(self.extra_workdays),
            "short_preholiday": self.short_preholiday,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkCalendar:
        """Build from ``to_dict`` output (admin-edited calendars); missing keys take defaults."""
        known = {
            k: v
            for k, v in data.items()
            if k in cls.__dataclass_fields__ and k != "_cache"
        }
        for key in ("hours", "workdays", "extra_holidays", "extra_workdays"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)

    def with_official(
        self, days: Iterable[tuple[Any, str]], years: Iterable[int]
    ) -> WorkCalendar:
        """This calendar with an official production calendar replacing the package for ``years``."""
        return dataclasses.replace(
            self, official_days=tuple(days), official_years=tuple(years)
        )

    def _identity(self) -> tuple:
        return (repr(self.to_dict()), self.official_days, self.official_years)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkCalendar) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    # ----------------------------------------------------------------- day table
    def _holidays(
        self, first_year: int, last_year: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Holiday dates, dates of moved days off, and moved working days for the years.

        Years covered by ``official_days`` are skipped here (``_build_table`` applies them).
        """
        empty = np.array([], dtype="datetime64[D]")
        years = [
            y for y in range(first_year, last_year + 1) if y not in self.official_years
        ]
        if self.country is None or not years:
            return empty, empty, empty
        calendar = holidays_lib.country_holidays(
            self.country, years=years, language="en_US"
        )
        holiday_dates = _as_dates(calendar.keys())
        # A day off moved from a weekend ("substituted", or a holiday "observed" on the next
        # working day) is not itself a public holiday: the day before it is a full day.
        moved_off = _as_dates(
            d
            for d, name in calendar.items()
            if "substituted" in name.lower() or "(observed" in name.lower()
        )
        # The package keeps moved working days of other years in the same set (KZ lists
        # 2013-12-28 whatever the years asked): only those of the years asked count.
        moved_work = _as_dates(
            d for d in getattr(calendar, "weekend_workdays", ()) if d.year in years
        )
        return holiday_dates, moved_off, moved_work

    def _official(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Official holiday, working and short dates (``official_days``)."""
        by_kind = {
            kind: _as_dates(d for d, k in self.official_days if k == kind)
            for kind in OFFICIAL_KINDS
        }
        return by_kind["holiday"], by_kind["workday"], by_kind["short"]

    def _build_table(
        self, first_day: np.datetime64, last_day: np.datetime64
    ) -> _DayTable:
        """Working interval of each local date in ``[first_day, last_day]`` (vectorized)."""
        # One extra week on both sides: look-ahead for pre-holiday days, and room for 24:00.
        days = np.arange(first_day - 7, last_day + 8, dtype="datetime64[D]")
        years = days.astype("datetime64[Y]").astype(int) + 1970
        holiday_dates, moved_off, moved_work = self._holidays(
            int(years[0]), int(years[-1])
        )

        day_number = days.astype(np.int64)
        weekday = (day_number + _EPOCH_WEEKDAY) % 7
        official_holiday, official_work, official_short = self._official()
        in_official_year = np.isin(years, self.official_years)
        is_holiday = np.isin(days, holiday_dates) | np.isin(days, official_holiday)
        is_working = (
            np.isin(weekday, self.workdays)
            | np.isin(days, moved_work)
            | np.isin(days, official_work)
            | np.isin(days, official_short)
        )
        # a holiday always wins over a moved working day
        is_working &= ~is_holiday
        is_working |= np.isin(days, _as_dates(self.extra_workdays))
        extra_holidays = _as_dates(self.extra_holidays)
        is_working &= ~np.isin(days, extra_holidays)

        open_wall = day_number * NS_PER_DAY + _wall_clock_ns(self.hours[0])
        close_wall = day_number * NS_PER_DAY + _wall_clock_ns(self.hours[1])
        if self.short_preholiday:
            is_public_holiday = (is_holiday & ~np.isin(days, moved_off)) | np.isin(
                days, extra_holidays
            )
            short = self._preholiday_mask(
                days, is_working, is_public_holiday, moved_work
            )
            # an official calendar names its short days itself
            short = np.where(
                in_official_year, is_working & np.isin(days, official_short), short
            )
            close_wall = np.where(
                short, np.maximum(close_wall - 3600 * NS_PER_S, open_wall), close_wall
            )

        open_ns = _localize_wall_ns(open_wall, self.timezone)
        close_ns = _localize_wall_ns(close_wall, self.timezone)
        length_ns = np.where(is_working, close_ns - open_ns, 0)
        cum_ns = np.concatenate(([0], np.cumsum(length_ns)))
        return _DayTable(
            first_day=days[0], open_ns=open_ns, length_ns=length_ns, cum_ns=cum_ns
        )

    @staticmethod
    def _preholiday_mask(
        days: np.ndarray,
        is_working: np.ndarray,
        is_public_holiday: np.ndarray,
        moved_work: np.ndarray,
    ) -> np.ndarray:
        """Working days shortened by one hour before a public holiday.

        A working day is short when the next calendar day is a public holiday, or when it is a
        moved working Saturday/Sunday and the days off after it contain a public holiday
        (RU 2024-04-27, 2024-11-02, 2024-12-28 were short).  A day off moved from a weekend
        (e.g. RU 2025-05-08) is not a public holiday, so the day before it is a full day.
        """
        n = len(days)
        next_is_public = np.append(is_public_holiday[1:], False)
        working_positions = np.flatnonzero(is_working)
        following = np.searchsorted(working_positions, np.arange(n), side="right")
        next_working = np.append(working_positions, n)[following]
        holidays_before = np.concatenate(([0], np.cumsum(is_public_holiday)))
        holiday_in_gap = (
            holidays_before[next_working] - holidays_before[np.arange(n) + 1] > 0
        )
        moved_working = np.isin(days, moved_work)
        return is_working & (next_is_public | (moved_working & holiday_in_gap))

    def _table_for(self, *utc_ns_arrays: np.ndarray) -> _DayTable:
        """The cached day table, extended (whole years) to cover every finite instant given."""
        finite = [a[a != _NAT] for a in utc_ns_arrays]
        finite = [a for a in finite if a.size]
        table = self._cache.get("table")
        if not finite:
            if table is None:
                year = np.datetime64("2000", "Y")  # no instant given: any one-year table serves
                table = self._build_table(
                    year.astype("datetime64[D]"), (year + 1).astype("datetime64[D]")
                )
                self._cache["table"] = table
            return table
        lo = min(int(a.min()) for a in finite) // NS_PER_DAY - 2
        hi = max(int(a.max()) for a in finite) // NS_PER_DAY + 2
        need_lo, need_hi = np.datetime64(lo, "D"), np.datetime64(hi, "D")
        if (
            table is not None
            and table.first_day + 7 <= need_lo
            and need_hi <= table.last_day - 7
        ):
            return table
        if table is not None:
            need_lo = min(need_lo, table.first_day + 7)
            need_hi = max(need_hi, table.last_day - 7)
        first = need_lo.astype("datetime64[Y]").astype("datetime64[D]")
        last = (need_hi.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
        table = self._build_table(first, last)
        self._cache["table"] = table
        return table

    @staticmethod
    def _cumulative_ns(table: _DayTable, t: np.ndarray) -> np.ndarray:
        """``F(t)``: working ns from the table start to each instant (``t`` finite).

        The day ``i`` (last with ``open_i <= t``) is found without a binary search: UTC offsets
        lie within -12 h..+14 h, so ``i`` is within the five local dates around ``t``'s UTC date;
        start two dates later and step back while the opening is after ``t``.
        """
        first_ns = int(table.first_day.astype(np.int64)) * NS_PER_DAY
        last = len(table.open_ns) - 1
        day = np.clip((t - first_ns) // NS_PER_DAY + 2, 0, last)
        while True:
            step = (table.open_ns[day] > t) & (day > 0)
            if not step.any():
                break
            day -= step
        inside = np.clip(t - table.open_ns[day], 0, table.length_ns[day])
        return table.cum_ns[day] + inside

    # ----------------------------------------------------------------- public API
    def working_seconds(self, starts: Any, ends: Any) -> np.ndarray:
        """Working seconds in ``[start, end)`` for each pair.

        ``W(s, e) = F(e) - F(s)`` if ``e > s`` else 0, with ``F`` the cumulative working time
        (module docstring); NaN where either bound is NaT.

        Parameters
        ----------
        starts, ends : array-likes of timestamps of equal length (Series, DatetimeIndex,
            ``datetime64`` arrays); tz-aware, or naive = this calendar's local time.

        Returns
        -------
        np.ndarray of float64 seconds.
        """
        start_ns = to_utc_ns(starts, self.timezone)
        end_ns = to_utc_ns(ends, self.timezone)
        if start_ns.shape != end_ns.shape:
            raise ValueError("starts and ends must have the same length")
        return self.working_ns_between(start_ns, end_ns)

    def working_ns_between(
        self, start_ns: np.ndarray, end_ns: np.ndarray
    ) -> np.ndarray:
        """``working_seconds`` on int64 UTC nanoseconds (``iNaT`` = missing); float seconds out."""
        valid = (start_ns != _NAT) & (end_ns != _NAT)
        table = self._table_for(start_ns, end_ns)
        s = np.where(valid, start_ns, 0)
        e = np.where(valid, np.maximum(end_ns, start_ns), 0)
        result = np.full(start_ns.shape, np.nan)
        if valid.any():
            sv, ev = s[valid], e[valid]
            result[valid] = (
                self._cumulative_ns(table, ev) - self._cumulative_ns(table, sv)
            ) / NS_PER_S
        return result

    def add_working_seconds(self, starts: Any, seconds: Any) -> pd.DatetimeIndex:
        """Deadline: the earliest instant ``t >= start`` with ``working_seconds(start, t) == seconds``.

        Solves ``F(t) = F(start) + seconds``; when that working time ends exactly at a
        closing time, ``t`` is the closing time (a deadline may fall at 18:00).
        ``seconds = 0`` returns ``start``; NaT/NaN/negative inputs give NaT.

        Returns
        -------
        pd.DatetimeIndex, UTC.
        """
        start_ns = to_utc_ns(starts, self.timezone)
        amount = np.broadcast_to(np.asarray(seconds, dtype=float), start_ns.shape)
        return pd.DatetimeIndex(self.add_working_ns(start_ns, amount)).tz_localize(
            "UTC"
        )

    def add_working_ns(self, start_ns: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """``add_working_seconds`` on int64 UTC ns; returns ``datetime64[ns]`` (naive UTC)."""
        valid = (start_ns != _NAT) & np.isfinite(seconds) & (seconds >= 0)
        out = np.full(start_ns.shape, _NAT, dtype=np.int64)
        if valid.any():
            s = start_ns[valid]
            add_ns = np.round(seconds[valid] * NS_PER_S).astype(np.int64)
            table = self._table_for(s)
            target = self._cumulative_ns(table, s) + add_ns
            # Grow the table until it holds enough working time for the largest target.
            while (
                target.max() > table.cum_ns[-8]
            ):  # the last 7 days are look-ahead padding
                far = np.array([table.open_ns[-1] + 366 * NS_PER_DAY])
                if far[0] - s.max() > 200 * 366 * NS_PER_DAY:
                    raise ValueError("calendar has no working time within 200 years")
                table = self._table_for(s, far)
            day = np.searchsorted(table.cum_ns[1:], target, side="left")
            t = table.open_ns[day] + (target - table.cum_ns[day])
            out[valid] = np.where(add_ns == 0, s, t)
        return out.view("datetime64[ns]")


def package_decree_years(country: str) -> frozenset[int]:
    """Years for which the ``holidays`` package carries dated government entries for ``country``.

    Moved days off and working Saturdays are set each year by a decree (RU: government
    resolution, BY: council of ministers, UZ: presidential decree); the package knows a year's
    official calendar only once the year appears in its ``special_*`` tables.
    """
    entity = holidays_lib.country_holidays(country)
    years: set[int] = set()
    for name in dir(entity):
        table = getattr(entity, name, None)
        if name.startswith("special_") and isinstance(table, dict):
            years.update(int(y) for y in table if isinstance(y, int))
    return frozenset(years)


def package_covers(country: str | None, year: int) -> bool:
    """Whether the package's data for ``country`` reaches ``year`` (latest decree year >= year).

    A country without public holidays (``None``, a 24x7 calendar) is always covered.
    """
    if country is None:
        return True
    decree_years = package_decree_years(country)
    return bool(decree_years) and year <= max(decree_years)
