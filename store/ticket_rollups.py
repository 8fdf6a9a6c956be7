"""Ticket rollups the Trends and dedicated-support pages read instead of scanning `tickets` (SPEC §9).

Each is rebuilt inside the database by one ``INSERT ... SELECT ... GROUP BY`` (SQLite and PostgreSQL):

* `sla_rollup`: met / breached tickets per UTC month of `created_at` × owning partner (the ticket's
  `partner_id`, else its client's; SPEC §5 compliance = met / (met + breached)). Quarters sum months.
* `support_speed_rollup`: per service (psm / classic, trimmed and lower-cased) × `type` × `priority`, the
  number of resolved tickets and the **exact** median of `ticket_sla.resolution_working_s` (seed 003
  "60–70 % faster" claim). Medians cannot be summed, so the rollup keeps the median itself, read from
  `support_speed_values` (each resolved ticket's seconds, indexed by stratum and seconds): the row at
  position ⌊(n−1)/2⌋ of the stratum, or the mean of it and the next when n is even — the definition of
  `pandas.Series.median`, equal up to floating-point rounding (≈ 1e-12 relative).
* `support_charge_rollup`: resolved psm tickets with a partner per partner × UTC month of `resolved_at`
  × rework (seed 003: the deposit is charged per resolved ticket; rework is billed apart).
* `support_work_rollup`: worked hours per psm ticket (`metrics.deposit.worked_time_per_ticket`).

`refresh_ticket_rollups(conn, kinds)` rebuilds those that files of `kinds` can change (all when None);
`store.rollups.refresh_rollups` calls it after the SLA values of `ticket_sla` are current.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
)

from store.bulk import replace_rows
from store.models import (
    Client,
    SlaRollup,
    SupportChargeRollup,
    SupportSpeedRollup,
    SupportSpeedValue,
    SupportWorkRollup,
    Ticket,
    TicketSla,
    Worklog,
)

SUPPORT_SERVICES = ("psm", "classic")  # seed 003: dedicated line vs the classic one
# kinds whose files change what each rollup counts (calendars and clients recompute ticket_sla)
SLA_KINDS = frozenset({"tickets", "ticket_pauses", "clients", "calendars"})
CHARGE_KINDS = frozenset({"tickets"})
WORK_KINDS = frozenset({"tickets", "worklog"})
TICKET_ROLLUP_KINDS = SLA_KINDS | WORK_KINDS


def utc_month(conn: Connection, column: ColumnElement) -> ColumnElement[str]:
    """SQL expression of the UTC calendar month of a timestamp column, "2024-05"."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def quarter_of_month(month: ColumnElement[str]) -> ColumnElement[str]:
    """SQL expression: the quarter label ("2024Q2") of a month label ("2024-05"), portable SQL."""
    number = cast(func.substr(month, 6, 2), Integer)
    return func.substr(month, 1, 4).concat("Q").concat(cast((number + 2) // 3, String))


def support_service(column: ColumnElement[str | None] = Ticket.service) -> ColumnElement[str]:
    """`service` trimmed and lower-cased, as `metrics.deposit` compares it."""
    return func.lower(func.trim(column))


def refresh_ticket_rollups(conn: Connection, kinds: Iterable[str] | None = None) -> None:
    """Rebuild the ticket rollups that files of `kinds` can change (every one when `kinds` is None)."""
    kinds = None if kinds is None else set(kinds)
    if kinds is None or kinds & SLA_KINDS:
        refresh_sla_rollup(conn)
        refresh_support_speed_rollup(conn)
    if kinds is None or kinds & CHARGE_KINDS:
        refresh_support_charge_rollup(conn)
    if kinds is None or kinds & WORK_KINDS:
        refresh_support_work_rollup(conn)


def sla_state_counts(conn: Connection, state: ColumnElement[str], *conditions: ColumnElement[bool],
                     counted_only: bool = True) -> Select:
    """`month, partner_id, met, breached` per ticket of `tickets` ⋈ `ticket_sla` ⟕ `clients` with `state` counted
    (only the met or breached tickets; every ticket, the others as 0 and 0, with `counted_only` False)."""
    month = utc_month(conn, Ticket.created_at)
    owner = func.coalesce(Ticket.partner_id, Client.partner_id, "")
    return (
        select(month.label("month"), owner.label("partner_id"),
               case((state == "met", 1), else_=0).label("met"),
               case((state == "breached", 1), else_=0).label("breached"))
        .join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id)
        .join(Client, Client.client_id == Ticket.client_id, isouter=True)
        .where(*([state.in_(("met", "breached"))] if counted_only else []), *conditions)
    )


SLA_ROLLUP_COLUMNS = ["month", "partner_id", "quarter", "met", "breached"]


def refresh_sla_rollup(conn: Connection) -> int:
    """Rebuild `sla_rollup` from `tickets` ⋈ `ticket_sla` ⟕ `clients`; returns the tickets counted.

    Only tickets resolved when their SLA was computed: their state is final. Open ones are counted
    when read, at that moment's state (`store.trend_queries.sla_trend_counts`, SPEC §5 live state).
    """
    replace_rows(conn, SlaRollup.__table__, SLA_ROLLUP_COLUMNS, sla_rollup_rows(conn))
    total = select(func.coalesce(func.sum(SlaRollup.met + SlaRollup.breached), 0))
    return int(conn.execute(total).scalar_one())


def sla_rollup_rows(conn: Connection, ticket_ids: Select | None = None) -> Select:
    """The `sla_rollup` rows (`SLA_ROLLUP_COLUMNS`) of every ticket, or only of the tickets `ticket_ids` selects
    (their contribution: the rollup is a sum, so a load adds the new contribution and takes the old one off)."""
    conditions = [TicketSla.is_open.is_not(True)]
    if ticket_ids is not None:
        conditions.append(Ticket.ticket_id.in_(ticket_ids))
    # a contribution keeps the tickets of other states (as 0 met, 0 breached: adding them changes no cell), so that
    # SQLite looks the few tickets up by id instead of walking the state index over every met or breached ticket
    per_ticket = sla_state_counts(conn, TicketSla.sla_state, *conditions,
                                  counted_only=ticket_ids is None).subquery("per_ticket")
    return (select(per_ticket.c.month, per_ticket.c.partner_id, quarter_of_month(per_ticket.c.month).label("quarter"),
                   func.sum(per_ticket.c.met).label("met"), func.sum(per_ticket.c.breached).label("breached"))
            .group_by(per_ticket.c.month, per_ticket.c.partner_id))


SPEED_VALUE_COLUMNS = ["ticket_id", "service", "type", "priority", "seconds"]


def support_speed_value_rows(ticket_ids: Select | None = None) -> Select:
    """The `support_speed_values` rows (`SPEED_VALUE_COLUMNS`) of every resolved psm/classic ticket, or only
    of the tickets `ticket_ids` selects."""
    service = support_service()
    seconds = TicketSla.resolution_working_s
    rows = (select(Ticket.ticket_id, service.label("service"), Ticket.type, Ticket.priority, seconds.label("seconds"))
            .join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id)
            .where(service.in_(SUPPORT_SERVICES), seconds.is_not(None)))
    return rows if ticket_ids is None else rows.where(Ticket.ticket_id.in_(ticket_ids))


