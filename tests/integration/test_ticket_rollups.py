"""Ticket rollups (`store.ticket_rollups`) equal direct computations, on SQLite and PostgreSQL.

Two kinds of checks:

* hand-made tickets with expected values worked out by hand (medians, charge boundaries, refresh kinds);
* the small demo (loaded once per session by `tests.integration.demo_backends.demo_sqlite_file`,
  whose ingest refreshed the rollups; the PostgreSQL variant copies the inputs and rebuilds the rollups
  there): every rollup-backed figure of the Trends and dedicated-support pages equals the row-level
  computation (`metrics.deposit.psm_vs_classic`, `deposit_account`, `worked_time_per_ticket`, pandas).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, delete, insert, select

from reports.programs import support_overview, support_overview_from_rollups
from store.frames import read_frame
from store.models import Client, Deposit, Partner, SupportSpeedRollup, Ticket, TicketSla, Worklog
from store.program_queries import (
    partner_names,
    support_charge_counts,
    support_inputs,
    support_rollup_inputs,
    support_speed_strata,
)
from store.rollups import refresh_rollups
from store.ticket_rollups import refresh_support_speed_rollup, refresh_ticket_rollups, support_service
from store.trend_queries import sla_trend_counts
from tests.integration.demo_backends import demo_engine

COPIED = (Partner, Client, Ticket, TicketSla, Worklog, Deposit)


def ts(text: str) -> dt.datetime:
    return pd.Timestamp(text, tz="UTC").to_pydatetime()


def add_ticket(conn, ticket_id: str, service: str = "classic", type_: str | None = "simple",
               priority: int | None = 2, resolution_h: float | None = 1.0, partner_id: str | None = "P1",
               resolved_at: str | None = "2026-06-10 12:00", sla_state: str = "met") -> None:
    conn.execute(insert(Ticket).values(ticket_id=ticket_id, client_id="C1", created_at=ts("2026-06-01 10:00"),
                                       partner_id=partner_id, service=service, type=type_, priority=priority,
                                       resolved_at=None if resolved_at is None else ts(resolved_at)))
    conn.execute(insert(TicketSla).values(ticket_id=ticket_id, sla_state=sla_state,
                                          resolution_working_s=None if resolution_h is None else resolution_h * 3600))


# ---------------------------------------------------------------- hand-made

def speed_rows(conn) -> pd.DataFrame:
    rows = read_frame(conn, select(SupportSpeedRollup).order_by(SupportSpeedRollup.service))
    return rows.drop(columns="id").reset_index(drop=True)



def test_speed_rollup_keeps_the_exact_median_of_odd_and_even_strata(engine):
    with engine.begin() as conn:
        for i, hours in enumerate([1.0, 2.0, 3.0, 10.0]):
            add_ticket(conn, f"c{i}", "classic", resolution_h=hours)
        for i, hours in enumerate([1.0, 1.0, 5.0]):
            add_ticket(conn, f"p{i}", " PSM ", resolution_h=hours)
        add_ticket(conn, "open", "psm", resolution_h=None)
        refresh_ticket_rollups(conn)
        strata = support_speed_strata(conn).set_index("service")
    # classic: (2 + 3) / 2 = 2.5 h of 4 tickets; psm (trimmed, lower-cased): middle of 1, 1, 5 = 1 h of 3
    assert strata.loc["classic", ["tickets", "median_working_s"]].tolist() == [4, 2.5 * 3600]
    assert strata.loc["psm", ["tickets", "median_working_s"]].tolist() == [3, 1 * 3600]


def test_tickets_without_type_or_priority_form_their_own_speed_stratum(engine):
    with engine.begin() as conn:
        add_ticket(conn, "a", "psm", type_=None, priority=None, resolution_h=2.0)
        add_ticket(conn, "b", "psm", type_="bug", priority=None, resolution_h=4.0)
        refresh_ticket_rollups(conn)
        strata = support_speed_strata(conn)
    assert sorted(strata["median_working_s"] / 3600) == [2.0, 4.0]
    assert strata["priority"].isna().all() and strata["type"].isna().sum() == 1


def test_charges_split_exactly_at_the_window_start_and_stop_at_today(engine):
    today = "2026-06-15"  # window (2026-03-15, 2026-06-15]: starts inside March, ends inside June
    with engine.begin() as conn:
        add_ticket(conn, "at-window-start", "psm", resolved_at="2026-03-15 00:00")  # before the window
        add_ticket(conn, "after-window-start", "psm", resolved_at="2026-03-15 00:00:01")
        add_ticket(conn, "january", "psm", resolved_at="2026-01-20 08:00")
        add_ticket(conn, "april-rework", "psm", type_="Rework", resolved_at="2026-04-02 08:00")
        add_ticket(conn, "at-today", "psm", resolved_at="2026-06-15 00:00")
        add_ticket(conn, "after-today", "psm", resolved_at="2026-06-15 00:00:01")
        add_ticket(conn, "classic", "classic", resolved_at="2026-05-02 08:00")
        add_ticket(conn, "no-partner", "psm", partner_id=None, resolved_at="2026-05-02 08:00")
        refresh_ticket_rollups(conn)
        counts = support_charge_counts(conn, today)
    assert counts.to_dict("records") == [
        {"partner_id": "P1", "before_window": 2, "in_window": 2, "rework": 1}]


def test_ticket_rollups_are_refreshed_only_for_kinds_that_change_them(engine):
    with engine.begin() as conn:
        add_ticket(conn, "t1", "psm", sla_state="breached")
        conn.execute(insert(Worklog).values(ticket_id="t1", staff="s1", hours=1.5, work_date=dt.date(2026, 6, 2),
                                            work_type="support"))
        refresh_rollups(conn, ["deposits"])
        before = sla_trend_counts(conn, "total", "month")
        refresh_rollups(conn, ["ticket_pauses"])
        after_pauses = sla_trend_counts(conn, "total", "month")
        worked_before = support_rollup_inputs(conn, "2026-06-15")["worked"]
        refresh_rollups(conn, ["worklog"])
        worked_after = support_rollup_inputs(conn, "2026-06-15")["worked"]
    assert before.empty
    assert after_pauses.to_dict("records") == [{"period": "2026-06", "group": "", "met": 0, "breached": 1}]
    assert worked_before.empty and worked_after[["ticket_id", "hours", "support_hours"]].values.tolist() == [
        ["t1", 1.5, 1.5]]


# ---------------------------------------------------------------- the small demo

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory) -> Engine:
    """The small demo on each backend (SQLite: rollups from ingest; PostgreSQL: rebuilt after a copy)."""
    yield from demo_engine(request, tmp_path_factory, "ticket-rollups", COPIED, refresh_ticket_rollups)


def test_sla_rollup_counts_equal_met_and_breached_tickets_per_quarter_and_partner(demo):
    with demo.connect() as conn:
        got = sla_trend_counts(conn, "partner", "quarter")
        tickets = read_frame(conn, select(Ticket.client_id, Ticket.partner_id, Ticket.created_at, TicketSla.sla_state)
                             .join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id))
        clients = read_frame(conn, select(Client.client_id, Client.partner_id.label("client_partner")))
    tickets = tickets.merge(clients, on="client_id", how="left")
    tickets = tickets[tickets["sla_state"].isin(["met", "breached"])]
    tickets["group"] = tickets["partner_id"].fillna(tickets["client_partner"]).fillna("")
    tickets["period"] = tickets["created_at"].dt.tz_localize(None).dt.to_period("Q").astype(str)
    expected = pd.crosstab([tickets["period"], tickets["group"]], tickets["sla_state"]).reset_index()
    assert got["breached"].sum() > 100
    pd.testing.assert_frame_equal(got, expected[["period", "group", "met", "breached"]], check_dtype=False,
                                  check_names=False)


def _both_views(conn, today: pd.Timestamp):
    names = partner_names(conn).set_index("partner_id")["name"]
    direct = support_overview(support_inputs(conn), names, today, 180.0)
    rolled = support_overview_from_rollups(support_rollup_inputs(conn, today, worked_rows=300), names, today, 180.0)
    return direct, rolled


def test_speed_comparison_from_rollup_equals_psm_vs_classic(demo):
    with demo.connect() as conn:
        (_, direct), (_, rolled) = _both_views(conn, pd.Timestamp("2026-01-01", tz="UTC"))
    assert direct.strata_compared >= 8 and rolled.psm_tickets == direct.psm_tickets
    # exact medians: equal up to floating-point rounding
    assert rolled.faster_pct == pytest.approx(direct.faster_pct, rel=1e-12)
    pd.testing.assert_frame_equal(rolled.strata, direct.strata, check_dtype=False, rtol=1e-12)
    assert (rolled.classic_tickets, rolled.claim_holds, rolled.within_claimed_range) == (
        direct.classic_tickets, direct.claim_holds, direct.within_claimed_range)


@pytest.mark.parametrize("day_of_data", [0.5, 0.97])
def test_deposit_accounts_from_rollup_equal_deposit_account_on_the_tickets(demo, day_of_data):
    with demo.connect() as conn:
        resolved = read_frame(conn, select(Ticket.resolved_at).where(Ticket.service == "psm"))["resolved_at"]
        today = resolved.quantile(day_of_data).normalize()  # a day inside the data: partial months matter
        (direct, _), (rolled, _) = _both_views(conn, today)
    by_partner = ["partner_id"]
    expected = direct["accounts"].sort_values(by_partner, ignore_index=True)
    got = rolled["accounts"].sort_values(by_partner, ignore_index=True)
    assert expected["charged_tickets"].sum() > 100 and expected["runway_days"].notna().any()
    pd.testing.assert_frame_equal(got, expected)


def test_worked_time_from_rollup_equals_the_newest_worked_psm_tickets(demo):
    with demo.connect() as conn:
        (direct, _), (rolled, _) = _both_views(conn, pd.Timestamp("2026-01-01", tz="UTC"))
    newest = (direct["worked"].sort_values(["last_work_date", "ticket_id"], ascending=[False, True])
              .head(300).reset_index(drop=True))
    assert len(rolled["worked"]) == 300
    pd.testing.assert_frame_equal(rolled["worked"], newest, check_dtype=False)


def test_speed_medians_follow_small_loads_exactly_in_both_directions(engine):
    # ties (equal seconds, ordered by ticket id), rows before, at and after the middle, a stratum emptied and
    # refilled: after every few-ticket refresh the rollup equals the pandas median and the full rebuild
    rng = np.random.default_rng(7)
    with engine.begin() as conn:
        for i in range(25):
            add_ticket(conn, f"t{i:03d}", "psm", resolution_h=float(rng.integers(1, 8)))
        refresh_ticket_rollups(conn)
        for step in range(30):
            ids = [f"t{i:03d}" for i in rng.choice(40, int(rng.integers(1, 4)), replace=False)]
            for ticket_id in ids:
                conn.execute(delete(TicketSla).where(TicketSla.ticket_id == ticket_id))
                conn.execute(delete(Ticket).where(Ticket.ticket_id == ticket_id))
                hours = None if rng.random() < 0.2 else float(rng.integers(1, 8))
                add_ticket(conn, ticket_id, str(rng.choice(["psm", "classic"])), resolution_h=hours)
            refresh_support_speed_rollup(conn, select(Ticket.ticket_id).where(Ticket.ticket_id.in_(ids)))
            incremental = speed_rows(conn)
            values = read_frame(conn, select(support_service(Ticket.service).label("service"),
                                             TicketSla.resolution_working_s)
                                .join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id)
                                .where(TicketSla.resolution_working_s.is_not(None)))
            medians = values.groupby("service")["resolution_working_s"].median()
            assert incremental.set_index("service")["median_working_s"].to_dict() == medians.to_dict(), step
            refresh_support_speed_rollup(conn)
            pd.testing.assert_frame_equal(incremental, speed_rows(conn), obj=f"step {step}")
