"""`read_frame_bulk` (PostgreSQL: COPY with timestamps as epoch µs, dates as epoch days) = `read_frame`."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import insert, select

from store.frames import read_frame, read_frame_bulk
from store.models import CompetenceHistoryRow, LicenseKey


def test_bulk_read_equals_plain_read_with_nulls_dates_booleans_and_leading_zeros(engine):
    keys = [{"key": "0007", "partner_id": "0012", "purchased_at": dt.datetime(2024, 3, 31, 23, 59, 59, 123456,
                                                                              tzinfo=dt.timezone.utc),
             "activated_at": None, "project_id": None},
            {"key": "K2", "partner_id": "P1", "purchased_at": dt.datetime(1969, 12, 31, 22, 0, tzinfo=dt.timezone.utc),
             "activated_at": dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.timezone.utc),
             "project_id": "PRJ1"}]
    history = [{"partner_id": "0012", "month": dt.date(2024, 1, 1), "keys": 3, "covered": 0, "share": None,
                "held": False, "status": "none", "window_start": dt.date(1969, 12, 1), "window_end": dt.date(2024, 1, 1)},
               {"partner_id": "P1", "month": dt.date(2024, 2, 1), "keys": 2, "covered": 1, "share": 0.5,
                "held": True, "status": "assigned", "window_start": dt.date(2023, 1, 1),
                "window_end": dt.date(2024, 1, 1)}]
    with engine.begin() as conn:
        conn.execute(insert(LicenseKey), keys)
        conn.execute(insert(CompetenceHistoryRow), history)
    with engine.connect() as conn:
        for stmt in (select(LicenseKey).order_by(LicenseKey.key),
                     select(CompetenceHistoryRow).order_by(CompetenceHistoryRow.partner_id)):
            bulk, plain = read_frame_bulk(conn, stmt), read_frame(conn, stmt)
            pd.testing.assert_frame_equal(bulk.astype(object).where(bulk.notna(), None),
                                          plain.astype(object).where(plain.notna(), None), check_dtype=False)
        bulk = read_frame_bulk(conn, select(LicenseKey).order_by(LicenseKey.key))
    assert bulk["key"].tolist() == ["0007", "K2"]
    assert bulk["purchased_at"].iloc[0] == pd.Timestamp("2024-03-31 23:59:59.123456", tz="UTC")
    assert bulk["activated_at"].iloc[1] == pd.Timestamp("2026-11-23 07:00", tz="UTC") and pd.isna(bulk["activated_at"].iloc[0])


def test_postgresql_sessions_run_in_utc_so_timestamps_carry_the_fixed_utc_zone(engine):
    """`make_engine` sets the session zone to UTC: psycopg then returns `datetime.timezone.utc` timestamps, which
    pandas converts far faster than a named zone's `ZoneInfo` (the server's default may be "Etc/UTC" or any)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW TimeZone").scalar_one() == "UTC"
        stamp = conn.exec_driver_sql("SELECT TIMESTAMPTZ '2024-03-31 23:00:00+03'").scalar_one()
    assert stamp.tzinfo is dt.timezone.utc and stamp == dt.datetime(2024, 3, 31, 20, 0, tzinfo=dt.timezone.utc)
