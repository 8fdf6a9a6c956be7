"""Official production calendars in the database: import, overlay on calendars, coverage (SPEC §5)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, delete, insert, select

from loaders.production_calendar import ProductionCalendar, check_country
from metrics.calendar import WorkCalendar, package_covers
from store import clock
from store.models import Client, ProductionCalendarDay, ProductionCalendarYear

WARNING_HORIZON_DAYS = 60


def import_production_calendar(conn: Connection, country: str, calendar: ProductionCalendar, source: str) -> int:
    """Replace the official days of ``country`` for the file's years (one transaction); returns days stored."""
    country = check_country(country)
    years = list(calendar.years)
    for year in years:
        conn.execute(delete(ProductionCalendarDay).where(
            ProductionCalendarDay.country == country,
            ProductionCalendarDay.day >= dt.date(year, 1, 1), ProductionCalendarDay.day <= dt.date(year, 12, 31)))
        conn.execute(delete(ProductionCalendarYear).where(
            ProductionCalendarYear.country == country, ProductionCalendarYear.year == year))
    rows = [{"country": country, "day": d, "kind": k} for d, k in zip(calendar.days["day"], calendar.days["kind"])]
    conn.execute(insert(ProductionCalendarDay), rows)
    per_year = pd.Series([d.year for d in calendar.days["day"]]).value_counts()
    now = clock.now_datetime()
    conn.execute(insert(ProductionCalendarYear), [
        {"country": country, "year": year, "source": source[:300], "days": int(per_year.get(year, 0)),
         "imported_at": now} for year in years])
    return len(rows)


def official_days(conn: Connection) -> dict[str, tuple[list[tuple[str, str]], list[int]]]:
    """{country: ([(date, kind)], [years])} of every loaded official calendar."""
    years = conn.execute(select(ProductionCalendarYear.country, ProductionCalendarYear.year)).all()
    days = conn.execute(select(ProductionCalendarDay.country, ProductionCalendarDay.day,
                               ProductionCalendarDay.kind)).all()
    out: dict[str, tuple[list[tuple[str, str]], list[int]]] = {}
    for country, year in years:
        out.setdefault(country, ([], []))[1].append(int(year))
    for country, day, kind in days:
        if country in out:
            out[country][0].append((str(day), kind))
    return out


def with_official_days(calendars: dict[str, WorkCalendar], official: dict) -> dict[str, WorkCalendar]:
    """Each calendar with the official days of its country (when loaded)."""
    return {name: (cal.with_official(*official[cal.country]) if cal.country in official else cal)
            for name, cal in calendars.items()}


def calendar_coverage(conn: Connection, calendars: dict[str, WorkCalendar]) -> pd.DataFrame:
    """One row per calendar and year (current and next): ``calendar, country, year, source``.

    ``source`` is ``file`` (official file loaded), ``package`` (the ``holidays`` package knows the
    year's decree), ``none`` (no data), or ``rules`` for calendars without public holidays.
    """
    year = clock.now().year
    loaded = {(c, y): s for c, y, s in conn.execute(select(
        ProductionCalendarYear.country, ProductionCalendarYear.year, ProductionCalendarYear.source)).all()}
    rows = []
    for name, cal in sorted(calendars.items()):
        for y in (year, year + 1):
            if cal.country is None:
                source, detail = "rules", ""
            elif (cal.country, y) in loaded:
                source, detail = "file", loaded[(cal.country, y)]
            elif package_covers(cal.country, y):
                source, detail = "package", ""
            else:
                source, detail = "none", ""
            rows.append({"calendar": name, "country": cal.country, "year": y, "source": source, "detail": detail})
    return pd.DataFrame(rows, columns=["calendar", "country", "year", "source", "detail"])


def stale_client_calendars(conn: Connection, calendars: dict[str, WorkCalendar],
                           default_calendar: str) -> list[tuple[str, int, int]]:
    """Calendars used by clients with no data within the next 60 days: [(calendar, year, clients)]."""
    today = clock.today()
    horizon_years = sorted({today.year, (today + dt.timedelta(days=WARNING_HORIZON_DAYS)).year})
    used = pd.Series([c or default_calendar for (c,) in conn.execute(select(Client.calendar)).all()], dtype=object)
    if used.empty:
        return []
    counts = used.where(used.isin(list(calendars)), default_calendar).value_counts()
    coverage = calendar_coverage(conn, {n: calendars[n] for n in counts.index})
    missing = coverage[(coverage["source"] == "none") & coverage["year"].isin(horizon_years)]
    return [(str(r.calendar), int(r.year), int(counts[r.calendar])) for r in missing.itertuples()]
