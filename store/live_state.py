"""The SLA state of a ticket evaluated when read (SPEC §5 live state): SQL twin of `metrics.sla.live_states`.

Stored deadlines and at-risk instants do not age; `met / breached / open / at_risk` of an open ticket
depends on «now», so every query that shows a state selects `live_sla_state(now)` instead of the
column frozen at the last load.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, and_, bindparam, case, literal
from sqlalchemy.types import DateTime

from store.models import Ticket, TicketSla


def _instant(now: pd.Timestamp) -> ColumnElement:
    return bindparam("live_now", now.to_pydatetime(), type_=DateTime(timezone=True))


def live_sla_state(now: pd.Timestamp) -> ColumnElement[str]:
    """CASE expression over `tickets` ⋈ `ticket_sla`: the state at `now` (None: resolved without a target)."""
    at = _instant(now)
    sla = TicketSla
    done = and_(Ticket.resolved_at.is_not(None), Ticket.resolved_at <= at)
    return case(
        (and_(done, sla.deadline.is_(None)), literal(None)),
        (and_(done, Ticket.resolved_at <= sla.deadline), "met"),
        (done, "breached"),
        (sla.clock_stopped.is_(True), sla.sla_state),  # paused when computed: the remaining time does not run
        (sla.deadline.is_(None), "open"),
        (at > sla.deadline, "breached"),
        (and_(sla.at_risk_from.is_not(None), at > sla.at_risk_from), "at_risk"),
        else_="open",
    )
