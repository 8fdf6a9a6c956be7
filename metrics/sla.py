"""SLA of support tickets in working time (SPEC §5, seed 003 dedicated support, seed 004 priorities).

One target per ticket, by service (SPEC §5):

1. ``service == "psm"`` (dedicated support, seed 003), whatever its kind: acceptance 1 h
   ("обработка задачи в течение 1-го часа") and resolution by type: ``simple`` 8 h, ``complex``
   8 h × subtasks (missing or 0 subtasks → 1), ``bug`` 3 h; a ticket without a type is treated as
   ``SlaPolicy.default_type``.  ``rework`` (paid enhancement): the deadline is ``due_at`` fixed at
   acceptance, extended by the working time spent in ``waiting_production`` pauses ("БП"); without
   ``due_at`` there is no target.
2. ``service == "classic"`` (seed 004), whatever its kind: the priority's reaction (acceptance) and
   resolution targets (e.g. 1 h / 4 h, 4 h / 16 h, 8 h / 40 h); without a known priority, rule 1's rows.
3. no service: an ``incident`` with a known priority takes rule 2, any other ticket rule 1.

Each ticket's ``rule`` names the rule that set its target, e.g. «psm · ошибка · 3 ч».

Pauses stop the clock (``SlaPolicy.clock_stop_reasons``; a pause without a reason counts as
``other``).  A deadline is the earliest instant at which the working time since creation,
less the working time of pauses before it, reaches the target.  States compare instants with
the deadline: resolved by the deadline → ``met``, after it → ``breached``; an open ticket past
its deadline is ``breached``, with less than ``at_risk_share`` of the target left ``at_risk``,
otherwise ``open``.  A resolved ticket without a target has no state (NaN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from metrics.calendar import WorkCalendar, to_utc_ns

_NAT = np.iinfo(np.int64).min
HOUR = 3600.0
SLA_STATES = ("met", "breached", "open", "at_risk")


def _default_incident_targets() -> dict[int, tuple[float, float]]:
    # seed 004: reaction / resolution per incident priority, working hours
    return {1: (1.0, 4.0), 2: (4.0, 16.0), 3: (8.0, 40.0)}


@dataclass(frozen=True)
class SlaPolicy:
    """SLA targets in working hours of the client's calendar.

    Parameters
    ----------
    acceptance_hours : created → accepted, any non-incident ticket (seed 003: 1 h).
    simple_hours : resolution of a simple task (seed 003: up to 8 working hours).
    complex_hours_per_subtask : resolution of a complex task per announced subtask (SPEC §5: 8 h × subtasks).
    bug_hours : resolution of a critical bug (seed 003: up to 3 working hours).
    incident_targets : priority → (reaction hours, resolution hours) for incidents (seed 004).
    at_risk_share : an open ticket with less than this share of its target left is at risk.
    clock_stop_reasons : pause reasons that stop the clock.
    rework_extension_reasons : pause reasons that extend a rework's ``due_at`` (seed 003: "БП").
    default_type : type assumed for tickets without one.
    """

    acceptance_hours: float = 1.0
    simple_hours: float = 8.0
    complex_hours_per_subtask: float = 8.0
    bug_hours: float = 3.0
    incident_targets: Mapping[int, tuple[float, float]] = field(
        default_factory=_default_incident_targets
    )
    at_risk_share: float = 0.25
    clock_stop_reasons: tuple[str, ...] = (
        "waiting_production",
        "waiting_client",
        "other",
    )
    rework_extension_reasons: tuple[str, ...] = ("waiting_production",)
    default_type: str = "simple"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters (priority keys as strings)."""
        data = asdict(self)
        data["incident_targets"] = {
            str(k): list(v) for k, v in self.incident_targets.items()
        }
        data["clock_stop_reasons"] = list(self.clock_stop_reasons)
        data["rework_extension_reasons"] = list(self.rework_extension_reasons)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlaPolicy:
        """Build from ``to_dict`` output (admin-edited policies); missing keys take defaults."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "incident_targets" in values:
            values["incident_targets"] = {
                int(k): (float(v[0]), float(v[1]))
                for k, v in values["incident_targets"].items()
            }
        for key in ("clock_stop_reasons", "rework_extension_reasons"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


# --------------------------------------------------------------------------- pauses
@dataclass(frozen=True)
class _Segments:
    """Disjoint pause intervals ``[start, end)`` (UTC ns) of rows, sorted by row then start."""

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray


def _merge_pauses(
    rows: np.ndarray,
    paused_ns: np.ndarray,
    resumed_ns: np.ndarray,
    start_ns: np.ndarray,
    end_ns: np.ndarray,
) -> _Segments:
    """Clip pauses to their row's ``[start, end)`` (open pause = until end) and merge overlaps.

    Sorted by (row, start), a pause opens a new segment when it starts after the running
    maximum end of the earlier pauses of its row (a group-wise cummax); segment end = max end.
    """
    rows = np.asarray(rows, dtype=np.int64)
    row_start, row_end = start_ns[rows], end_ns[rows]
    resumed = np.where(resumed_ns == _NAT, row_end, resumed_ns)
    a = np.maximum(paused_ns, row_start)
    b = np.minimum(resumed, row_end)
    keep = (paused_ns != _NAT) & (row_start != _NAT) & (row_end != _NAT) & (b > a)
    rows, a, b = rows[keep], a[keep], b[keep]
    order = np.lexsort((a, rows))
    rows, a, b = rows[order], a[order], b[order]
    if not len(rows):
        return _Segments(rows, a, b)
    running_end = pd.Series(b).groupby(rows).cummax().to_numpy()
    opens = np.ones(len(rows), dtype=bool)
    opens[1:] = (rows[1:] != rows[:-1]) | (a[1:] > running_end[:-1])
    first = np.flatnonzero(opens)
    return _Segments(rows[first], a[first], np.maximum.reduceat(b, first))


def _paused_seconds(
    cal: WorkCalendar, n: int, seg: _Segments, until_ns: np.ndarray | None = None
) -> np.ndarray:
    """Working seconds of each row's segments, optionally only their parts before ``until_ns[row]``."""
    start, end = seg.start, seg.end
    if until_ns is not None:
        limit = until_ns[seg.row]
        start, end = np.minimum(start, limit), np.minimum(end, limit)
    worked = cal.working_ns_between(start, end)
    return np.bincount(seg.row, weights=worked, minlength=n)