def refresh_support_speed_rollup(conn: Connection, ticket_ids: Select | None = None) -> int:
    """Rebuild `support_speed_rollup`: tickets and exact median resolution per service × type × priority.

    Only resolved tickets (`resolution_working_s` not NULL) of the psm and classic services count. Their
    times are kept in `support_speed_values`, ordered within a stratum by (seconds, ticket id); the rollup keeps
    each stratum's count, median and lower middle row. `ticket_ids`: only these tickets changed: their rows of
    `support_speed_values` are replaced, and each stratum they leave or enter finds its new middle rows by
    walking from its stored middle row (a median is not a sum, but it moves by at most the rows that changed).
    Returns the number of strata written.
    """
    values = SupportSpeedValue.__table__
    stratum = [values.c.service, values.c.type, values.c.priority]
    if ticket_ids is None:
        replace_rows(conn, values, SPEED_VALUE_COLUMNS, support_speed_value_rows())
        conn.execute(delete(SupportSpeedRollup))
        counts = conn.execute(select(*stratum, func.count()).group_by(*stratum)).all()
        medians = [_stratum_median(conn, (s, t, p), n) for s, t, p, n in sorted(counts, key=repr)]
    else:
        stored = {(r.service, r.type, r.priority): r for r in conn.execute(select(SupportSpeedRollup)).all()}
        left, left_below = _touched_counts(conn, ticket_ids)  # the rows the tickets leave ...
        conn.execute(delete(values).where(values.c.ticket_id.in_(ticket_ids)))
        conn.execute(values.insert().from_select(SPEED_VALUE_COLUMNS, support_speed_value_rows(ticket_ids)))
        entered, entered_below = _touched_counts(conn, ticket_ids)  # ... and those they enter
        strata = sorted(set(left) | set(entered), key=repr)
        if not strata:
            return 0
        rows = SupportSpeedRollup
        conn.execute(delete(rows).where(or_(*[and_(rows.service == s, rows.type.is_not_distinct_from(t),
                                                   rows.priority.is_not_distinct_from(p)) for s, t, p in strata])))
        medians = []
        for key in strata:
            old = stored.get(key)
            n = (old.tickets if old else 0) - left.get(key, 0) + entered.get(key, 0)
            if old is None or old.middle_ticket_id is None:
                medians.append(_stratum_median(conn, key, n))
                continue
            # rows now before the old middle row: those before it then, less the ones that left, plus the new ones
            below = (old.tickets - 1) // 2 - left_below.get(key, 0) + entered_below.get(key, 0)
            medians.append(_stratum_median(conn, key, n, (old.middle_seconds, old.middle_ticket_id), below))
    medians = [m for m in medians if m["tickets"]]
    if medians:
        conn.execute(SupportSpeedRollup.__table__.insert(), medians)
    return len(medians)


