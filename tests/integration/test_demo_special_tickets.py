"""The demo's designed special tickets (demo/tickets.py, client calendar RU = Moscow 09:00–18:00, Russian
production calendar), ingested through the real loaders, against SLA values worked out by hand.

Only values whose rule does not depend on the target of a service level (issue 12 changes targets by
service) are pinned: working time created → accepted / resolved, paused working time, pause counts, and the
rework's deadline (its own due date extended by the «БП» pause). Hand derivations:

- T0000001 Fri 2024-04-26 16:30 → accepted 16:45 (15 min); resolved on the working Saturday 2024-04-27
  12:30: Fri 16:30–18:00 1.5 h + Sat 09:00–12:30 3.5 h = 5 h.
- T0000002 created on the working Saturday 2024-04-27 10:15, accepted 10:40 (25 min); resolved Mon
  2024-04-29 11:00, a moved day off: Sat 27.04 is a short pre-holiday day (labour code art. 95, on by
  default for RU), 10:15–17:00 = 6.75 h, nothing on the 29th.
- T0000003 rework created Sat 2024-12-28 11:00 (a working Saturday), accepted 11:20 (20 min); «БП» pause
  Sat 28.12 15:00 → Thu 09.01.2025 10:00 = 2 h (28.12 is a short pre-holiday day, to 17:00) + 1 h = 3 h of
  working time (29.12–08.01 are days off); resolved 09.01 16:00: 6 h + 7 h − 3 h = 10 h; due Fri 10.01 18:00
  + 3 h of «БП» = Mon 13.01 12:00 MSK.
- T0000004 Tue 2025-12-30 15:00 → accepted 15:30 (30 min); resolved Mon 2026-01-12 11:00: 30.12 15–18 = 3 h,
  31.12.2025 and 01–11.01.2026 are days off, 12.01 09–11 = 2 h: 5 h.
- T0000005 Thu 2026-11-12 10:00, accepted 10:20 (20 min), paused 14:00 waiting for the client and never
  resumed: the clock stopped after 4 h, it stays open.
- T0000006 Sun 2026-11-15 17:50, never accepted: its working time starts Mon 16.11 09:00.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from store.db import make_engine
from store.frames import read_frame
from store.models import Ticket, TicketSla
from tests.integration.demo_backends import demo_sqlite_file

H = 3600.0
# ticket -> (acceptance working s, resolution working s (None = open), paused working s, pauses)
HAND = {
    "T0000001": (0.25 * H, 5 * H, 0.0, 0),
    "T0000002": (25 * 60.0, 6.75 * H, 0.0, 0),
    "T0000003": (20 * 60.0, 10 * H, 3 * H, 1),
    "T0000004": (0.5 * H, 5 * H, 0.0, 0),
    "T0000005": (20 * 60.0, None, None, 1),
    "T0000006": (None, None, 0.0, 0),
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> pd.DataFrame:
    engine = make_engine(f"sqlite:///{demo_sqlite_file(tmp_path_factory)}")
    with engine.connect() as conn:
        sla = read_frame(conn, select(TicketSla).where(TicketSla.ticket_id.in_(list(HAND))))
        tickets = read_frame(conn, select(Ticket.ticket_id, Ticket.created_at).where(Ticket.ticket_id.in_(list(HAND))))
    engine.dispose()
    return sla.merge(tickets, on="ticket_id").set_index("ticket_id")


def test_the_special_tickets_are_stored_with_their_sla(stored):
    assert sorted(stored.index) == sorted(HAND)


@pytest.mark.parametrize("ticket_id", sorted(HAND))
def test_stored_working_times_equal_the_hand_values(stored, ticket_id):
    acceptance, resolution, paused, pause_count = HAND[ticket_id]
    row = stored.loc[ticket_id]
    for column, expected in (("acceptance_working_s", acceptance), ("resolution_working_s", resolution),
                             ("paused_working_s", paused)):
        if expected is None and column != "paused_working_s":
            assert pd.isna(row[column]), (column, row[column])
        elif expected is not None:
            assert row[column] == pytest.approx(expected, abs=1e-6), column
    assert row["pause_count"] == pause_count


def test_rework_deadline_is_its_due_date_extended_by_the_production_pause(stored):
    row = stored.loc["T0000003"]
    assert row["deadline"] == pd.Timestamp("2025-01-13 12:00", tz="Europe/Moscow")
    assert row["sla_state"] == "met"


def test_still_paused_ticket_stopped_its_clock_at_the_pause_and_stays_open(stored):
    row = stored.loc["T0000005"]
    assert row["elapsed_working_s"] == pytest.approx(4 * H)
    assert row["sla_state"] in ("open", "at_risk")
    assert row["acceptance_state"] == "met"


def test_unaccepted_ticket_from_a_sunday_counts_from_monday_morning(stored):
    row = stored.loc["T0000006"]
    computed = pd.Timestamp(row["computed_at"])
    computed = computed.tz_localize("UTC") if computed.tzinfo is None else computed
    # Mon 16.11.2026 09:00 MSK → the evaluation instant: 9 h per weekday (no Russian holiday between
    # 16.11 and 30.12.2026) plus the part of the evaluation day within 09:00–18:00
    local = computed.tz_convert("Europe/Moscow")
    assert local < pd.Timestamp("2026-12-31", tz="Europe/Moscow"), "hand rule valid until 30.12.2026"
    day = local.normalize().tz_localize(None)
    whole_days = np.busday_count("2026-11-16", day.date().isoformat())
    today = (local - local.normalize()).total_seconds() - 9 * H
    expected = 9 * H * whole_days + (min(max(today, 0.0), 9 * H) if np.is_busday(day.date().isoformat()) else 0.0)
    assert row["elapsed_working_s"] == pytest.approx(expected, abs=1e-3)
    assert row["acceptance_state"] == "breached"  # nobody accepted it within the first working hours
