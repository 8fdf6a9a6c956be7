"""A partial SLA refresh (the tickets a pauses file touched) stores exactly what a full recompute stores.

On PostgreSQL the touched ids are staged in a temporary table and read in one pass; on SQLite in
batches of ids. Both must leave `ticket_sla` equal to recomputing every ticket from scratch.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from demo import generate
from store.derived import FULL_REFRESH_SHARE, materialize_sla
from store.frames import read_frame
from store.models import TicketSla
from tests.integration.partner_db import AS_OF, insert_frames

KINDS = ("partners", "clients", "tickets", "ticket_pauses")


def _sla(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = read_frame(conn, select(TicketSla))
    return frame.drop(columns=["computed_at"]).sort_values("ticket_id").reset_index(drop=True)


def test_partial_refresh_equals_full_recompute(engine):
    frames = generate("small", seed=42)
    insert_frames(engine, {kind: frames[kind] for kind in KINDS})
    with engine.begin() as conn:
        materialize_sla(conn, now=AS_OF)
    before = _sla(engine)

    # a later pauses file: a long client-waiting pause on 300 resolved tickets that had none
    tickets = frames["tickets"]
    paused = set(frames["ticket_pauses"]["ticket_id"])
    touched = tickets[tickets["resolved_at"].notna() & ~tickets["ticket_id"].isin(paused)].head(300)
    assert len(touched) == 300 and len(touched) < FULL_REFRESH_SHARE * len(tickets)  # the partial path
    start = touched["created_at"] + pd.Timedelta(minutes=1)
    new_pauses = pd.DataFrame({"ticket_id": touched["ticket_id"].to_numpy(), "paused_at": start.to_numpy(),
                               "resumed_at": touched["resolved_at"].to_numpy(), "reason": "waiting_client"})
    insert_frames(engine, {"ticket_pauses": new_pauses})
    with engine.begin() as conn:
        done = materialize_sla(conn, ticket_ids=touched["ticket_id"].tolist(), now=AS_OF)
    assert done == 300
    partial = _sla(engine)

    with engine.begin() as conn:
        materialize_sla(conn, now=AS_OF)
    full = _sla(engine)
    pd.testing.assert_frame_equal(partial, full)
    # and the refresh did change the touched tickets (the pause is working time no longer counted)
    changed = before.set_index("ticket_id").loc[touched["ticket_id"], "resolution_working_s"] \
        != full.set_index("ticket_id").loc[touched["ticket_id"], "resolution_working_s"]
    assert changed.mean() > 0.5