def _pause_frame_segments(
    pauses: pd.DataFrame | None, start_ns: np.ndarray, end_ns: np.ndarray, timezone: str
) -> _Segments:
    if pauses is None or pauses.empty:
        empty = np.array([], dtype=np.int64)
        return _Segments(empty, empty, empty)
    return _merge_pauses(
        pauses["row"].to_numpy(dtype=np.int64),
        to_utc_ns(pauses["paused_at"], timezone),
        to_utc_ns(pauses["resumed_at"], timezone),
        start_ns,
        end_ns,
    )


def elapsed_working_seconds(
    starts: Any, ends: Any, cal: WorkCalendar, pauses: pd.DataFrame | None = None
) -> np.ndarray:
    """Working seconds in ``[start, end)`` minus the working seconds of pauses within it.

    ``elapsed_i = W(s_i, e_i) - Σ_k W(p_k)`` over the merged pauses ``p_k`` of row ``i`` clipped
    to ``[s_i, e_i)``, ``W`` = ``cal.working_seconds``.

    Parameters
    ----------
    starts, ends : timestamps (tz-aware, or naive = calendar local time), equal length.
    cal : working calendar.
    pauses : DataFrame with ``row`` (position in ``starts``), ``paused_at``, ``resumed_at``
        (NaT = still paused, i.e. until end).  Overlapping pauses are merged; parts outside
        ``[start, end)`` are ignored.

    Returns
    -------
    np.ndarray of float64 seconds; 0 where end <= start, NaN where either bound is NaT.
    """
    start_ns = to_utc_ns(starts, cal.timezone)
    end_ns = to_utc_ns(ends, cal.timezone)
    total = cal.working_ns_between(start_ns, end_ns)
    seg = _pause_frame_segments(pauses, start_ns, end_ns, cal.timezone)
    return total - _paused_seconds(cal, len(start_ns), seg)


