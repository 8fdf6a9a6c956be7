"""Live SLA state (SPEC §5): met / breached / open / at risk of open tickets is evaluated when read.

One open psm bug created Monday 30.11.2026 09:00 Moscow: 3 working hours → deadline 12:00, at risk
after 11:15 (less than 25 % of the target left). Its SLA is stored once (at 09:30); reads at later
instants (QUALITY_NOW moved, no ingest, no recompute) see it open, at risk, then breached — in the
partner's ticket list, the meeting inputs, the trends counts and the trends ticket rows.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import select

from metrics.sla import live_states
from store.derived import materialize_sla
from store.models import TicketSla
from store.partner_queries import partner_tickets
from store.queries import client_ticket_activity, meeting_inputs
from store.ticket_rollups import refresh_sla_rollup
from store.trend_queries import Selection, sla_trend_counts, ticket_rows
from tests.integration.partner_db import insert_frames

MSK = "Europe/Moscow"
CREATED = pd.Timestamp("2026-11-30 09:00", tz=MSK)


def _at(clock: str) -> str:
    return f"2026-11-30T{clock}:00+03:00"


@pytest.fixture()
def stored(engine, monkeypatch):
    frames = {
        "partners": pd.DataFrame({"partner_id": ["P1"], "name": ["Альфа"], "city": ["Омск"], "country": ["RU"]}),
        "clients": pd.DataFrame({"client_id": ["C1"], "name": ["Ромашка"], "partner_id": ["P1"], "calendar": ["RU"]}),
        "tickets": pd.DataFrame({
            "ticket_id": ["BUG", "DONE", "PAUSED"], "client_id": ["C1"] * 3, "partner_id": ["P1"] * 3,
            "created_at": [CREATED.tz_convert("UTC")] * 3, "service": ["psm"] * 3,
            "kind": ["incident"] * 3, "type": ["bug"] * 3, "priority": [1] * 3,
            "accepted_at": [(CREATED + pd.Timedelta(minutes=10)).tz_convert("UTC")] * 3,
            "resolved_at": [pd.NaT, (CREATED + pd.Timedelta(hours=1)).tz_convert("UTC"), pd.NaT]}),
        # PAUSED waits for the client since 09:10 (still waiting): its clock does not run
        "ticket_pauses": pd.DataFrame({"ticket_id": ["PAUSED"],
                                       "paused_at": [(CREATED + pd.Timedelta(minutes=10)).tz_convert("UTC")],
                                       "resumed_at": [pd.NaT], "reason": ["waiting_client"]}),
    }
    insert_frames(engine, frames)
    monkeypatch.setenv("QUALITY_NOW", _at("09:30"))
    with engine.begin() as conn:
        materialize_sla(conn)
        refresh_sla_rollup(conn)
    return engine


def _states_read_at(engine, monkeypatch, clock: str) -> dict:
    monkeypatch.setenv("QUALITY_NOW", _at(clock))
    with engine.connect() as conn:
        partner = partner_tickets(conn, "P1").set_index("ticket_id")["sla_state"].to_dict()
        meeting = meeting_inputs(conn, "C1", pd.Timestamp("2026-11-01", tz="UTC"),
                                 pd.Timestamp("2026-12-01", tz="UTC")).tickets.set_index("ticket_id")["sla_state"]
        counts = sla_trend_counts(conn, "total", "month")
        rows, _total = ticket_rows(conn, Selection(grain="month", period="2026-11"))
        activity = client_ticket_activity(conn, ["C1"], pd.Timestamp("2026-11-01", tz="UTC"),
                                          pd.Timestamp("2026-12-01", tz="UTC")).iloc[0]
    return {"activity": {k: int(activity[k]) for k in ("tickets", "breached", "at_risk")},
            "partner": partner, "meeting": meeting.to_dict(),
            "counts": counts[["met", "breached"]].sum().to_dict(),
            "trend_rows": rows.set_index("ticket_id")["sla_state"].to_dict()}


def test_a_ticket_passing_its_deadline_between_two_reads_turns_breached_without_any_ingest(stored, monkeypatch):
    with stored.connect() as conn:
        row = conn.execute(select(TicketSla.deadline, TicketSla.rule, TicketSla.is_open)
                           .where(TicketSla.ticket_id == "BUG")).one()
    assert pd.to_datetime(row.deadline, utc=True).tz_convert(MSK) == pd.Timestamp("2026-11-30 12:00", tz=MSK)
    assert row.rule == "psm · ошибка · 3 ч" and row.is_open

    before = _states_read_at(stored, monkeypatch, "10:00")
    assert before["partner"] == before["meeting"] == {"BUG": "open", "DONE": "met", "PAUSED": "open"}
    assert before["counts"] == {"met": 1, "breached": 0} and before["trend_rows"] == {"DONE": "met"}
    # the home's and meeting's attention ranking counts the same live states
    assert before["activity"] == {"tickets": 3, "breached": 0, "at_risk": 0}

    risky = _states_read_at(stored, monkeypatch, "11:30")
    assert risky["partner"]["BUG"] == "at_risk" and risky["activity"] == {"tickets": 3, "breached": 0, "at_risk": 1}

    after = _states_read_at(stored, monkeypatch, "12:30")
    # PAUSED's stored deadline (12:20) has passed, but its clock is stopped: it stays open
    assert after["partner"] == after["meeting"] == {"BUG": "breached", "DONE": "met", "PAUSED": "open"}
    assert after["counts"] == {"met": 1, "breached": 1}
    assert after["trend_rows"] == {"BUG": "breached", "DONE": "met"}
    assert after["activity"] == {"tickets": 3, "breached": 1, "at_risk": 0}


def test_live_states_follow_the_stored_instants():
    resolved = pd.to_datetime([None, None, None, "2026-01-01 10:00", "2026-01-01 13:00", "2026-01-01 10:00"], utc=True)
    deadline = pd.to_datetime(["2026-01-01 12:00"] * 5 + [None], utc=True)
    at_risk = pd.to_datetime(["2026-01-01 11:00"] * 5 + [None], utc=True)
    for now, expected in [("2026-01-01 10:30", ["open", "open", "open", "met", "open", None]),
                          ("2026-01-01 11:30", ["at_risk"] * 3 + ["met", "at_risk", None]),
                          ("2026-01-01 13:30", ["breached"] * 3 + ["met", "breached", None])]:
        assert live_states(resolved, deadline, at_risk, pd.Timestamp(now, tz="UTC")).tolist() == expected


def test_pages_say_when_their_data_is_read_and_cached_views_age_with_the_clock(engine, monkeypatch):
    from components.cache import live_bucket
    from tests.integration.admin_app import admin_app, logged_in, text_of

    app = admin_app(engine)
    client = logged_in(app, "root")
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T12:30:00+03:00")
    layout = json.loads(client.get("/_dash-layout").get_data(as_text=True))
    assert "данные на 30.11.2026 12:30" in text_of(layout)
    with app.server.app_context():
        first = live_bucket()
        monkeypatch.setenv("QUALITY_NOW", "2026-11-30T12:31:00+03:00")
        assert live_bucket() != first  # a cached view (keyed by the minute) is never older than a minute