def _touched_counts(conn: Connection, ticket_ids: Select) -> tuple[dict, dict]:
    """Per stratum: the rows of `support_speed_values` of the tickets `ticket_ids` selects, and how many of them
    lie before the stratum's stored middle row (compared in the database: its ordering of ticket ids)."""
    v, r = SupportSpeedValue.__table__.c, SupportSpeedRollup.__table__.c
    keys = [v.service, v.type, v.priority]
    mine = v.ticket_id.in_(ticket_ids)
    counts = {tuple(row[:3]): row[3] for row in conn.execute(select(*keys, func.count()).where(mine).group_by(*keys))}
    same_stratum = and_(r.service == v.service, r.type.is_not_distinct_from(v.type),
                        r.priority.is_not_distinct_from(v.priority))
    before_middle = tuple_(v.seconds, v.ticket_id) < tuple_(r.middle_seconds, r.middle_ticket_id)
    below = {tuple(row[:3]): row[3] for row in conn.execute(
        select(*keys, func.count()).join_from(SupportSpeedValue, SupportSpeedRollup, same_stratum)
        .where(mine, before_middle).group_by(*keys))}
    return counts, below


def _stratum_median(conn: Connection, key: tuple, n: int, middle: tuple | None = None, below: int = 0) -> dict:
    """The rollup row of the stratum `key` (service, type, priority) holding `n` rows of `support_speed_values`:
    the exact median is the row at position ⌊(n−1)/2⌋ in (seconds, ticket id) order, or the mean of it and the
    next when `n` is even (`pandas.Series.median`). Positions are walked along the stratum's index: from its
    first row, or from the row `middle` (seconds, ticket id) that `below` rows now precede, in either direction."""
    if not n:
        return {"tickets": 0}
    v = SupportSpeedValue.__table__.c
    service, type_, priority = key
    # `= value` or `IS NULL` (not IS NOT DISTINCT FROM): both can walk the stratum's index
    where = [v.service == service, v.type.is_(None) if type_ is None else v.type == type_,
             v.priority.is_(None) if priority is None else v.priority == priority]
    rows = select(v.seconds, v.ticket_id).where(*where)
    anchor = None if middle is None else tuple_(v.seconds, v.ticket_id)

    def at(position: int) -> tuple[float, str]:
        if middle is None:
            stmt = rows.order_by(v.seconds, v.ticket_id).offset(position)
        elif position >= below:  # at or after the old middle row
            stmt = rows.where(anchor >= tuple_(*middle)).order_by(v.seconds, v.ticket_id).offset(position - below)
        else:
            stmt = rows.where(anchor < tuple_(*middle)).order_by(v.seconds.desc(), v.ticket_id.desc()).offset(
                below - 1 - position)
        return tuple(conn.execute(stmt.limit(1)).one())

    lower = at((n - 1) // 2)
    upper = lower if n % 2 else at(n // 2)
    return {"service": service, "type": type_, "priority": priority, "tickets": n,
            "median_working_s": (lower[0] + upper[0]) / 2, "middle_seconds": lower[0], "middle_ticket_id": lower[1]}


def refresh_support_charge_rollup(conn: Connection) -> int:
    """Rebuild `support_charge_rollup` (resolved psm tickets with a partner); returns the tickets counted."""
    replace_rows(conn, SupportChargeRollup.__table__, CHARGE_ROLLUP_COLUMNS, charge_rollup_rows(conn))
    return int(conn.execute(select(func.coalesce(func.sum(SupportChargeRollup.tickets), 0))).scalar_one())


CHARGE_ROLLUP_COLUMNS = ["partner_id", "month", "rework", "tickets"]


def charge_rollup_rows(conn: Connection, ticket_ids: Select | None = None) -> Select:
    """The `support_charge_rollup` rows of every ticket, or the contribution of the tickets `ticket_ids` selects."""
    month = utc_month(conn, Ticket.resolved_at).label("month")
    # metrics.deposit: a rework ticket is `type` "rework" (any case); no type is not rework
    rework = case((func.lower(Ticket.type) == "rework", true()), else_=false()).label("rework")
    charged = (select(Ticket.partner_id, month, rework)
               .where(support_service() == "psm", Ticket.resolved_at.is_not(None), Ticket.partner_id.is_not(None)))
    if ticket_ids is not None:
        charged = charged.where(Ticket.ticket_id.in_(ticket_ids))
    charged = charged.subquery("charged")
    return (select(charged.c.partner_id, charged.c.month, charged.c.rework, func.count().label("tickets"))
            .group_by(charged.c.partner_id, charged.c.month, charged.c.rework))


def refresh_support_work_rollup(conn: Connection, ticket_ids: Select | None = None) -> int:
    """Rebuild `support_work_rollup` from the worklog of psm tickets (only the rows of `ticket_ids` when given);
    returns the tickets written.

    Hours of a row without a known `work_type` count only in `hours` (metrics.deposit.worked_time_per_ticket).
    """
    work_type = func.lower(Worklog.work_type)

    def hours_of(kind: str) -> ColumnElement[float]:
        return func.coalesce(func.sum(case((work_type == kind, Worklog.hours), else_=0.0)), 0.0)

    psm_ids = select(Ticket.ticket_id).where(func.lower(Ticket.service) == "psm")
    if ticket_ids is not None:  # else SQLite lists every psm ticket first
        psm_ids = psm_ids.where(Ticket.ticket_id.in_(ticket_ids))
    grouped = (select(Worklog.ticket_id, func.coalesce(func.sum(Worklog.hours), 0.0), hours_of("support"),
                      hours_of("development"), func.count(Worklog.staff.distinct()), func.min(Worklog.work_date),
                      func.max(Worklog.work_date))
               .where(Worklog.ticket_id.in_(psm_ids))
               .group_by(Worklog.ticket_id))
    columns = ["ticket_id", "hours", "support_hours", "development_hours", "staff", "first_work_date", "last_work_date"]
    if ticket_ids is None:
        replace_rows(conn, SupportWorkRollup.__table__, columns, grouped)
        return int(conn.execute(select(func.count()).select_from(SupportWorkRollup)).scalar_one())
    conn.execute(delete(SupportWorkRollup).where(SupportWorkRollup.ticket_id.in_(ticket_ids)))
    result = conn.execute(SupportWorkRollup.__table__.insert().from_select(
        columns, grouped.where(Worklog.ticket_id.in_(ticket_ids))))
    return result.rowcount