def _deadline_ns(
    cal: WorkCalendar, base_ns: np.ndarray, budget_s: np.ndarray, seg: _Segments
) -> np.ndarray:
    """Earliest ``d`` with ``W(base, d) - (paused working time before d) = budget`` (UTC ns).

    Iterates ``d ← add(base, budget + Σ W(p))`` over the whole pause segments ``p`` that start
    before ``d``.  The map is monotone and the true deadline is a fixed point of it (no pause
    can straddle the instant at which the clock reaches the budget), so iterating from
    ``add(base, budget)`` reaches it after at most (segments per row + 1) steps, each step
    vectorized over all rows.
    """
    n = len(base_ns)
    segment_s = cal.working_ns_between(seg.start, seg.end)
    deadline = cal.add_working_ns(base_ns, budget_s).view(np.int64)
    for _ in range(len(seg.row) + 1):
        started = seg.start < deadline[seg.row]
        paused = np.bincount(
            seg.row, weights=np.where(started, segment_s, 0.0), minlength=n
        )
        extended = cal.add_working_ns(base_ns, budget_s + paused).view(np.int64)
        if np.array_equal(extended, deadline):
            break
        deadline = extended
    return deadline


# --------------------------------------------------------------------------- targets
def _column(tickets: pd.DataFrame, name: str) -> pd.Series:
    return (
        tickets[name]
        if name in tickets
        else pd.Series(np.nan, index=tickets.index, dtype=object)
    )


#: Russian names of ticket types in rule texts (seed 003 wording).
TYPE_NAMES = {"simple": "простая", "complex": "сложная", "bug": "ошибка", "rework": "доработка"}


def _hours_text(hours: np.ndarray) -> np.ndarray:
    """``8`` → «8», ``0.5`` → «0,5» (Russian decimal comma), elementwise."""
    rounded = np.round(np.asarray(hours, dtype=float), 2)
    text = pd.Series(rounded).map(lambda v: f"{v:g}".replace(".", ",")).to_numpy(dtype=object)
    return text


