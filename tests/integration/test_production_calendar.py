"""Official production calendars: `cli.py calendar import` (XML and CSV), overriding the package (SPEC §5, §10).

A good file is stored for its country and years and recomputes the SLA of the tickets whose calendar is
of that country (only those); a malformed file exits 2 with a clear message and changes nothing.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

import cli
from loaders.production_calendar import (
    ProductionCalendarError,
    parse_production_calendar,
)
from store.derived import materialize_sla
from store.frames import read_frame
from store.models import (
    ProductionCalendarDay,
    ProductionCalendarYear,
    SlaRecompute,
    TicketSla,
)
from store.production_calendar import stale_client_calendars
from store.settings import load_calendars
from tests.integration.partner_db import insert_frames, migrated_engine

FILES = Path(__file__).resolve().parents[1] / "data" / "calendars"
NOW = "2026-06-25T12:00:00+03:00"
MSK = "Europe/Moscow"


def _frames() -> dict[str, pd.DataFrame]:
    partners = pd.DataFrame({"partner_id": ["P1"], "name": ["Партнёр"], "city": ["Москва"], "country": ["RU"]})
    clients = pd.DataFrame({"client_id": ["C-RU", "C-KZ"], "name": ["Клиент РФ", "Клиент КЗ"],
                            "partner_id": ["P1", "P1"], "calendar": ["RU", "KZ"]})
    created = pd.Timestamp("2026-06-15 09:00", tz=MSK).tz_convert("UTC")
    tickets = pd.DataFrame({"ticket_id": ["T-RU", "T-KZ"], "client_id": ["C-RU", "C-KZ"], "partner_id": ["P1", "P1"],
                            "created_at": [created, created], "service": ["psm", "psm"], "kind": ["request"] * 2,
                            "type": ["simple", "simple"], "accepted_at": [created + pd.Timedelta(minutes=10)] * 2})
    return {"partners": partners, "clients": clients, "tickets": tickets}


@pytest.fixture()
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", NOW)
    with migrated_engine("sqlite", tmp_path) as engine:
        insert_frames(engine, _frames())
        with engine.begin() as conn:
            materialize_sla(conn)
        monkeypatch.setenv("DATABASE_URL", str(engine.url))
        yield engine


def _sla(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return read_frame(conn, select(TicketSla)).set_index("ticket_id")


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("name", ["ru2026_extra_holiday.xml", "ru2026_extra_holiday.csv"])
def test_official_file_overrides_the_package_and_recomputes_only_that_country(database, name, capsys):
    before = _sla(database)
    # the package: Monday 15.06.2026 is a working day, 8 h simple target -> 17:00 the same day
    assert before.loc["T-RU", "deadline"] == pd.Timestamp("2026-06-15 17:00", tz=MSK)

    assert cli.main(["calendar", "import", str(FILES / name), "--country", "ru"]) == 0
    assert "recomputed" in capsys.readouterr().out

    after = _sla(database)
    assert after.loc["T-RU", "deadline"] == pd.Timestamp("2026-06-16 17:00", tz=MSK)  # 15.06 is a day off now
    assert after.loc["T-KZ", "computed_at"] == before.loc["T-KZ", "computed_at"]  # KZ not recomputed
    with database.connect() as conn:
        year = conn.execute(select(ProductionCalendarYear.__table__)).one()
        log = conn.execute(select(SlaRecompute.__table__)).one()
        calendars = load_calendars(conn)
    assert (year.country, year.year, year.source) == ("RU", 2026, name)
    assert (log.outcome, log.tickets) == ("done", 1) and log.trigger.startswith("calendar RU 2026")
    assert calendars["RU"].official_years == (2026,) and calendars["KZ"].official_years == ()
    saturday = pd.DatetimeIndex([pd.Timestamp("2026-06-20 00:00", tz=MSK)])
    assert calendars["RU"].working_seconds(saturday, saturday + pd.Timedelta(days=1))[0] == 9 * 3600


@pytest.mark.parametrize("name, message", [("bad_kind.xml", "неизвестный тип t=«7»"),
                                           ("bad_date.csv", "Строка 2: дата «2026-02-30»")])
def test_malformed_file_exits_2_with_a_clear_message_and_changes_nothing(database, name, message, capsys):
    before = _sla(database)
    assert cli.main(["calendar", "import", str(FILES / name), "--country", "RU"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert _count(database, ProductionCalendarDay) == 0 and _count(database, ProductionCalendarYear) == 0
    pd.testing.assert_frame_equal(_sla(database), before)


def test_bad_country_code_is_refused(database, capsys):
    assert cli.main(["calendar", "import", str(FILES / "ru2026_extra_holiday.csv"), "--country", "Russia"]) == 2
    assert "двух латинских букв" in capsys.readouterr().err


def test_xml_days_and_kinds_are_parsed():
    parsed = parse_production_calendar((FILES / "ru2026_extra_holiday.xml").read_bytes())
    assert parsed.years == (2026,)
    kinds = dict(zip(parsed.days["day"].astype(str), parsed.days["kind"]))
    assert kinds["2026-01-09"] == "holiday" and kinds["2026-04-30"] == "short" and kinds["2026-06-20"] == "workday"


def test_day_outside_the_xml_year_or_twice_is_refused():
    with pytest.raises(ProductionCalendarError, match="несколько раз"):
        parse_production_calendar(b"date,kind\n2026-06-15,holiday\n15.06.2026,short\n")
    with pytest.raises(ProductionCalendarError, match="ММ.ДД"):
        parse_production_calendar(b'<calendar year="2026"><days><day d="2026-06-15" t="1"/></days></calendar>')


def test_calendar_without_data_for_the_next_60_days_is_reported(database, monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T09:00:00+03:00")
    with database.connect() as conn:
        stale = stale_client_calendars(conn, load_calendars(conn), "RU")
    # 2027 within 60 days: the package has RU's 2027 decree but no KZ decree after 2025
    assert ("KZ", 2027, 1) in stale and not any(name == "RU" for name, _, _ in stale)


def test_stats_prints_a_warning_line_for_a_stale_client_calendar(database, monkeypatch, capsys):
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T09:00:00+03:00")
    assert cli.main(["stats"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("warning:")]
    # the package's last KZ decree is of 2025; 2026 and 2027 both fall within 30.11.2026 + 60 days
    assert lines == [f"warning: calendar KZ (clients: 1) has no official data for {year} within the next 60 days; "
                     "load it with `cli.py calendar import`" for year in (2026, 2027)]