def _targets_s(
    tickets: pd.DataFrame, policy: SlaPolicy
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(acceptance target s, resolution target s, is_rework, rule text) per ticket (module doc rules).

    A rework's resolution target is NaN here (its deadline comes from ``due_at``).
    """
    n = len(tickets)
    kind = _column(tickets, "kind").astype(object).to_numpy()
    service = _column(tickets, "service").astype(object).to_numpy()
    ticket_type = (
        _column(tickets, "type").astype(object).fillna(policy.default_type).to_numpy()
    )
    priority = pd.to_numeric(_column(tickets, "priority"), errors="coerce").to_numpy(
        dtype=float
    )
    subtasks = pd.to_numeric(_column(tickets, "subtasks"), errors="coerce").to_numpy(
        dtype=float
    )
    subtasks = np.where(
        np.isnan(subtasks) | (subtasks <= 0), 1.0, subtasks
    )  # missing/0 subtasks → 1

    # seed 003 rows, by type
    by_type = np.select(
        [ticket_type == "simple", ticket_type == "complex", ticket_type == "bug"],
        [
            policy.simple_hours,
            policy.complex_hours_per_subtask * subtasks,
            policy.bug_hours,
        ],
        default=np.nan,
    )
    known_priority = np.isin(priority, list(policy.incident_targets))
    # seed 004 rows for classic tickets (and incidents of an unknown service) with a known priority
    by_priority = known_priority & (
        (service == "classic") | (pd.isna(service) & (kind == "incident"))
    )
    reaction = np.full(n, policy.acceptance_hours)
    resolution = by_type
    for level, (reaction_h, resolution_h) in policy.incident_targets.items():
        is_level = by_priority & (priority == level)
        reaction = np.where(is_level, reaction_h, reaction)
        resolution = np.where(is_level, resolution_h, resolution)
    is_rework = (ticket_type == "rework") & ~by_priority

    family = np.where(by_priority, "classic", np.where(pd.isna(service), "psm", service)).astype(object)
    type_name = pd.Series(ticket_type).map(TYPE_NAMES).fillna(pd.Series(ticket_type)).to_numpy(dtype=object)
    per_subtask = _hours_text(np.full(n, policy.complex_hours_per_subtask))
    type_rule = np.select(
        [ticket_type == "complex", is_rework, np.isnan(by_type)],
        [
            per_subtask + " ч × " + _hours_text(subtasks),
            np.full(n, "срок + БП", dtype=object),
            np.full(n, "без срока", dtype=object),
        ],
        default=_hours_text(by_type) + " ч",
    ).astype(object)
    priority_rule = (
        "P" + pd.Series(priority).fillna(0).astype(int).astype(str).to_numpy(dtype=object)
        + " · " + _hours_text(reaction) + " ч / " + _hours_text(resolution) + " ч"
    )
    rule = np.where(
        by_priority, family + " · " + priority_rule, family + " · " + type_name + " · " + type_rule
    ).astype(object)
    return (
        reaction * HOUR,
        np.where(is_rework, np.nan, resolution * HOUR),
        is_rework,
        rule,
    )


def _states(
    done_ns: np.ndarray,
    now_ns: int,
    deadline_ns: np.ndarray,
    remaining_s: np.ndarray,
    target_s: np.ndarray,
    at_risk_share: float,
) -> np.ndarray:
    """met / breached / open / at_risk by comparing instants with the deadline (see module doc)."""
    done = done_ns != _NAT
    has_deadline = deadline_ns != _NAT
    return np.select(
        [
            done & has_deadline & (done_ns <= deadline_ns),
            done & has_deadline,
            done,
            ~done & has_deadline & (now_ns > deadline_ns),
            ~done & has_deadline & (remaining_s < at_risk_share * target_s),
        ],
        ["met", "breached", None, "breached", "at_risk"],
        default="open",
    ).astype(object)


def live_states(resolved_at: Any, deadline: Any, at_risk_from: Any, now: Any,
                clock_stopped: Any = None, stored_states: Any = None) -> np.ndarray:
    """met / breached / open / at_risk of tickets at ``now`` from their stored instants (SPEC §5 live state).

    A ticket resolved by ``now`` is ``met`` if resolved by its deadline, else ``breached`` (no
    deadline: no state, None); an open one whose clock was stopped (an open pause) when its SLA
    was computed keeps ``stored_states`` (its remaining time does not run); any other open one is
    ``breached`` after its deadline, ``at_risk`` after ``at_risk_from`` (the instant at which less
    than ``at_risk_share`` of its target is left), else ``open`` (also without a deadline).
    Vectorized; NaT = missing.  ``store.live_state`` is the same rule in SQL.
    """
    now_ns = int(_utc_timestamp(now).value)
    resolved = _as_utc_ns(resolved_at)
    deadline_ns = _as_utc_ns(deadline)
    risk_ns = _as_utc_ns(at_risk_from)
    done = (resolved != _NAT) & (resolved <= now_ns)
    has_deadline = deadline_ns != _NAT
    states = np.select(
        [
            done & has_deadline & (resolved <= deadline_ns),
            done & has_deadline,
            done,
            has_deadline & (now_ns > deadline_ns),
            (risk_ns != _NAT) & (now_ns > risk_ns),
        ],
        ["met", "breached", None, "breached", "at_risk"],
        default="open",
    ).astype(object)
    if clock_stopped is not None and stored_states is not None:
        frozen = ~done & pd.Series(clock_stopped, dtype=object).eq(True).to_numpy()
        states = np.where(frozen, np.asarray(stored_states, dtype=object), states)
    return states


def _utc_timestamp(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _as_utc_ns(values: Any) -> np.ndarray:
    """Timestamps (naive = UTC) as int64 UTC ns, NaT = ``iNaT``."""
    return to_utc_ns(pd.Series(values, dtype=object) if not hasattr(values, "dtype") else values, "UTC")


# --------------------------------------------------------------------------- evaluation
def _evaluate_group(
    tickets: pd.DataFrame,
    pauses: pd.DataFrame,
    cal: WorkCalendar,
    policy: SlaPolicy,
    now_ns: int,
) -> pd.DataFrame:
    """``evaluate_tickets`` for tickets sharing one calendar and one policy; pauses use ``row``."""
    n = len(tickets)
    tz = cal.timezone
    created = to_utc_ns(tickets["created_at"], tz)
    accepted = to_utc_ns(_column(tickets, "accepted_at"), tz)
    resolved = to_utc_ns(_column(tickets, "resolved_at"), tz)
    due = to_utc_ns(_column(tickets, "due_at"), tz)
    resolved = np.where(
        resolved > now_ns, _NAT, resolved
    )  # not yet resolved as of `now`
    accepted = np.where(accepted > now_ns, _NAT, accepted)
    observed_end = np.where((resolved == _NAT) & (created != _NAT), now_ns, resolved)
    accepted_or_resolved = np.where(
        accepted == _NAT, resolved, accepted
    )  # resolving implies acceptance

    reasons = (
        pauses["reason"].astype(object).fillna("other").to_numpy()
        if "reason" in pauses
        else np.full(len(pauses), "other", dtype=object)
    )
    stop_clock = pauses[np.isin(reasons, policy.clock_stop_reasons)]
    seg = _pause_frame_segments(stop_clock, created, observed_end, tz)
    acceptance_target, resolution_target, is_rework, rule = _targets_s(tickets, policy)

    elapsed_total = cal.working_ns_between(created, observed_end)
    paused = _paused_seconds(cal, n, seg)
    elapsed = elapsed_total - paused
    acceptance = cal.working_ns_between(created, accepted) - _paused_seconds(
        cal, n, seg, accepted
    )

    deadline = _deadline_ns(cal, created, resolution_target, seg)
    if is_rework.any():
        # seed 003: a rework's term is extended by the time waiting for production ("БП")
        production = pauses[np.isin(reasons, policy.rework_extension_reasons)]
        bp = _pause_frame_segments(production, created, observed_end, tz)
        extended_due = _deadline_ns(cal, due, np.zeros(n), bp)
        deadline = np.where(is_rework, extended_due, deadline)
        window = cal.working_ns_between(created, deadline)
        resolution_target = np.where(is_rework, window, resolution_target)
    acceptance_deadline = _deadline_ns(cal, created, acceptance_target, seg)
    # the instant from which less than at_risk_share of the target is left (stored: live state at read time)
    at_risk_from = _deadline_ns(
        cal, created, (1.0 - policy.at_risk_share) * resolution_target, seg
    )
    if is_rework.any():  # a rework's window is plain working time created → deadline
        at_risk_from = np.where(
            is_rework,
            cal.add_working_ns(
                created, (1.0 - policy.at_risk_share) * resolution_target
            ).view(np.int64),
            at_risk_from,
        )

    # open tickets in a clock-stopping pause right now: their state does not age until it ends
    clock_stopped = np.zeros(n, dtype=bool)
    clock_stopped[seg.row[seg.end == now_ns]] = True
    clock_stopped &= resolved == _NAT

    now = np.full(n, now_ns, dtype=np.int64)
    acceptance_remaining = acceptance_target - (
        cal.working_ns_between(created, now) - _paused_seconds(cal, n, seg, now)
    )
    deadline_index = pd.DatetimeIndex(deadline.view("datetime64[ns]")).tz_localize(
        "UTC"
    )
    return pd.DataFrame(
        {
            "acceptance_working_s": acceptance,
            "resolution_working_s": np.where(resolved == _NAT, np.nan, elapsed),
            "elapsed_working_s": elapsed,
            "paused_working_s": np.where(created == _NAT, np.nan, paused),
            "acceptance_target_s": acceptance_target,
            "resolution_target_s": resolution_target,
            "deadline": deadline_index,
            "acceptance_state": _states(
                accepted_or_resolved,
                now_ns,
                acceptance_deadline,
                acceptance_remaining,
                acceptance_target,
                policy.at_risk_share,
            ),
            "at_risk_from": pd.DatetimeIndex(
                at_risk_from.view("datetime64[ns]")
            ).tz_localize("UTC"),
            "sla_state": live_states(
                resolved.view("datetime64[ns]"),
                deadline.view("datetime64[ns]"),
                at_risk_from.view("datetime64[ns]"),
                pd.Timestamp(now_ns, tz="UTC"),
            ),
            "rule": rule,
            "clock_stopped": clock_stopped,
        },
        index=tickets.index,
    )


def evaluate_tickets(
    tickets: pd.DataFrame,
    pauses: pd.DataFrame | None,
    calendars: Mapping[str, WorkCalendar],
    policies: Mapping[str, SlaPolicy],
    now: Any,
    default_calendar: str = "RU",
    default_policy: str = "default",
) -> pd.DataFrame:
    """SLA figures of every ticket, in working time of its client's calendar.

    Parameters
    ----------
    tickets : SPEC §3 ticket columns (``ticket_id``, ``created_at``, ``kind``, ``type``, ``priority``,
        ``subtasks``, ``accepted_at``, ``due_at``, ``resolved_at`` …) plus ``calendar`` and
        ``sla_policy`` names taken from the client; a missing name means the default.
    pauses : SPEC §3 ``ticket_pauses`` (``ticket_id``, ``paused_at``, ``resumed_at``, ``reason``);
        pauses of unknown tickets are ignored.
    calendars : name → WorkCalendar; a name absent here is looked up in ``CALENDAR_PRESETS``.
    policies : name → SlaPolicy; ``default_policy`` absent here means ``SlaPolicy()``.
    now : evaluation instant (naive = UTC); a ticket resolved after ``now`` is still open.

    Returns
    -------
    DataFrame indexed like ``tickets``: ``acceptance_working_s`` (created → accepted, pauses
    excluded), ``resolution_working_s`` (created → resolved, NaN if open), ``elapsed_working_s``
    (created → min(resolved, now)), ``paused_working_s``, ``acceptance_target_s``,
    ``resolution_target_s``, ``deadline`` (UTC), ``acceptance_state``, ``sla_state``
    (met / breached / open / at_risk, NaN = no target), ``rule`` (the rule text that set the
    target, e.g. «psm · ошибка · 3 ч»), ``at_risk_from`` and ``clock_stopped`` (open and in a
    clock-stopping pause at ``now``; see ``live_states``) and ``pause_count`` (pause records).
    All durations in working seconds.
    """
    now_ts = pd.Timestamp(now)
    now_ns = int(
        (
            now_ts.tz_localize("UTC")
            if now_ts.tzinfo is None
            else now_ts.tz_convert("UTC")
        ).value
    )
    if pauses is None:
        pauses = pd.DataFrame(
            columns=["ticket_id", "paused_at", "resumed_at", "reason"]
        )
    position = pd.Index(tickets["ticket_id"]).get_indexer(pauses["ticket_id"])
    pauses = pauses.assign(row=position)[position >= 0]

    calendar_names = (
        _column(tickets, "calendar").fillna(default_calendar).astype(str).to_numpy()
    )
    policy_names = (
        _column(tickets, "sla_policy").fillna(default_policy).astype(str).to_numpy()
    )
    groups = (
        pd.DataFrame({"calendar": calendar_names, "policy": policy_names})
        .groupby(["calendar", "policy"], sort=False)
        .indices
    )
    parts = []
    local = np.full(len(tickets), -1)
    for (calendar_name, policy_name), rows in groups.items():
        cal = (
            calendars[calendar_name]
            if calendar_name in calendars
            else WorkCalendar.from_name(calendar_name)
        )
        policy = policies.get(policy_name)
        if policy is None:
            if policy_name != default_policy:
                raise KeyError(f"unknown SLA policy {policy_name!r}")
            policy = SlaPolicy()
        local[rows] = np.arange(len(rows))
        group_pauses = pauses[np.isin(pauses["row"].to_numpy(), rows)]
        group_pauses = group_pauses.assign(row=local[group_pauses["row"].to_numpy()])
        part = _evaluate_group(tickets.iloc[rows], group_pauses, cal, policy, now_ns)
        parts.append(part.set_axis(rows))
    if parts:
        result = pd.concat(parts).sort_index().set_axis(tickets.index)
    else:
        result = _evaluate_group(tickets, pauses, WorkCalendar(), SlaPolicy(), now_ns)
    result["pause_count"] = np.bincount(
        pauses["row"].to_numpy(dtype=np.int64), minlength=len(tickets)
    )
    return result


def compliance(states: Any) -> float:
    """SLA compliance, % = 100 · met / (met + breached); NaN when neither occurs."""
    values = pd.Series(states, dtype=object)
    met = int((values == "met").sum())
    breached = int((values == "breached").sum())
    return 100.0 * met / (met + breached) if met + breached else float("nan")
